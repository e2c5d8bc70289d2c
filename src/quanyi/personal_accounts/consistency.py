"""``quanyi check consistency`` (勾稽校验, 004 part 1 art. 36): the operator's check that related
records agree across contributions and the account — every bill against its lines, payments and
refunds, every line's references (``contributions.consistency``), and every year balance and
contribution count against the ledgers (``projections``). One line per mismatch."""

from __future__ import annotations

from quanyi.access.policy import authorize
from quanyi.contributions import consistency as contributions
from quanyi.core.principal import Principal
from quanyi.personal_accounts import projections


def check(principal: Principal) -> list[str]:
    authorize(principal, "accounts.close")
    return contributions.problems() + [d.en for d in projections.differences()]
