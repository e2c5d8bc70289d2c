from django.urls import include, path

from quanyi.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("quanyi.web.urls")),
]
