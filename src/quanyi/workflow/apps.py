from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "quanyi.workflow"
    label = "workflow"
    verbose_name = "workflow"
