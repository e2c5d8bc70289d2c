from django.apps import AppConfig


class PersonalAccountsConfig(AppConfig):
    name = "quanyi.personal_accounts"
    label = "personal_accounts"
    verbose_name = "personal accounts"

    def ready(self) -> None:
        from quanyi.audit import checks
        from quanyi.personal_accounts import projections

        # What the record shows of the account is under verify (DESIGN.md invariant 5).
        checks.register("personal_accounts.projections", projections.verify_check)
