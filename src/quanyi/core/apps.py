from django.apps import AppConfig

from quanyi.core.plugins import Plugin


class CoreConfig(AppConfig):
    name = "quanyi.core"
    label = "core"
    verbose_name = "core"
    plugin = Plugin(
        cli="quanyi.core.cli:register",
        permissions="quanyi.core.permissions:PERMISSIONS",
    )
