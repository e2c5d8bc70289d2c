from django.urls import path

from quanyi.records import views

urlpatterns = [
    path("records", views.record_view, name="record"),
    path("records/person/<str:ref>", views.person_view, name="record-person"),
]
