from django.apps import AppConfig

from quanyi.core.plugins import Explanation, Plugin, RecordPart


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
                ("account", "contribution_months", "contribution_years", "deemed_months"),
                "record.read",
                "quanyi.personal_accounts.queries:record_part",
                load_many="quanyi.personal_accounts.queries:record_parts",
                order=30,
            ),
        ),
        explanations=(
            Explanation(
                "year",
                "how a year's account figures were computed",
                "quanyi.personal_accounts.explain:explained_year",
                year=True,
            ),
        ),
    )

    def ready(self) -> None:
        # Imported here, not at the top: flows and projections import models, which cannot be
        # imported before the app registry is ready.
        from quanyi.audit import checks
        from quanyi.contributions import events as contributions
        from quanyi.core import events
        from quanyi.personal_accounts import flows, projections, references

        # What the record shows of the account is under verify (DESIGN.md invariant 5).
        checks.register("personal_accounts.projections", projections.verify_check)
        checks.register("personal_accounts.entry_references", references.verify_check)
        # The account reacts to contributions' facts in their own transaction; contributions,
        # below it, never imports it (DESIGN.md layers).
        events.subscribe(contributions.BILLS_PAID, flows.credit_paid_bills)
        events.subscribe(contributions.HISTORY_LOADED, flows.replay_history)
        events.subscribe(contributions.BACKPAY_PRICED, flows.price_backpay)
        events.subscribe(contributions.LINES_CORRECTED, flows.correct_accounts)
        # record.correct of an account (补建个人帐户), through the registry's one case type.
        from quanyi.personal_accounts import cases  # noqa: F401
