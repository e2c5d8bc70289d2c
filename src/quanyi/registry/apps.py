from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "quanyi.registry"
    label = "registry"
    verbose_name = "registry"

    def ready(self) -> None:
        from quanyi.registry import cases  # noqa: F401  (registers the registry's case types)
