from django.apps import AppConfig

from quanyi.core.plugins import Plugin, RecordPart


class PersonalAccountsConfig(AppConfig):
    name = "quanyi.personal_accounts"
    label = "personal_accounts"
    verbose_name = "personal accounts"
    plugin = Plugin(
        cli="quanyi.personal_accounts.cli:register",
        permissions="quanyi.personal_accounts.permissions:PERMISSIONS",
        record_parts=(
            RecordPart(
                "personal_account",
                ("account", "contribution_months"),
                "record.read",
                "quanyi.personal_accounts.queries:record_part",
                order=30,
            ),
        ),
    )

    def ready(self) -> None:
        from quanyi.audit import checks
        from quanyi.personal_accounts import projections

        # What the record shows of the account is under verify (DESIGN.md invariant 5).
        checks.register("personal_accounts.projections", projections.verify_check)
