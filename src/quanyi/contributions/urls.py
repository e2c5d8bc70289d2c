from django.urls import path

from quanyi.contributions import views

urlpatterns = [
    path("contributions/bills", views.bills_view, name="bills"),
    path("contributions/declare", views.declare_view, name="contribution-declare"),
    path("contributions/legacy", views.legacy_view, name="legacy-import"),
    path("contributions/backpay", views.backpay_view, name="contribution-backpay"),
    path(
        "contributions/declare/template.xlsx",
        views.declaration_template_view,
        name="declaration-template",
    ),
]
