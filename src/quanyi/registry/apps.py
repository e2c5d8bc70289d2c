from django.apps import AppConfig

from quanyi.core.plugins import Plugin, RecordPart


class RegistryConfig(AppConfig):
    name = "quanyi.registry"
    label = "registry"
    verbose_name = "registry"
    plugin = Plugin(
        permissions="quanyi.registry.permissions:PERMISSIONS",
        labels="quanyi.registry.labels:LABELS",
        record_parts=(
            RecordPart(
                "registry",
                ("person", "relations"),
                "record.read",
                "quanyi.registry.queries:record_part",
                load_many="quanyi.registry.queries:record_parts",
                order=10,
            ),
        ),
    )

    def ready(self) -> None:
        from quanyi.registry import cases  # noqa: F401  (registers the registry's case types)
