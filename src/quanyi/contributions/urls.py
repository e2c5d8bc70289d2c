from django.urls import path

from quanyi.contributions import views

urlpatterns = [path("contributions/bills", views.bills_view, name="bills")]
