"""Disclosure's code sets and field names, as users read them (core.labels)."""

from __future__ import annotations

from quanyi.core.labels import CodeSets

LABELS: CodeSets = {
    "record_item": {
        "person": ("登记信息", "registration"),
        "relations": ("参保关系", "insurance relations"),
        "contributions": ("缴费记录", "contributions"),
        "account": ("个人账户", "personal account"),
        "contribution_months": ("缴费月数", "contribution months"),
        "contribution_years": ("缴费年限", "contribution years"),
        "deemed_months": ("视同缴费月数", "deemed months"),
        "benefits": ("待遇", "benefits"),
    },
    "requester_kind": {
        "court": ("人民法院", "people's court"),
        "government": ("政府部门", "government body"),
        "unit": ("其他单位", "other unit"),
    },
    "alert_kind": {
        "chain_broken": ("审计链断裂", "audit chain broken"),
        "enumeration": ("超限查询身份号码", "too many id numbers looked up"),
    },
    "query_result": {
        "shown": ("已提供", "shown"),
        "partial": ("部分提供", "partly shown"),
        "refused": ("已拒绝", "refused"),
    },
    "query_source": {
        "web": ("网页", "web"),
        "api": ("接口", "API"),
        "cli": ("命令行", "command line"),
        "batch": ("批处理", "batch"),
    },
    "field": {
        "requester_account": ("申请人账户", "requester's account"),
        "requester": ("申请单位", "requesting body"),
        "requester_kind": ("单位类别", "kind of body"),
        "credentials": ("证件", "credentials"),
        "purpose": ("目的", "purpose"),
        "legal_basis": ("法律依据", "legal basis"),
        "items": ("查询事项", "items"),
        "from_month": ("期间起", "from"),
        "to_month": ("期间止", "to"),
        "valid_until": ("有效期至", "valid until"),
        "delegate_account": ("受托人账户", "delegate's account"),
        "delegate_name": ("受托人姓名", "delegate's name"),
        "reader": ("查询人", "reader"),
        "statement": ("权益记录单编号", "statement code"),
    },
}
