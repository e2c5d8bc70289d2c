from django.apps import AppConfig

from quanyi.core.plugins import Plugin


class AuditConfig(AppConfig):
    name = "quanyi.audit"
    label = "audit"
    verbose_name = "audit"
    plugin = Plugin(
        cli="quanyi.audit.cli:register",
        permissions="quanyi.audit.permissions:PERMISSIONS",
    )

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from quanyi.audit import appendonly, services
        from quanyi.core import keys

        # SQLite rebuilds a table on alter_field and the rebuild drops its triggers:
        # re-arm every append-only table after each migrate run.
        post_migrate.connect(appendonly.rearm_after_migrate, dispatch_uid="quanyi-append-only")
        keys.rotated.connect(services.record_key_rotation, dispatch_uid="quanyi-keys-rotated")
