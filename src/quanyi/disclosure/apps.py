from django.apps import AppConfig

from quanyi.core.plugins import Plugin


class DisclosureConfig(AppConfig):
    name = "quanyi.disclosure"
    label = "disclosure"
    verbose_name = "disclosure"
    plugin = Plugin(
        permissions="quanyi.disclosure.permissions:PERMISSIONS",
        labels="quanyi.disclosure.labels:LABELS",
    )

    def ready(self) -> None:
        # Imported here: the case types import models, which need the app registry ready.
        from quanyi.disclosure import cases, exports, objections  # noqa: F401
