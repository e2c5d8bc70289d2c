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

    def ready(self) -> None:
        # Imported here: the look-up reads models, which need the app registry ready.
        from quanyi.disclosure.objections import statement_source
        from quanyi.statements.queries import issued_to

        statement_source(issued_to)
