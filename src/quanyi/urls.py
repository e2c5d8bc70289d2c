"""The site's URLs: the API, then every installed app's own (``Plugin.urls``)."""

from django.urls import URLPattern, URLResolver, include, path

from quanyi.api import api
from quanyi.core import plugins


def _app_urls() -> list[URLPattern | URLResolver]:
    return [path("", include(plugin.urls)) for _, plugin in plugins.installed() if plugin.urls]


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    *_app_urls(),
]
