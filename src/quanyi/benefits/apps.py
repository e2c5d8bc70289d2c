from django.apps import AppConfig

from quanyi.core.plugins import Explanation, Plugin, RecordPart, Screen


class BenefitsConfig(AppConfig):
    name = "quanyi.benefits"
    label = "benefits"
    verbose_name = "benefits"
    plugin = Plugin(
        cli="quanyi.benefits.cli:register",
        urls="quanyi.benefits.urls",
        screens=(
            Screen(
                "estimate",
                "benefit-estimate",
                "record.read",
                "养老金测算",
                "Pension estimate",
                order=30,
            ),
            Screen(
                "verify", "benefit-verify", "benefits.verify", "资格认证", "Verification", order=35
            ),
        ),
        permissions="quanyi.benefits.permissions:PERMISSIONS",
        labels="quanyi.benefits.labels:LABELS",
        record_parts=(
            RecordPart(
                "benefits",
                ("benefits",),
                "record.read",
                "quanyi.benefits.queries:record_part",
                load_many="quanyi.benefits.queries:record_parts",
                order=40,
            ),
        ),
        explanations=(
            Explanation(
                "benefit",
                "how each benefit was granted: every input, rule version and formula",
                "quanyi.benefits.explain:explained_benefits",
            ),
        ),
    )

    def ready(self) -> None:
        # Imported here: the case types import models, which need the app registry ready.
        # Each registers its benefit.* case types.
        from quanyi.audit import checks
        from quanyi.benefits import cases, consistency, other_cases  # noqa: F401

        checks.register("benefits.payment_references", consistency.verify_check)
