from django.apps import AppConfig

from quanyi.core.plugins import Plugin, Screen


class StatementsConfig(AppConfig):
    name = "quanyi.statements"
    label = "statements"
    verbose_name = "statements"
    plugin = Plugin(
        cli="quanyi.statements.cli:register",
        urls="quanyi.statements.urls",
        screens=(
            Screen(
                "certificate",
                "statement-counter",
                "statements.issue",
                "权益单与参保证明",
                "Statements and certificates",
                order=45,
            ),
        ),
        permissions="quanyi.statements.permissions:PERMISSIONS",
        labels="quanyi.statements.labels:LABELS",
        init="quanyi.statements.keys:ensure_keys",
    )
