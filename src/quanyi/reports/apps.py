from django.apps import AppConfig

from quanyi.core.plugins import Plugin


class ReportsConfig(AppConfig):
    name = "quanyi.reports"
    label = "reports"
    verbose_name = "reports"
    plugin = Plugin(
        cli="quanyi.reports.cli:register",
        permissions="quanyi.reports.permissions:PERMISSIONS",
    )
