from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "quanyi.contributions"
    label = "contributions"
    verbose_name = "contributions"

    def ready(self) -> None:
        from quanyi.audit import checks
        from quanyi.contributions import (
            cases,  # noqa: F401  (registers contribution.declare)
            consistency,
        )

        # A bill's totals and status are shown as arrears: under verify (DESIGN.md invariant 5).
        checks.register("contributions.bills", consistency.verify_check)
