from django.urls import path

from quanyi.statements import views

urlpatterns = [
    path("verify", views.verify_view, name="statement-verify"),
    path("statements/", views.documents_view, name="statement-counter"),
]
