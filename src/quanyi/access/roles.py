"""Roles (角色) and the separation-of-duties rules between them (001 art. 26; 000 §4 point 3).

Pure data and logic, no database: who may hold what together, and which roles need a second
factor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SYSADMIN = "sysadmin"
    SECADMIN = "secadmin"
    DBA = "dba"
    AUDITOR = "auditor"
    OPERATOR = "operator"
    CHECKER = "checker"
    REVIEWER = "reviewer"
    RECHECKER = "rechecker"
    APPROVER = "approver"
    QUERIER = "querier"
    EMPLOYER = "employer"
    PERSON = "person"
    EXTERNAL = "external"


LABELS: dict[str, tuple[str, str]] = {
    Role.SYSADMIN: ("系统管理员", "system administrator"),
    Role.SECADMIN: ("安全管理员", "security administrator"),
    Role.DBA: ("数据库管理员", "database administrator"),
    Role.AUDITOR: ("安全审计员", "security auditor"),
    Role.OPERATOR: ("业务经办", "operator"),
    Role.CHECKER: ("初审", "checker"),
    Role.REVIEWER: ("审核", "reviewer"),
    Role.RECHECKER: ("复核", "re-checker"),
    Role.APPROVER: ("审批", "approver"),
    Role.QUERIER: ("信息查询用户", "querier"),
    Role.EMPLOYER: ("用人单位用户", "employer user"),
    Role.PERSON: ("参保人员", "insured person"),
    Role.EXTERNAL: ("外部查询单位", "external requester"),
}

ADMINISTRATIVE = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.DBA})
BUSINESS = frozenset(
    {Role.OPERATOR, Role.CHECKER, Role.REVIEWER, Role.RECHECKER, Role.APPROVER, Role.QUERIER}
)
# The roles of the review stages after intake (001 art. 7): one person, one stage.
REVIEW_STAGES = frozenset({Role.CHECKER, Role.REVIEWER, Role.RECHECKER, Role.APPROVER})
STAFF = ADMINISTRATIVE | BUSINESS | {Role.AUDITOR}
OUTSIDE = frozenset({Role.EMPLOYER, Role.PERSON, Role.EXTERNAL})
EVERY = frozenset(Role)
SECOND_FACTOR = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.DBA, Role.AUDITOR})
# Roles whose holders read person records (need to know, 001 art. 14-22).
RECORD_READERS = BUSINESS


@dataclass(frozen=True)
class Rule:
    """A holder of any ``holder`` role holds none of ``excluded`` (but itself)."""

    code: str
    holder: frozenset[str]
    excluded: frozenset[str]
    zh: str
    en: str


# Checked when a role is granted (the refusal names the rule) and by ``quanyi security check``
# over whatever the database holds. A pair of roles is reported once, by the first rule here
# that forbids it.
RULES: tuple[Rule, ...] = (
    Rule(
        "admin_not_business",
        frozenset({Role.SYSADMIN, Role.DBA}),
        BUSINESS,
        "系统管理员、数据库管理员不得兼职业务经办用户或者信息查询用户（001 第二十六条）",
        "sysadmin and DBA never double as operator, reviewer-type or query user (001 art. 26)",
    ),
    Rule(
        "auditor_alone",
        frozenset({Role.AUDITOR}),
        EVERY,
        "安全审计员不得兼任任何其他角色（三员分立，GB/T 22239-2019）",
        "the security auditor holds no other role (three administrators, GB/T 22239-2019)",
    ),
    Rule(
        "admin_alone",
        ADMINISTRATIVE,
        EVERY,
        "系统管理员、安全管理员、数据库管理员各自不得兼任其他角色（三员分立，000 第四部分第三项）",
        "the sysadmin, secadmin and DBA each hold no other role (three administrators, 000 §4 (3))",
    ),
    Rule(
        "outside_not_staff",
        OUTSIDE,
        STAFF,
        "单位、个人和外部查询账户不得持有经办机构内部角色",
        "employer, person and external accounts never hold agency staff roles",
    ),
    Rule(
        "one_review_stage",
        REVIEW_STAGES,
        REVIEW_STAGES,
        "同一账户只可持有初审、审核、复核、审批中的一个角色（001 第七条）",
        "an account holds at most one of checker, reviewer, re-checker, approver (001 art. 7)",
    ),
)


@dataclass(frozen=True)
class Violation:
    rule: Rule
    held: str
    conflicting: str

    def message(self, lang: str = "zh") -> str:
        text = self.rule.en if lang == "en" else self.rule.zh
        return f"{self.held} + {self.conflicting}: {text} [{self.rule.code}]"


def violations(roles: Iterable[str]) -> list[Violation]:
    """Every pair of roles in ``roles`` that a rule forbids together, each pair once."""
    held = set(roles)
    found = []
    seen: set[frozenset[str]] = set()
    for rule in RULES:
        for holder in sorted(held & rule.holder):
            for other in sorted(held & rule.excluded):
                pair = frozenset({holder, other})
                if other != holder and pair not in seen:
                    seen.add(pair)
                    found.append(Violation(rule, holder, other))
    return found


def needs_second_factor(roles: Iterable[str]) -> bool:
    return bool(set(roles) & SECOND_FACTOR)


def label(role: str, lang: str = "zh") -> str:
    zh, en = LABELS.get(role, (role, role))
    return en if lang == "en" else zh


CODE_SETS: dict[str, dict[str, tuple[str, str]]] = {
    "role": {str(r): p for r, p in LABELS.items()},
    "account_kind": {
        "staff": ("经办机构工作人员", "agency staff"),
        "employer": ("用人单位", "employer"),
        "person": ("参保人员", "insured person"),
        "external": ("外部查询单位", "external requester"),
    },
    "field": {
        "username": ("用户名", "user name"),
        "roles": ("角色", "roles"),
        "role": ("角色", "role"),
        "password": ("密码", "password"),
        "kind": ("账户类型", "kind"),
        "action": ("办理事项", "action"),
        "organisation": ("单位", "organisation"),
    },
}
