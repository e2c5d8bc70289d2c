from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "quanyi.registry"
    label = "registry"
    verbose_name = "registry"
