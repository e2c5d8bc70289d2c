from django.urls import path, register_converter

from quanyi.core.bounds import IdConverter
from quanyi.workflow import views

register_converter(IdConverter, "id")

urlpatterns = [
    path("cases", views.queue_view, name="cases"),
    path("cases/new", views.new_case_view, name="new-case"),
    path("cases/<id:case_id>", views.case_view, name="case"),
    path("audit/modifications", views.modifications_view, name="modifications"),
]
