"""Benefits' code sets and field names, as users read them (core.labels)."""

from __future__ import annotations

from quanyi.core.labels import CodeSets

LABELS: CodeSets = {
    "benefit_kind": {
        "pension": ("基本养老金", "basic pension"),
        "unemployment": ("失业保险金", "unemployment benefit"),
        "farmer_once": (
            "农民合同制工人一次性生活补助",
            "one-off allowance for farmer contract workers",
        ),
        "injury_allow": ("伤残津贴", "disability allowance"),
        "injury_med": ("工伤医疗费", "work injury medical costs"),
        "medical": ("医疗费用结算", "medical settlement"),
        "maternity": ("生育津贴", "maternity allowance"),
        "funeral": ("丧葬补助金", "funeral grant"),
        "survivor": ("一次性抚恤金", "survivors' grant"),
        "heirs": ("个人账户余额继承", "account balance paid to heirs"),
    },
    "benefit_insurance": {"pension": ("基本养老保险", "basic pension insurance")},
    "suspend_reason": {
        "unverified": ("未按期完成待遇资格认证", "not verified in time"),
        "lost_contact": ("失联", "lost contact"),
        "imprisoned": ("服刑", "imprisoned"),
        "fraud": ("骗取待遇", "benefit fraud"),
        "other": ("其他", "other"),
    },
    "resume_reason": {
        "verified": ("已完成资格认证", "verified"),
        "found": ("恢复联系", "contact restored"),
        "released": ("刑满释放", "released"),
        "other": ("其他", "other"),
    },
    "benefit_status": {
        "active": ("正常发放", "paid"),
        "pending": ("待发放", "not yet started"),
        "suspended": ("暂停发放", "suspended"),
        "ended": ("终止发放", "ended"),
        "paid": ("已支付", "paid"),
    },
    "benefit_reason": {
        "unverified": ("未按期完成待遇资格认证", "not verified in time"),
        "lost_contact": ("失联", "lost contact"),
        "imprisoned": ("服刑", "imprisoned"),
        "fraud": ("骗取待遇", "benefit fraud"),
        "other": ("其他", "other"),
        "verified": ("已完成资格认证", "verified"),
        "found": ("恢复联系", "contact restored"),
        "released": ("刑满释放", "released"),
        "death": ("死亡", "death"),
        "exhausted": ("领取期限届满", "entitlement used up"),
        "adjustment": ("年度调整", "yearly adjustment"),
    },
    "verification_channel": {
        "counter": ("窗口", "at the counter"),
        "home": ("上门", "home visit"),
        "online": ("网上（人脸识别）", "online (face check)"),
        "data": ("数据比对", "data match"),
    },
    "verification_result": {"passed": ("通过", "passed"), "failed": ("未通过", "failed")},
    "retirement_track": {
        "60": ("男职工（原 60 岁）", "men (formerly 60)"),
        "55": ("女职工·干部岗位（原 55 岁）", "women, cadre posts (formerly 55)"),
        "50": ("女职工·工人岗位（原 50 岁）", "women, worker posts (formerly 50)"),
    },
    "object": {
        "benefit_grant": ("待遇核定", "benefit grant"),
        "benefit_change": ("待遇变更", "benefit change"),
        "benefit_payment": ("待遇支付", "benefit payment"),
        "benefit_verification": ("资格认证", "eligibility verification"),
    },
    "field": {
        "start_month": ("待遇起始年月", "first month"),
        "original_age": ("原法定退休年龄", "former statutory age"),
        "monthly_fen": ("月待遇（元）", "monthly amount (yuan)"),
        "basic_fen": ("基础养老金（元）", "basic pension (yuan)"),
        "account_fen": ("个人账户养老金（元）", "account pension (yuan)"),
        "transitional_fen": ("过渡性养老金（元）", "transitional pension (yuan)"),
        "death_date": ("死亡日期", "date of death"),
        "reason": ("原因", "reason"),
        "from_month": ("起始年月", "from month"),
        "channel": ("认证方式", "channel"),
        "result": ("认证结果", "result"),
    },
}
