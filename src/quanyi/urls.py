from django.urls import include, path

from quanyi.api import api
from quanyi.contributions.views import bills_view
from quanyi.registry.views import record_view

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("quanyi.access.urls")),
    path("records", record_view, name="record"),
    path("contributions/bills", bills_view, name="bills"),
    path("", include("quanyi.workflow.urls")),
    path("", include("quanyi.web.urls")),
]
