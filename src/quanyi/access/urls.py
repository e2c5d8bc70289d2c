from django.urls import path

from quanyi.access import views

urlpatterns = [
    path("login", views.login_view, name="login"),
    path("logout", views.logout_view, name="logout"),
    path("password", views.password_view, name="password"),
]
