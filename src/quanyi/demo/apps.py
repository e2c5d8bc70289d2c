from django.apps import AppConfig

from quanyi.core.plugins import Plugin


class DemoConfig(AppConfig):
    name = "quanyi.demo"
    label = "demo"
    verbose_name = "demo"
    plugin = Plugin(cli="quanyi.demo.cli:register")
