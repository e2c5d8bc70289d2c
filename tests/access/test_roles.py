"""Separation of duties as pure rules (001 art. 26; 000 §4 (3); GB/T 22239-2019 three
administrators; 001 art. 7 one stage per person). No database."""

import pytest

from quanyi.access.roles import RULES, needs_second_factor, violations

BUSINESS = ["operator", "checker", "reviewer", "rechecker", "approver", "querier"]


@pytest.mark.parametrize("business", BUSINESS)
@pytest.mark.parametrize("admin", ["sysadmin", "dba"])
def test_sysadmin_and_dba_never_hold_business_roles(admin: str, business: str) -> None:
    found = violations({admin, business})
    assert [(v.held, v.conflicting, v.rule.code) for v in found] == [
        (admin, business, "admin_not_business")
    ]
    assert "第二十六条" in found[0].message("zh") and "001 art. 26" in found[0].message("en")


@pytest.mark.parametrize("other", ["sysadmin", "secadmin", "dba", *BUSINESS, "person"])
def test_the_auditor_holds_no_other_role(other: str) -> None:
    assert [v.rule.code for v in violations({"auditor", other})] == ["auditor_alone"]


@pytest.mark.parametrize(
    ("admin", "other"),
    [("sysadmin", "secadmin"), ("sysadmin", "dba"), ("secadmin", "dba"), ("secadmin", "querier")],
)
def test_each_administrator_holds_no_second_role(admin: str, other: str) -> None:
    found = violations({admin, other})
    assert [v.rule.code for v in found] == ["admin_alone"]
    assert "三员分立" in found[0].message("zh")


@pytest.mark.parametrize(("one", "two"), [("checker", "reviewer"), ("reviewer", "approver")])
def test_one_review_stage_role_per_account(one: str, two: str) -> None:
    assert [v.rule.code for v in violations({one, two})] == ["one_review_stage"]


def test_each_pair_is_reported_once_by_the_first_rule() -> None:
    found = violations({"sysadmin", "auditor", "querier"})
    assert sorted((v.held, v.conflicting, v.rule.code) for v in found) == [
        ("auditor", "querier", "auditor_alone"),
        ("auditor", "sysadmin", "auditor_alone"),
        ("sysadmin", "querier", "admin_not_business"),
    ]
    assert [rule.code for rule in RULES] == [
        "admin_not_business",
        "auditor_alone",
        "admin_alone",
        "outside_not_staff",
        "one_review_stage",
    ]


def test_allowed_combinations() -> None:
    assert violations({"operator", "checker", "querier"}) == []
    for alone in ("auditor", "sysadmin", "secadmin", "dba"):
        assert violations({alone}) == []


def test_outside_accounts_hold_no_staff_roles() -> None:
    assert [v.rule.code for v in violations({"employer", "querier"})] == ["outside_not_staff"]


def test_second_factor_roles() -> None:
    assert needs_second_factor({"auditor"}) and needs_second_factor({"dba", "x"})
    assert needs_second_factor({"secadmin"})
    assert not needs_second_factor({"operator", "querier"})
