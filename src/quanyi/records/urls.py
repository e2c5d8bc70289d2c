from django.urls import path

from quanyi.records import views

urlpatterns = [path("records", views.record_view, name="record")]
