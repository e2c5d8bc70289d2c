from django.apps import AppConfig

from quanyi.core.plugins import Plugin, Screen


class EnrollmentConfig(AppConfig):
    name = "quanyi.enrollment"
    label = "enrollment"
    verbose_name = "enrollment"
    plugin = Plugin(
        router="quanyi.enrollment.api:router",
        cli="quanyi.enrollment.cli:register",
        urls="quanyi.enrollment.urls",
        screens=(
            Screen(
                "enrollment-survey",
                "enrollment-survey",
                "enrollment.read",
                "全民参保调查",
                "Enrollment survey",
                order=60,
            ),
            Screen(
                "enrollment-counter",
                "enrollment-counter",
                "enrollment.read",
                "参保登记核对",
                "Enrollment check",
                order=59,
            ),
            Screen(
                "enrollment-stats",
                "enrollment-stats",
                "enrollment.read",
                "参保登记统计",
                "Enrollment statistics",
                order=61,
            ),
        ),
        permissions="quanyi.enrollment.permissions:PERMISSIONS",
        labels="quanyi.enrollment.labels:LABELS",
    )

    def ready(self) -> None:
        # Imported here: the case types import models, which need the app registry ready.
        from quanyi.enrollment import cases  # noqa: F401
