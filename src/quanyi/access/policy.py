"""Authorization in one place: predicates (the ``rules`` library) saying who may do what.

Every view, endpoint and command asks ``authorize(principal, permission, obj)``; every read of
person records goes through ``readable(principal, queryset)``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import rules
from django.db.models import Model, QuerySet

from quanyi.access.errors import Refused
from quanyi.access.roles import ADMINISTRATIVE, RECORD_READERS, Role
from quanyi.core import regions
from quanyi.core.principal import Principal

M = TypeVar("M", bound=Model)


def _holds(*roles: str) -> Any:
    wanted = frozenset(roles)

    @rules.predicate(name=f"holds any of {sorted(wanted)}")
    def predicate(principal: Principal) -> bool:
        return bool(principal.roles & wanted)

    return predicate


@rules.predicate
def is_administrative(principal: Principal) -> bool:
    return bool(principal.roles & ADMINISTRATIVE)


@rules.predicate
def in_region(principal: Principal, obj: Any) -> bool:
    if obj is None:
        return True
    region = getattr(obj, "agency_region", None) or getattr(obj, "region", None)
    return region is not None and regions.covers(principal.region, region)


def _scoped(scope: str) -> Any:
    @rules.predicate(name=f"token allows {scope}")
    def predicate(principal: Principal) -> bool:
        return principal.scopes is None or scope in principal.scopes

    return predicate


@rules.predicate
def applying_a_case(principal: Principal) -> bool:
    return principal.case_id is not None


reads_records = _holds(*RECORD_READERS) & ~is_administrative & _scoped("records:read")
writes_registry = applying_a_case & ~is_administrative
submits_cases = _holds(Role.OPERATOR) & ~is_administrative & _scoped("records:write")
reads_cases = _holds(*RECORD_READERS) & ~is_administrative & _scoped("records:read")

# permission → (predicate, who may, in Chinese and English)
PERMISSIONS: dict[str, tuple[Any, str, str]] = {
    "record.read": (
        reads_records & in_region,
        "仅本统筹区的业务经办、审核类和信息查询用户可查看个人权益记录；系统管理员和数据库管理员不得查看",
        "only operators, reviewers and queriers of the record's region may read it;"
        " sysadmin and DBA may not (001 art. 26)",
    ),
    "registry.write": (
        writes_registry & in_region,
        "登记数据只能经业务件审批后由系统写入，不得直接修改（001 第六条）",
        "registered data is written only by the final approval of a case, never directly"
        " (001 art. 6)",
    ),
    "rulebook.write": (
        writes_registry,
        "政策参数只能经审批后的参数调整业务件写入",
        "parameters are written only by an approved parameter.change case",
    ),
    "contributions.post": (
        submits_cases,
        "仅业务经办用户可执行记账批处理",
        "only operators run the posting batch",
    ),
    "contributions.pay": (
        submits_cases,
        "仅业务经办用户可导入缴费结果",
        "only operators import payments",
    ),
    "accounts.close": (
        submits_cases | (applying_a_case & ~is_administrative),
        "仅业务经办用户可执行年度计息",
        "only operators run the yearly interest",
    ),
    "case.submit": (
        submits_cases,
        "仅业务经办用户可受理业务件",
        "only operators take in cases",
    ),
    "case.read": (
        reads_cases & in_region,
        "仅本统筹区的经办、审核类用户可查看业务件",
        "only staff of the case's region read it",
    ),
    "maintenance.read": (
        _holds(Role.AUDITOR),
        "仅安全审计员可查阅维护日志",
        "only the security auditor reads the maintenance log",
    ),
    "audit.verify": (
        _holds(Role.AUDITOR),
        "仅安全审计员可校验审计链",
        "only the security auditor verifies the audit chain",
    ),
    "audit.checkpoint": (
        _holds(Role.AUDITOR),
        "仅安全审计员可签署检查点",
        "only the security auditor signs checkpoints",
    ),
    "audit.fork.propose": (
        _holds(Role.AUDITOR),
        "仅安全审计员可提出分叉登记（备份恢复）",
        "only the security auditor proposes a fork (restore from backup)",
    ),
    "audit.fork.approve": (
        _holds(Role.SECADMIN),
        "仅安全管理员可批准分叉登记",
        "only the security administrator approves a fork",
    ),
    "audit.read": (
        _holds(Role.AUDITOR),
        "仅安全审计员可查阅审计日志",
        "only the security auditor reads the audit log",
    ),
    "account.manage": (
        _holds(Role.SYSADMIN) & _scoped("accounts:manage"),
        "仅系统管理员可管理账户和角色",
        "only the sysadmin manages accounts and roles",
    ),
    "security.check": (
        _holds(Role.SYSADMIN, Role.AUDITOR),
        "仅系统管理员和安全审计员可执行安全检查",
        "only the sysadmin and the auditor run the security check",
    ),
}


def allowed(principal: Principal, permission: str, obj: Any = None) -> bool:
    predicate = PERMISSIONS[permission][0]
    return bool(predicate.test(principal, obj))


def authorize(principal: Principal, permission: str, obj: Any = None) -> None:
    """Raise ``Refused`` (naming the rule) unless the principal may."""
    if not allowed(principal, permission, obj):
        _, zh, en = PERMISSIONS[permission]
        ref = f"{type(obj).__name__.lower()} {obj.pk}" if isinstance(obj, Model) else ""
        raise Refused(f"无权操作：{zh}", f"refused: {en}", permission, ref)


def readable(principal: Principal, queryset: QuerySet[M]) -> QuerySet[M]:
    """The part of ``queryset`` (persons, or rows with a ``person``) the principal may read.

    Refuses outright — never an empty answer — when the principal may read no records at all.
    """
    authorize(principal, "record.read")
    model = queryset.model
    field = "agency_region" if hasattr(model, "agency_region") else "person__agency_region"
    return queryset.filter(**{f"{field}__startswith": regions.prefix(principal.region)})
