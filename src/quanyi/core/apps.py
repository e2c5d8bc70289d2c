from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "quanyi.core"
    label = "core"
    verbose_name = "core"
