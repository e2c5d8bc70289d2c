from django.urls import path

from quanyi.benefits import views

urlpatterns = [
    path("benefits/estimate", views.estimate_view, name="benefit-estimate"),
    path("benefits/verify", views.verify_view, name="benefit-verify"),
]
