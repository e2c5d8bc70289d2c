from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "quanyi.web"
    label = "web"
    verbose_name = "web"
