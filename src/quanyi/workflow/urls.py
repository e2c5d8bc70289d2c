from django.urls import path

from quanyi.workflow import views

urlpatterns = [
    path("cases", views.queue_view, name="cases"),
    path("cases/new", views.new_case_view, name="new-case"),
    path("cases/<int:case_id>", views.case_view, name="case"),
    path("audit/modifications", views.modifications_view, name="modifications"),
]
