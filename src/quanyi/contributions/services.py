"""The only code that writes contributions' tables: declarations, bills, lines, payments,
refunds and posted months (004 part 5).

Every function takes the acting principal, checks its permission, runs inside the caller's
transaction (the request, the command, a case's final approval, or one unit of a batch — it
never opens one), writes, and appends the audit event of what it wrote. Lines go in by the
bulk writer (``bulk``: explicit ids, COPY or executemany, each row's leaf computed on the way);
other tables by the audit helpers. What the domains above react to — a bill paid, history
loaded — is published (``events``) in the same transaction, so it commits or rolls back with
the fact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from quanyi.access.policy import authorize
from quanyi.audit import bulk as audit_bulk
from quanyi.audit import services as audit
from quanyi.contributions import bulk, events, legacy, queries, validation
from quanyi.contributions.calc import status_of
from quanyi.contributions.models import (
    Bill,
    BillKind,
    BillStatus,
    Declaration,
    Line,
    LineCorrection,
    LineKind,
    Payment,
    PaymentChannel,
    PostedMonth,
    Refund,
)
from quanyi.contributions.payment_files import PaymentRow, parse_counter
from quanyi.core import regions
from quanyi.core.bulkwork import without_collector
from quanyi.core.errors import Conflict, FieldError, InvalidInput
from quanyi.core.events import publish
from quanyi.core.money import format_fen
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import services as registry
from quanyi.registry.models import EMPLOYEE_INSURANCES
from quanyi.rulebook.calc import Rates
from quanyi.rulebook.queries import Rulebook


def _assert_transaction() -> None:
    assert connection.in_atomic_block, "the caller owns the transaction"


def _bill(
    employer_id: int, month: str, kind: str, due_fen: int, lines: int, paid: bool
) -> dict[str, Any]:
    """A new bill's values, unpaid or paid in full, by ``Bill``'s audit fields in their order:
    every writer of bills (posting, history, back-payment) takes them from here."""
    return {
        "employer_id": employer_id,
        "month": month,
        "kind": kind,
        "due_fen": due_fen,
        "paid_fen": due_fen if paid else 0,
        "lines": lines,
        "status": (BillStatus.PAID if paid else BillStatus.OWED).value,
    }


def _bill_values(*args: Any) -> tuple[Any, ...]:
    """``_bill`` as the bulk writer takes it."""
    return tuple(_bill(*args).values())


# --- base declarations ---------------------------------------------------------------------


def declare(principal: Principal, payload: Mapping[str, Any]) -> int:
    """Applied by an approved ``contribution.declare`` case: one batch of declarations."""
    _assert_transaction()
    authorize(principal, "registry.write")
    cleaned = validation.clean_declaration(principal, payload)
    seq = audit.reserve_seq()
    declarations = [
        Declaration(
            person=row.person,
            employer=cleaned.employer,
            valid_from=cleaned.valid_from,
            wage_fen=row.wage_fen,
            base_fen=row.base.base_fen,
            clamped=row.base.clamped,
            case_id=principal.case_id,
        )
        for row in cleaned.rows
    ]
    audit.stamp_rows(declarations, seq)
    Declaration.objects.bulk_create(declarations, batch_size=5000)
    audit.record_batch(principal, "contribution.declare", Declaration, seq)
    return len(cleaned.rows)


def write_declarations(principal: Principal, rows: Sequence[tuple[Any, ...]]) -> int:
    """Declarations that arrive with history (the demo's), values in ``Declaration``'s audit
    fields' order, by the bulk writer under one batch event."""
    _assert_transaction()
    authorize(principal, "contributions.history")
    seq = audit.reserve_seq()
    _, leaves = audit_bulk.write_rows(Declaration, rows, seq)
    audit.record_batch_leaves(principal, "contribution.declared", Declaration, seq, leaves)
    return len(rows)


# --- posting a month -----------------------------------------------------------------------


def bill_unit(
    principal: Principal, employer_ids: list[int], month: YearMonth, rates: Rates
) -> tuple[int, int, int]:
    """One unit of a posting (``flows.post_month``): the monthly bills of these employers and
    all their lines, one event for the bills and one for the lines. Returns (bills, lines,
    lines billed at the lower bound for want of a declared base)."""
    _assert_transaction()
    authorize(principal, "contributions.post")
    taken = queries.billed_employers(month, employer_ids)
    employer_ids = [e for e in employer_ids if e not in taken]  # another run got there first
    if not employer_ids:
        return 0, 0, 0
    injury = queries.injury_classes(employer_ids)
    relations = queries.unit_relations(employer_ids, month)
    bases = queries.declared_bases(employer_ids, month)
    # Bill ids are taken first, so each line is built once, in its final form.
    first_bill = audit_bulk.next_ids("contributions_bill", len(employer_ids))
    bill_of: dict[int, int] = {}  # in order of first line: the bills' ids run on from first_bill
    due: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    month_text = str(month)
    rows: list[bulk.LineRow] = []
    append = rows.append
    at_lower = 0
    for employer_id, person_id, insurance in relations:
        base = bases.get((employer_id, person_id))
        if base is None:
            if rates.lower_fen is None:
                raise Conflict(
                    f"{month} 无缴费基数下限参数，且有人员未申报基数",
                    f"no lower bound for {month} and a person without a declared base",
                )
            base, at_lower = rates.lower_fen, at_lower + 1
        employer_fen, employee_fen, account_fen = rates.amounts(
            insurance, base, injury[employer_id]
        )
        bill_id = bill_of.get(employer_id)
        if bill_id is None:
            bill_id = bill_of[employer_id] = first_bill + len(bill_of)
        append(
            (
                bill_id,
                person_id,
                insurance,
                month_text,
                base,
                employer_fen,
                employee_fen,
                account_fen,
                "due",
            )
        )
        due[employer_id] += employer_fen + employee_fen
        count[employer_id] += 1
    bill_seq = audit.reserve_seq()
    bills = [
        _bill_values(
            employer_id, month_text, "monthly", due[employer_id], count[employer_id], False
        )
        for employer_id in bill_of
    ]
    _, bill_leaves = audit_bulk.write_rows(Bill, bills, bill_seq, first=first_bill)
    audit.record_batch_leaves(principal, "contribution.bills", Bill, bill_seq, bill_leaves)
    line_seq = audit.reserve_seq()
    _, leaves = bulk.write_lines(rows, line_seq, persons_from_relations=True)
    audit.record_batch_leaves(principal, "contribution.lines", Line, line_seq, leaves)
    return len(bills), len(rows), at_lower


def record_posted(
    principal: Principal, month: str, region: str, employer_ids: list[int] | None = None
) -> None:
    """Mark the month posted for the region (posting it again is refused from now on), with
    the count of its monthly bills and their lines."""
    _assert_transaction()
    authorize(principal, "contributions.post")
    bills, lines = queries.monthly_totals(month, employer_ids)
    audit.create_entry(
        principal,
        "contribution.posted",
        PostedMonth,
        month=month,
        region=region,
        bills=bills,
        lines=lines,
    )


# --- payments ------------------------------------------------------------------------------


def record_payments(principal: Principal, rows: list[PaymentRow], channel: str = "bank") -> int:
    """Check every row against the bills, then write them all; returns payments written.
    A reference already recorded is refused, so the same file taken twice pays nothing twice.

    A bank file is a batch of facts reported by the bank, not a change decided by staff, so it
    is taken without a case: checked whole (every bad row named, nothing written on error),
    then written in the caller's one transaction."""
    _assert_transaction()
    authorize(principal, "contributions.pay")
    bills = {
        b.pk: b
        for b in Bill.objects.select_related("employer").filter(pk__in=[r.bill_id for r in rows])
    }
    seen = set(
        Payment.objects.filter(bank_ref__in=[r.bank_ref for r in rows]).values_list(
            "bank_ref", flat=True
        )
    )
    errors: list[FieldError] = []
    for index, row in enumerate(rows, start=1):
        bill = bills.get(row.bill_id)
        where = f"rows[{index}]"
        if bill is None or not regions.covers(principal.region, bill.employer.agency_region):
            errors.append(FieldError(f"{where}.bill_id", "no_bill", "没有该账单", "no such bill"))
            continue
        if row.bank_ref in seen:
            errors.append(
                FieldError(
                    f"{where}.bank_ref",
                    "duplicate",
                    "该笔银行流水已入账",
                    "this bank reference is recorded already",
                )
            )
    if errors:
        raise InvalidInput(errors)
    for row in rows:
        _pay(principal, bills[row.bill_id], row, channel)
    return len(rows)


def take_at_counter(principal: Principal, values: Mapping[str, str]) -> int:
    """Record a payment taken at the counter for the employer named by ``uscc``: against one
    of that employer's own bills still open (owed or partly paid), for at most what it still
    owes; ``bill_id``, the amount (``amount`` in yuan from a screen, ``amount_fen`` from the
    command line), ``paid_at`` and the receipt number as ``bank_ref``. Another employer's bill,
    a bill paid already or an amount past what is owed is refused with nothing written, so a
    counter never makes an overpayment (004 part 5 art. 9; issue 13). Returns payments
    written."""
    _assert_transaction()
    authorize(principal, "contributions.pay")
    errors: list[FieldError] = []
    try:
        row: PaymentRow | None = parse_counter(values)
    except InvalidInput as refused:
        errors += refused.errors
        row = None
    uscc = (values.get("uscc") or "").strip().upper()
    if not uscc:
        errors.append(
            FieldError("uscc", "required", "请先选定缴费单位", "choose the paying employer first")
        )
        raise InvalidInput(errors)
    employer = registry.employer_by_uscc(principal, uscc)
    if row is None:
        raise InvalidInput(errors)
    bill = Bill.objects.select_for_update().filter(pk=row.bill_id, employer=employer).first()
    amount_field = "amount" if "amount" in values else "amount_fen"
    if bill is None:
        errors.append(
            FieldError(
                "bill_id",
                "not_this_employer",
                f"{employer.name} 没有账单 {row.bill_id}：只能缴纳本单位的账单",
                f"{employer.name} has no bill {row.bill_id}: only its own bills are paid here",
            )
        )
    elif bill.status == BillStatus.PAID:
        errors.append(
            FieldError(
                "bill_id",
                "paid_already",
                f"账单 {bill.pk}（{bill.month}）已缴清，不再收款；多缴的款项须办理退费",
                f"bill {bill.pk} ({bill.month}) is paid in full; nothing more is taken",
            )
        )
    elif row.amount_fen > bill.due_fen - bill.paid_fen:
        owed = format_fen(bill.due_fen - bill.paid_fen)
        errors.append(
            FieldError(
                amount_field,
                "more_than_owed",
                f"超过账单 {bill.pk} 尚欠的 {owed} 元",
                f"more than the {owed} yuan bill {bill.pk} still owes",
            )
        )
    if Payment.objects.filter(bank_ref=row.bank_ref).exists():
        errors.append(
            FieldError(
                "bank_ref",
                "duplicate",
                "该回单号已入账",
                "this receipt number is recorded already",
            )
        )
    if errors or bill is None:
        raise InvalidInput(errors)
    _pay(principal, bill, row, "counter")
    return 1


def _pay(principal: Principal, bill: Bill, row: PaymentRow, channel: str) -> None:
    audit.create_entry(
        principal,
        "contribution.payment",
        Payment,
        bill=bill,
        amount_fen=row.amount_fen,
        paid_on=row.paid_on,
        bank_ref=row.bank_ref,
        channel=channel,
    )
    was_paid = bill.status == BillStatus.PAID
    _move_paid(principal, "contribution.bill_paid", bill, row.amount_fen)
    # A bill is credited once, when it first becomes paid; money beyond it is an overpayment
    # that waits for a refund case (退费), it does not pay anything twice.
    if bill.status == BillStatus.PAID and not was_paid:
        publish(events.BILLS_PAID, events.BillsPaid(principal, (bill.pk,), row.paid_on))


def _move_paid(principal: Principal, action: str, bill: Bill, by_fen: int) -> None:
    """Change a bill's paid total (a payment, or a refund when negative) and its status."""
    paid = bill.paid_fen + by_fen
    audit.update_row(principal, action, bill, paid_fen=paid, status=status_of(bill.due_fen, paid))


# --- refunds -------------------------------------------------------------------------------


def refund(principal: Principal, payload: Mapping[str, Any]) -> str:
    """Applied by an approved ``contribution.refund`` case: the refund, and the bill's paid
    total lowered by as much."""
    _assert_transaction()
    authorize(principal, "registry.write")  # only a case's approval gets here
    cleaned = validation.clean_refund(principal, payload)
    bill = Bill.objects.select_for_update().get(pk=cleaned.bill.pk)
    written = audit.create_entry(
        principal,
        "contribution.refund",
        Refund,
        bill=bill,
        amount_fen=cleaned.amount_fen,
        refunded_on=date.today(),
        reason=cleaned.reason,
        case_id=principal.case_id,
    )
    _move_paid(principal, "contribution.bill_refunded", bill, -cleaned.amount_fen)
    return f"refund {written.pk} bill {bill.pk} {cleaned.amount_fen}"


# --- back-payments -------------------------------------------------------------------------


def backpay(principal: Principal, payload: Mapping[str, Any]) -> str:
    """Applied by an approved ``contribution.backpay`` case: each month's bill of kind
    ``backpay`` with its lines, paid at once at the counter; the accounts react to the bills
    paid (``events.BillsPaid``)."""
    _assert_transaction()
    authorize(principal, "registry.write")
    cleaned = validation.clean_backpay(principal, payload)
    today = date.today()
    by_month: dict[str, list[validation.BackpayLine]] = {}
    for line in cleaned.lines:
        by_month.setdefault(line.month, []).append(line)
    paid: list[int] = []
    for month, lines in sorted(by_month.items()):
        due = sum(item.employer_fen + item.employee_fen for item in lines)
        bill = Bill.objects.create(
            **_bill(cleaned.employer.pk, month, "backpay", due, len(lines), paid=True)
        )
        audit.record_row(principal, "contribution.backpay_bill", bill)
        seq = audit.reserve_seq()
        rows = [
            Line(
                bill=bill,
                person=cleaned.person,
                insurance=item.insurance,
                month=month,
                base_fen=item.base_fen,
                employer_fen=item.employer_fen,
                employee_fen=item.employee_fen,
                account_fen=item.account_fen,
                kind="backpay",
            )
            for item in lines
        ]
        audit.stamp_rows(rows, seq)
        Line.objects.bulk_create(rows)
        bulk.check_references([bill.pk], [cleaned.person.pk])
        audit.record_batch(principal, "contribution.lines", Line, seq)
        audit.create_entry(
            principal,
            "contribution.payment",
            Payment,
            bill=bill,
            amount_fen=due,
            paid_on=today,
            bank_ref=f"backpay:{principal.case_id}:{bill.pk}",
            channel="counter",
        )
        paid.append(bill.pk)
    publish(events.BILLS_PAID, events.BillsPaid(principal, tuple(paid), today))
    return f"backpay {len(cleaned.lines)} lines"


# --- corrections of posted lines (record.correct) -------------------------------------------


def correct_line(principal: Principal, payload: Mapping[str, Any]) -> str:
    """Applied by an approved ``record.correct`` case of a contribution line (003 §5): never an
    edit. The line is reversed in its own bill (every amount negated); the line as it should
    have been goes into a bill of its own (kind ``correct``) for its month; the money the
    reversed line carried moves with it — a bill paid keeps paid, and the new bill owes or has
    been paid beyond only the difference. A payment recorded wrongly is taken back (the line
    is owed) or put where it was made (``paid_month``). The accounts follow
    (``events.LinesCorrected``)."""
    _assert_transaction()
    authorize(principal, "registry.write")
    cleaned = validation.clean_line_correction(
        principal, payload.get("key"), payload.get("changes") or {}
    )
    old = cleaned.line
    bill = Bill.objects.select_for_update().get(pk=old.bill_id)
    was_paid = bill.status == BillStatus.PAID
    today = date.today()
    ref = f"correct:{principal.case_id}:{old.pk}"
    reversal = audit.create_entry(
        principal,
        "contribution.line_reversed",
        Line,
        bill=bill,
        person_id=old.person_id,
        insurance=old.insurance,
        month=old.month,
        base_fen=-old.base_fen,
        employer_fen=-old.employer_fen,
        employee_fen=-old.employee_fen,
        account_fen=-old.account_fen,
        kind=LineKind.REVERSAL.value,
    )
    old_due = old.employer_fen + old.employee_fen
    # What the reversed line brought to a bill paid in full leaves that bill with it: the bill
    # stays paid and the money is not counted twice.
    moved = old_due if was_paid else 0
    if moved:
        _adjust_payment(principal, bill, -moved, today, f"{ref}:out")
    due = bill.due_fen - old_due
    paid = bill.paid_fen - moved
    audit.update_row(
        principal,
        "contribution.bill_corrected",
        bill,
        due_fen=due,
        paid_fen=paid,
        lines=bill.lines + 1,
        status=status_of(due, paid).value,
    )
    new_due = cleaned.employer_fen + cleaned.employee_fen
    if cleaned.owed:
        brought = 0  # the payment was never made
    elif cleaned.paid_on is not None:
        brought = new_due  # paid in full in the month the correction names
    else:
        brought = moved
    corrected = Bill.objects.create(
        employer=cleaned.employer,
        month=cleaned.month,
        kind=BillKind.CORRECTION.value,
        due_fen=new_due,
        paid_fen=brought,
        lines=1,
        status=status_of(new_due, brought).value,
    )
    audit.record_row(principal, "contribution.correction_bill", corrected)
    new = audit.create_entry(
        principal,
        "contribution.line_corrected",
        Line,
        bill=corrected,
        person_id=old.person_id,
        insurance=old.insurance,
        month=cleaned.month,
        base_fen=cleaned.base_fen,
        employer_fen=cleaned.employer_fen,
        employee_fen=cleaned.employee_fen,
        account_fen=cleaned.account_fen,
        kind=LineKind.CORRECTION.value,
    )
    if brought:
        _adjust_payment(principal, corrected, brought, cleaned.paid_on or today, f"{ref}:in")
    audit.create_entry(
        principal,
        "contribution.correction",
        LineCorrection,
        person=cleaned.person,
        case_id=principal.case_id,
        old_line_id=old.pk,
        reversal_line_id=reversal.pk,
        new_line_id=new.pk,
        paid_on=cleaned.paid_on,
    )
    if status_of(due, paid) == BillStatus.PAID and not was_paid:
        # The rest of that bill is paid in full now that the line left it.
        publish(events.BILLS_PAID, events.BillsPaid(principal, (bill.pk,), today))
    publish(events.LINES_CORRECTED, events.LinesCorrected(principal, (cleaned.person.pk,)))
    return f"line {old.pk} corrected by line {new.pk}"


def _adjust_payment(principal: Principal, bill: Bill, amount: int, on: date, ref: str) -> None:
    audit.create_entry(
        principal,
        "contribution.payment",
        Payment,
        bill=bill,
        amount_fen=amount,
        paid_on=on,
        bank_ref=ref,
        channel=PaymentChannel.CORRECTION.value,
    )


# --- history that arrives whole: the legacy import, the demo --------------------------------

# person, insurance, base, employer, employee, account
Amounts = tuple[int, str, int, int, int, int]


@dataclass(frozen=True)
class PastBill:
    employer_id: int
    month: str
    kind: str  # monthly | legacy
    lines: list[Amounts]
    paid_on: date | None  # paid in full that day, or still owed


@dataclass(frozen=True)
class Written:
    rows: list[bulk.LineRow]
    first_line: int
    paid_on: dict[int, date]  # bill id → the day it was paid

    def paid_months(self) -> list[tuple[int, str]]:
        """(person, insurance) once per paid line: what counts toward contribution months."""
        return [(row[1], row[2]) for row in self.rows if row[0] in self.paid_on]


def write_history(
    principal: Principal,
    bills: list[PastBill],
    channel: str,
    reference: Callable[[int], str],
    persons_from_relations: bool = False,
) -> Written:
    """Bills already paid or not, with their lines and payments (``reference(bill_id)`` is
    each payment's bank reference), by the bulk writers: one batch event per table carrying
    the Merkle root of its rows' leaves (computed while writing), so nothing is read back.
    The accounts are the caller's to credit (``Written`` says what was paid when)."""
    _assert_transaction()
    authorize(principal, "contributions.history")
    if not bills:
        return Written([], 0, {})
    first_bill = audit_bulk.next_ids("contributions_bill", len(bills))
    ids = range(first_bill, first_bill + len(bills))
    dues = [sum(line[3] + line[4] for line in bill.lines) for bill in bills]
    seq = audit.reserve_seq()
    _, leaves = audit_bulk.write_rows(
        Bill,
        [
            _bill_values(
                bill.employer_id, bill.month, bill.kind, due, len(bill.lines), bool(bill.paid_on)
            )
            for bill, due in zip(bills, dues, strict=True)
        ],
        seq,
        first=first_bill,
    )
    audit.record_batch_leaves(principal, f"contribution.{bills[0].kind}_bills", Bill, seq, leaves)
    rows: list[bulk.LineRow] = [
        (bill_id, p, i, bill.month, b, er, ee, ac, "due")
        for bill_id, bill in zip(ids, bills, strict=True)
        for p, i, b, er, ee, ac in bill.lines
    ]
    seq = audit.reserve_seq()
    first_line, leaves = bulk.write_lines(rows, seq, persons_from_relations)
    audit.record_batch_leaves(principal, "contribution.lines", Line, seq, leaves)
    paid_on = {
        bill_id: bill.paid_on
        for bill_id, bill in zip(ids, bills, strict=True)
        if bill.paid_on is not None
    }
    if paid_on:
        due_of = dict(zip(ids, dues, strict=True))
        seq = audit.reserve_seq()
        _, leaves = audit_bulk.write_rows(
            Payment,
            [
                (bill_id, due_of[bill_id], on.isoformat(), reference(bill_id), channel)
                for bill_id, on in paid_on.items()
            ],
            seq,
        )
        audit.record_batch_leaves(principal, "contribution.payment", Payment, seq, leaves)
    return Written(rows, first_line, paid_on)


@without_collector
def load_legacy(principal: Principal, texts: Mapping[str, str]) -> dict[str, int]:
    """Applied by an approved ``import.legacy`` case: validate the files again and write
    everything — employers, persons, their deemed months (视同缴费月数) and relations by
    registry's bulk services, then the
    contributions, whose amounts the rules compute from ``base_fen``; a row with a
    ``paid_month`` is paid then. The accounts replay the history (``events.HistoryLoaded``)."""
    _assert_transaction()
    authorize(principal, "registry.write")
    batch = legacy.validate(principal, texts)
    registry.register_employers_bulk(principal, batch.employers)
    registry.register_persons_bulk(principal, batch.persons)
    person_ids = legacy.person_ids(
        {r.id_number for r in batch.relations}
        | {row[0] for row in batch.contributions}
        | set(batch.deemed)
    )
    registry.record_deemed_bulk(
        principal,
        [
            registry.NewDeemed(person_ids[number], months, legacy.DEEMED_SOURCE)
            for number, months in batch.deemed.items()
        ],
    )
    employers = legacy.employers(
        {r.uscc for r in batch.relations if r.uscc} | {row[1] for row in batch.contributions}
    )
    registry.start_relations_bulk(
        principal,
        [
            registry.NewRelation(
                person_ids[r.id_number],
                employers[r.uscc][0] if r.uscc else None,
                r.insurance,
                r.start_month,
                r.end_month,
            )
            for r in batch.relations
        ],
    )
    if batch.contributions:
        _load_contributions(principal, batch.contributions, person_ids, employers)
    return batch.counts()


def _load_contributions(
    principal: Principal,
    rows: list[legacy.Contribution],
    person_ids: Mapping[str, int],
    employers: Mapping[str, legacy.KnownEmployer],
) -> None:
    book = Rulebook.load()
    rates: dict[tuple[str, str], Rates] = {}
    groups: dict[tuple[str, str, str | None], list[Amounts]] = defaultdict(list)
    for number, uscc, insurance, month, base, paid in rows:
        _, region, injury_class = employers[uscc]
        key = (region, month)
        found = rates.get(key)
        if found is None:
            found = rates[key] = Rates.of(book, region, YearMonth.parse(month), EMPLOYEE_INSURANCES)
        groups[(uscc, month, paid)].append(
            (person_ids[number], insurance, base, *found.amounts(insurance, base, injury_class))
        )
    bills = [
        PastBill(
            employers[uscc][0],
            month,
            "legacy",
            computed,
            YearMonth.parse(paid).first_day() if paid else None,
        )
        for (uscc, month, paid), computed in sorted(
            groups.items(), key=lambda g: (g[0][1], g[0][0])
        )
    ]
    written = write_history(
        principal, bills, "legacy", lambda bill_id: f"legacy:{principal.case_id}:{bill_id}"
    )
    publish(
        events.HISTORY_LOADED,
        events.HistoryLoaded(
            principal,
            written.rows,
            written.first_line,
            written.paid_on,
            frozenset(person_ids.values()),
        ),
    )
