from django.apps import AppConfig

from quanyi.core.plugins import Plugin, Screen


class RecordsConfig(AppConfig):
    name = "quanyi.records"
    label = "records"
    verbose_name = "records"
    plugin = Plugin(
        router="quanyi.records.api:router",
        cli="quanyi.records.cli:register",
        urls="quanyi.records.urls",
        screens=(Screen("records", "record", "record.read", "权益记录", "Records", order=10),),
        permissions="quanyi.records.permissions:PERMISSIONS",
        periodic=("quanyi.records.querylog:seal",),
    )

    def ready(self) -> None:
        from quanyi.audit import checks
        from quanyi.records import querylog

        # Every logged read is under verify (001 art. 21; DESIGN.md invariant 5).
        checks.register("records.query_log", querylog.check, daily=True)
