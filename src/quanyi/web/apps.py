from django.apps import AppConfig

from quanyi.core.plugins import Plugin, Screen


class WebConfig(AppConfig):
    name = "quanyi.web"
    label = "web"
    verbose_name = "web"
    plugin = Plugin(
        cli="quanyi.web.cli:register",
        urls="quanyi.web.urls",
        screens=(Screen("alerts", "web:alerts", "audit.read", "告警", "Alerts", order=50),),
    )
