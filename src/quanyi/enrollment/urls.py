from django.urls import path

from quanyi.enrollment import views

urlpatterns = [
    path("enrollment/survey", views.survey_view, name="enrollment-survey"),
    path("enrollment/stats", views.stats_view, name="enrollment-stats"),
    path("enrollment/import", views.import_view, name="enrollment-import"),
    path("enrollment/counter", views.counter_view, name="enrollment-counter"),
]
