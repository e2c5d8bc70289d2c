"""Separation of duties as pure rules (001 art. 26; 000 §4 point 3). No database."""

import pytest

from quanyi.access.roles import needs_second_factor, violations


@pytest.mark.parametrize(
    "business", ["operator", "checker", "reviewer", "rechecker", "approver", "querier"]
)
@pytest.mark.parametrize("admin", ["sysadmin", "dba"])
def test_sysadmin_and_dba_never_hold_business_roles(admin: str, business: str) -> None:
    found = violations({admin, business})
    assert [(v.held, v.conflicting, v.rule.code) for v in found] == [
        (admin, business, "admin_not_business")
    ]
    assert "第二十六条" in found[0].message("zh") and "001 art. 26" in found[0].message("en")


@pytest.mark.parametrize("admin", ["sysadmin", "dba"])
def test_auditor_is_neither_sysadmin_nor_dba(admin: str) -> None:
    assert [v.rule.code for v in violations({"auditor", admin})] == ["auditor_not_admin"]


def test_allowed_combinations() -> None:
    assert violations({"sysadmin", "dba"}) == []
    assert violations({"operator", "checker", "querier"}) == []
    assert violations({"auditor"}) == []


def test_outside_accounts_hold_no_staff_roles() -> None:
    assert [v.rule.code for v in violations({"employer", "querier"})] == ["outside_not_staff"]


def test_second_factor_roles() -> None:
    assert needs_second_factor({"auditor"}) and needs_second_factor({"dba", "x"})
    assert not needs_second_factor({"operator", "querier"})
