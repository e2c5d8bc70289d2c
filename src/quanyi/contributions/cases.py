"""The contribution case types: a base declaration, a legacy import, a back-payment and a
refund, each applied only by its final approval; and the correction of a posted line, which
``record.correct`` (the registry's one correction type) hands to contributions.

Intake checks a payload with the module that writes it (every reason at once) and keeps what it
cleaned. Each of those modules checks again when the approval writes, and the reviewers' diff is
computed by them too: bounds, rates and late interest as they are on that day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from quanyi.contributions import legacy, services, validation
from quanyi.core.errors import InvalidInput, QuanyiError
from quanyi.core.identifiers import mask
from quanyi.core.money import parse_fen
from quanyi.core.principal import Principal
from quanyi.core.schemas import Fen, Month, Payload, RowId
from quanyi.registry.cases import correction_object
from quanyi.registry.models import Insurance
from quanyi.workflow.services import read_content
from quanyi.workflow.stages import ALL_STAGES, REGISTRY_STAGES, Stage
from quanyi.workflow.types import CaseType, Change, FormField, fields, register

# --- contribution.declare --------------------------------------------------------------------


class DeclaredWage(Payload):
    id_number: str
    wage_fen: Fen


class Declaration(Payload):
    """An employer's yearly base declaration (缴费基数申报): last year's average monthly wage of
    each person, from a month on."""

    uscc: str
    valid_from: Month
    rows: list[DeclaredWage]


@register
class Declare(CaseType[Declaration]):
    name = "contribution.declare"
    zh = "缴费基数申报"
    en = "contribution base declaration"
    stages = REGISTRY_STAGES
    payload = Declaration
    diff_at_intake = False  # up to 100,000 rows, each checked by intake already
    screen = "contribution-declare"

    def check(self, principal: Principal, data: Mapping[str, Any]) -> Declaration:
        cleaned = validation.clean_declaration(principal, data)
        return self.parse(
            {
                "uscc": cleaned.employer.uscc,
                "valid_from": cleaned.valid_from,
                "rows": [
                    {"id_number": row.person.id_number, "wage_fen": row.wage_fen}
                    for row in cleaned.rows
                ],
            }
        )

    def changes(self, principal: Principal, payload: Declaration) -> list[Change]:
        """One line per declared person; clamped wages show the wage before and the base
        after."""
        cleaned = validation.clean_declaration(principal, self.dump(payload))
        return [
            Change(
                f"declaration {mask(row.person.id_number)}",
                f"base_fen ({row.base.clamped})" if row.base.clamped else "base_fen",
                row.wage_fen if row.base.clamped else None,
                row.base.base_fen,
            )
            for row in cleaned.rows
        ]

    def apply(self, principal: Principal, payload: Declaration) -> str:
        return f"declarations {services.declare(principal, self.dump(payload))}"


# --- import.legacy ---------------------------------------------------------------------------

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class LegacyFiles(Payload):
    """The legacy CSV files, each by its name and the SHA-256 it is stored under."""

    files: dict[str, Sha256]


def _texts(files: Any) -> dict[str, str]:
    if not isinstance(files, Mapping) or not files:
        raise InvalidInput.one("files", "required", "须附导入文件", "attach the files to import")
    texts = {}
    for name, sha in files.items():
        try:
            texts[str(name)] = read_content(str(sha)).decode("utf-8")
        except (OSError, UnicodeDecodeError, QuanyiError):
            raise InvalidInput.one(
                str(name), "unreadable", "文件缺失或不是 UTF-8", "missing, or not UTF-8"
            ) from None
    return texts


@register
class ImportLegacy(CaseType[LegacyFiles]):
    name = "import.legacy"
    zh = "历史数据导入"
    en = "legacy import"
    stages = ALL_STAGES
    payload = LegacyFiles
    diff_at_intake = False  # up to 500,000 rows, each checked by intake already
    screen = "legacy-import"

    def check(self, principal: Principal, data: Mapping[str, Any]) -> LegacyFiles:
        legacy.validate(principal, _texts(data.get("files")))
        return self.parse(data)

    def changes(self, principal: Principal, payload: LegacyFiles) -> list[Change]:
        counts = legacy.validate(principal, _texts(payload.files)).counts()
        return [Change("import", name, None, count) for name, count in counts.items()]

    def apply(self, principal: Principal, payload: LegacyFiles) -> str:
        counts = services.load_legacy(principal, _texts(payload.files))
        return "import " + " ".join(f"{k}={v}" for k, v in counts.items())


# --- contribution.backpay --------------------------------------------------------------------


class Backpay(Payload):
    """A back-payment (补缴) of a person's months with one employer, on one base."""

    uscc: str
    id_number: str
    from_month: Month
    to_month: Month
    base_fen: Fen
    insurances: list[Insurance]
    reason: str


@register
class ContributionBackpay(CaseType[Backpay]):
    name = "contribution.backpay"
    zh = "补缴"
    en = "back-payment"
    stages = (Stage.INTAKE, Stage.REVIEW, Stage.RECHECK, Stage.APPROVAL)
    payload = Backpay
    screen = "contribution-backpay"
    # Every employee insurance unless the payload names some (the form asks for none).
    fields = (
        *fields(
            ("uscc", "用人单位统一社会信用代码", "employer's unified social credit code", True),
            ("id_number", "公民身份号码", "id number", True),
        ),
        FormField("from_month", "补缴起始所属期", "first month", True, "month"),
        FormField("to_month", "补缴截止所属期", "last month", True, "month"),
        *fields(
            ("base_fen", "缴费基数（元）", "contribution base (yuan)", True),
            ("reason", "补缴原因", "reason", True),
        ),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> Backpay:
        cleaned = validation.clean_backpay(principal, data)
        return self.parse(
            {
                "uscc": cleaned.employer.uscc,
                "id_number": cleaned.person.id_number,
                "from_month": data["from_month"],
                "to_month": data["to_month"],
                "base_fen": parse_fen(data["base_fen"], "base_fen"),
                "insurances": sorted({line.insurance for line in cleaned.lines}),
                "reason": str(data["reason"]).strip(),
            }
        )

    def changes(self, principal: Principal, payload: Backpay) -> list[Change]:
        """Each month and insurance with its amounts, the late interest the account gets and
        the late fee owed to the fund: the calculation the reviewers check."""
        cleaned = validation.clean_backpay(principal, self.dump(payload))
        return [
            Change(
                f"backpay {line.month} {line.insurance}",
                "amounts",
                None,
                {
                    "base_fen": line.base_fen,
                    "clamped": line.clamped,
                    "employer_fen": line.employer_fen,
                    "employee_fen": line.employee_fen,
                    "account_fen": line.account_fen,
                    "late_interest_fen": line.late_interest_fen,
                    "late_fee_fen": line.late_fee_fen,
                },
            )
            for line in cleaned.lines
        ]

    def apply(self, principal: Principal, payload: Backpay) -> str:
        return services.backpay(principal, self.dump(payload))


# --- contribution.refund ---------------------------------------------------------------------


class RefundRequest(Payload):
    """Money paid beyond a bill, returned to the employer (退费)."""

    bill_id: RowId
    amount_fen: Fen
    reason: str


@register
class ContributionRefund(CaseType[RefundRequest]):
    name = "contribution.refund"
    zh = "退费（多缴、重复缴费）"
    en = "refund of an overpayment"
    stages = REGISTRY_STAGES
    payload = RefundRequest
    fields = fields(
        ("bill_id", "账单号", "bill id", True),
        ("amount_fen", "退费金额（元）", "amount (yuan)", True),
        ("reason", "退费原因", "reason", True),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> RefundRequest:
        cleaned = validation.clean_refund(principal, data)
        return RefundRequest(
            bill_id=cleaned.bill.pk, amount_fen=cleaned.amount_fen, reason=cleaned.reason
        )

    def changes(self, principal: Principal, payload: RefundRequest) -> list[Change]:
        """The bill's paid total before and after, so reviewers see what the refund undoes."""
        cleaned = validation.clean_refund(principal, self.dump(payload))
        bill = cleaned.bill
        return [
            Change(
                f"bill {bill.pk} {bill.employer.uscc} {bill.month}",
                "paid_fen",
                bill.paid_fen,
                bill.paid_fen - cleaned.amount_fen,
            ),
            Change(f"bill {bill.pk}", "due_fen", bill.due_fen, bill.due_fen),
        ]

    def apply(self, principal: Principal, payload: RefundRequest) -> str:
        return services.refund(principal, self.dump(payload))


# --- record.correct of a contribution line (object "contribution") ---------------------------


class LineCorrectionObject:
    """``record.correct`` with ``"object": "contribution"``: ``key`` is the person's id number,
    ``changes`` name the line (``insurance``, ``month``, ``uscc`` where the person had more than
    one employer that month) and exactly one correction — ``base_fen``, ``month_to`` or
    ``paid_month`` ("YYYY-MM", or "" for never paid). Applied by reversal and a new line
    (``services.correct_line``), never by an edit."""

    fields = validation.CORRECTION_FIELDS

    def clean(
        self, principal: Principal, key: Any, changes: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        cleaned = validation.clean_line_correction(principal, key, changes)
        return cleaned.person.id_number, cleaned.changed()

    def changes(self, principal: Principal, key: str, changes: Mapping[str, Any]) -> list[Change]:
        """The line before and after — base, month, amounts, paid or owed — and what its
        employer owes (or was paid beyond) for it after the correction."""
        cleaned = validation.clean_line_correction(principal, key, changes)
        old = cleaned.line
        label = f"line {old.pk}"
        name = cleaned.person.name
        before_paid = cleaned.recorded_paid_month
        if cleaned.owed:
            after_paid = None
        elif cleaned.paid_on is not None:
            after_paid = cleaned.paid_on.strftime("%Y-%m")
        else:
            after_paid = before_paid
        rows = [
            ("month", old.month, cleaned.month),
            ("base_fen", old.base_fen, cleaned.base_fen),
            ("employer_fen", old.employer_fen, cleaned.employer_fen),
            ("employee_fen", old.employee_fen, cleaned.employee_fen),
            ("account_share_fen", old.account_fen, cleaned.account_fen),
            ("paid_month", before_paid, after_paid),
        ]
        found = [
            Change(label, field, before, after, name)
            for field, before, after in rows
            if before != after
        ]
        if cleaned.clamped:
            found.append(Change(label, "clamped", None, cleaned.clamped, name))
        old_due = old.employer_fen + old.employee_fen
        new_due = cleaned.employer_fen + cleaned.employee_fen
        # What the new bill is paid already: the money the reversed line brought (services).
        if cleaned.owed:
            carried = 0
        elif cleaned.paid_on is not None:
            carried = new_due
        else:
            carried = old_due if cleaned.bill.status == "paid" else 0
        found.append(Change(label, "owed_fen", None, new_due - carried, name))
        return found

    def apply(self, principal: Principal, key: str, changes: Mapping[str, Any]) -> str:
        return services.correct_line(principal, {"key": key, "changes": changes})


correction_object("contribution", LineCorrectionObject())
