"""``contribution.declare``: an employer's yearly base declaration as a case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.contributions import declarations
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.workflow.stages import ALL_STAGES, REGISTRY_STAGES, Stage
from quanyi.workflow.types import CaseType, Change, FormField, register


def _check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    declarations.clean(principal, payload)
    return dict(payload)


def _diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    """One line per declared person; clamped wages show the wage before and the base after."""
    cleaned = declarations.clean(principal, payload)
    return [
        Change(
            f"declaration {mask(row.person.id_number)}",
            f"base_fen ({row.base.clamped})" if row.base.clamped else "base_fen",
            row.wage_fen if row.base.clamped else None,
            row.base.base_fen,
        )
        for row in cleaned.rows
    ]


def _apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    return f"declarations {declarations.declare(principal, payload)}"


register(
    CaseType(
        "contribution.declare",
        "缴费基数申报",
        "contribution base declaration",
        REGISTRY_STAGES,
        _check,
        _diff,
        _apply,
    )
)


# --- import.legacy ---------------------------------------------------------------------------


def _texts(payload: Mapping[str, Any]) -> dict[str, str]:
    from quanyi.core.errors import InvalidInput, QuanyiError
    from quanyi.workflow.services import read_content

    files = payload.get("files")
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


def _import_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    from quanyi.contributions import legacy

    legacy.validate(principal, _texts(payload))
    return dict(payload)


def _import_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    from quanyi.contributions import legacy

    counts = legacy.validate(principal, _texts(payload)).counts()
    return [Change("import", name, None, count) for name, count in counts.items()]


def _import_apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    from quanyi.contributions import legacy

    counts = legacy.load(principal, _texts(payload))
    return "import " + " ".join(f"{k}={v}" for k, v in counts.items())


register(
    CaseType(
        "import.legacy",
        "历史数据导入",
        "legacy import",
        ALL_STAGES,
        _import_check,
        _import_diff,
        _import_apply,
    )
)


# --- contribution.backpay --------------------------------------------------------------------

BACKPAY_STAGES = (Stage.INTAKE, Stage.REVIEW, Stage.RECHECK, Stage.APPROVAL)


def _backpay_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    from quanyi.contributions import backpay

    backpay.clean(principal, payload)
    return dict(payload)


def _backpay_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    """Each month and insurance with its amounts, the late interest the account gets and the
    late fee owed to the fund: the calculation the reviewers check."""
    from quanyi.contributions import backpay

    cleaned = backpay.clean(principal, payload)
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


def _backpay_apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    from quanyi.contributions import backpay

    return backpay.apply(principal, payload)


register(
    CaseType(
        "contribution.backpay",
        "补缴",
        "back-payment",
        BACKPAY_STAGES,
        _backpay_check,
        _backpay_diff,
        _backpay_apply,
    )
)


# --- contribution.refund ---------------------------------------------------------------------


def _refund_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    from quanyi.contributions import refunds

    cleaned = refunds.clean(principal, payload)
    return {
        "bill_id": cleaned.bill.pk,
        "amount_fen": cleaned.amount_fen,
        "reason": cleaned.reason,
    }


def _refund_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    """The bill's paid total before and after, so reviewers see what the refund undoes."""
    from quanyi.contributions import refunds

    cleaned = refunds.clean(principal, payload)
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


def _refund_apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    from quanyi.contributions import refunds

    return refunds.apply(principal, payload)


register(
    CaseType(
        "contribution.refund",
        "退费（多缴、重复缴费）",
        "refund of an overpayment",
        REGISTRY_STAGES,
        _refund_check,
        _refund_diff,
        _refund_apply,
        fields=(
            FormField("bill_id", "账单号", "bill id", True),
            FormField("amount_fen", "退费金额（分）", "amount (fen)", True),
            FormField("reason", "退费原因", "reason", True),
        ),
    )
)
