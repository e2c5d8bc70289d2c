from django.urls import path

from quanyi.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("audit/alerts", views.alerts, name="alerts"),
]
