"""``contribution.declare``: an employer's yearly base declaration as a case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.contributions import legacy, services, validation
from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.workflow.services import stored_path
from quanyi.workflow.stages import ALL_STAGES, REGISTRY_STAGES, Stage
from quanyi.workflow.types import CaseType, Change, FormField, register


def _check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    validation.clean_declaration(principal, payload)
    return dict(payload)


def _diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    """One line per declared person; clamped wages show the wage before and the base after."""
    cleaned = validation.clean_declaration(principal, payload)
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
    return f"declarations {services.declare(principal, payload)}"


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
    files = payload.get("files")
    if not isinstance(files, Mapping) or not files:
        raise InvalidInput.one("files", "required", "须附导入文件", "attach the files to import")
    texts = {}
    for name, sha in files.items():
        try:
            texts[str(name)] = stored_path(str(sha)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise InvalidInput.one(
                str(name), "unreadable", "文件缺失或不是 UTF-8", "missing, or not UTF-8"
            ) from None
    return texts


def _import_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    legacy.validate(principal, _texts(payload))
    return dict(payload)


def _import_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    counts = legacy.validate(principal, _texts(payload)).counts()
    return [Change("import", name, None, count) for name, count in counts.items()]


def _import_apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    counts = services.load_legacy(principal, _texts(payload))
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
    validation.clean_backpay(principal, payload)
    return dict(payload)


def _backpay_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    """Each month and insurance with its amounts, the late interest the account gets and the
    late fee owed to the fund: the calculation the reviewers check."""
    cleaned = validation.clean_backpay(principal, payload)
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
    return services.backpay(principal, payload)


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
    cleaned = validation.clean_refund(principal, payload)
    return {
        "bill_id": cleaned.bill.pk,
        "amount_fen": cleaned.amount_fen,
        "reason": cleaned.reason,
    }


def _refund_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    """The bill's paid total before and after, so reviewers see what the refund undoes."""
    cleaned = validation.clean_refund(principal, payload)
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
    return services.refund(principal, payload)


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
