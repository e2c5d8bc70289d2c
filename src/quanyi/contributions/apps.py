from django.apps import AppConfig

from quanyi.core.plugins import Plugin, RecordPart, Screen


class ContributionsConfig(AppConfig):
    name = "quanyi.contributions"
    label = "contributions"
    verbose_name = "contributions"
    plugin = Plugin(
        router="quanyi.contributions.api:router",
        cli="quanyi.contributions.cli:register",
        urls="quanyi.contributions.urls",
        screens=(
            Screen("bills", "bills", "record.read", "单位缴费", "Employer contributions", order=20),
        ),
        permissions="quanyi.contributions.permissions:PERMISSIONS",
        labels="quanyi.contributions.labels:LABELS",
        record_parts=(
            RecordPart(
                "contributions",
                ("contributions",),
                "record.read",
                "quanyi.contributions.queries:record_part",
                load_many="quanyi.contributions.queries:record_parts",
                order=20,
            ),
        ),
    )

    def ready(self) -> None:
        # Imported here, not at the top: cases and consistency import models, which cannot be
        # imported before the app registry is ready.
        from quanyi.audit import checks
        from quanyi.contributions import (
            cases,  # noqa: F401  (registers contribution.declare)
            consistency,
        )

        # A bill's totals and status are shown as arrears: under verify (DESIGN.md invariant 5).
        checks.register("contributions.bills", consistency.verify_check)
