from django.urls import path

from quanyi.portals import views

urlpatterns = [
    path("me/", views.me_view, name="portal-person"),
    path("me/accesses", views.accesses_view, name="portal-accesses"),
    path("me/objection", views.objection_view, name="portal-objection"),
    path("me/otp", views.otp_view, name="portal-otp"),
    path("employer/", views.employer_view, name="portal-employer"),
    path("employer/staff/<str:ref>", views.employee_view, name="portal-employee"),
]
