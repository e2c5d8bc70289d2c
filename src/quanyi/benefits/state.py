"""A grant's state in a month, read from its changes (no projection to go stale): the monthly
amount with the adjustments in force, and whether the month is payable — started, not ended,
and not suspended, or suspended for a reason that is paid for once payment resumes."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from quanyi.benefits.models import BACK_PAID, Action
from quanyi.core.yearmonth import YearMonth


@dataclass(frozen=True)
class Step:
    """One change of a grant, as the state needs it."""

    action: str
    month: YearMonth
    amount_fen: int
    reason: str


@dataclass(frozen=True)
class GrantState:
    start: YearMonth
    end: YearMonth | None  # the last month payable (the grant's own end, or an end change)
    monthly_fen: int
    account_fen: int
    steps: tuple[Step, ...]

    @classmethod
    def of(
        cls, start: str, end: str, monthly_fen: int, account_fen: int, steps: Iterable[Step]
    ) -> GrantState:
        ordered = tuple(sorted(steps, key=lambda s: s.month))
        last = YearMonth.parse(end) if end else None
        for step in ordered:
            if step.action == Action.END:
                before = step.month.add(-1)
                last = before if last is None else min(last, before)
        return cls(YearMonth.parse(start), last, monthly_fen, account_fen, ordered)

    def amount(self, month: YearMonth) -> int:
        """The monthly amount in ``month``: the grant's plus every adjustment since."""
        return self.monthly_fen + sum(
            s.amount_fen for s in self.steps if s.action == Action.ADJUST and s.month <= month
        )

    def suspension(self, month: YearMonth) -> Step | None:
        """The suspension in force in ``month``, if any."""
        current = None
        for step in self.steps:
            if step.month > month:
                break
            if step.action == Action.SUSPEND:
                current = step
            elif step.action == Action.RESUME:
                current = None
        return current

    def resumed_after(self, month: YearMonth) -> bool:
        return any(s.action == Action.RESUME and s.month > month for s in self.steps)

    def payable(self, month: YearMonth) -> bool:
        """Whether ``month`` is to be paid as of now: a month under a suspension is paid only
        once payment has resumed and only when the suspension's reason allows it."""
        if month < self.start or (self.end is not None and month > self.end):
            return False
        held = self.suspension(month)
        if held is None:
            return True
        return held.reason in BACK_PAID and self.resumed_after(month)

    def status(self, month: YearMonth) -> str:
        if self.end is not None and month > self.end:
            return "ended"
        if month < self.start:
            return "pending"
        return "suspended" if self.suspension(month) is not None else "active"

    @property
    def interrupted(self) -> bool:
        """Whether payment was ever suspended: only then can a paid month follow an unpaid
        one, so only then must every month since the start be looked at."""
        return any(s.action in (Action.SUSPEND, Action.RESUME) for s in self.steps)

    def due_months(
        self, through: YearMonth, paid: Collection[YearMonth], since: YearMonth | None = None
    ) -> list[YearMonth]:
        """Payable months from ``since`` (default the start) up to ``through`` not paid yet —
        arrears first, in order."""
        last = through if self.end is None else min(through, self.end)
        done = set(paid)
        months = []
        index = max(self.start, since or self.start).index
        while index <= last.index:
            month = YearMonth.from_index(index)
            if month not in done and self.payable(month):
                months.append(month)
            index += 1
        return months
