from django.urls import path

from quanyi.staff import views

urlpatterns = [
    path("access/users", views.users_view, name="users"),
    path("access/users/<str:username>", views.user_view, name="user"),
]
