"""The rulebook's parameters and fields as users read them (core.labels)."""

from __future__ import annotations

from quanyi.core.labels import CodeSets

_INSURANCE = {
    "pension": ("养老", "pension"),
    "medical": ("医疗", "medical"),
    "maternity": ("生育", "maternity"),
    "unemployment": ("失业", "unemployment"),
    "injury": ("工伤", "work injury"),
}
_SIDE = {"employer": ("单位", "employer"), "employee": ("个人", "employee")}

LABELS: CodeSets = {
    "parameter": {
        "wage.average": ("全口径城镇单位就业人员月平均工资（元）", "average monthly wage (yuan)"),
        "base.lower": ("缴费基数下限（元/月）", "contribution base lower bound (yuan/month)"),
        "base.upper": ("缴费基数上限（元/月）", "contribution base upper bound (yuan/month)"),
        "benefit.base": ("基本养老金计发基数（元/月）", "pension benefit base (yuan/month)"),
        "account.share": (
            "个人缴费计入个人账户比例",
            "employee share to the account",
        ),
        "interest.rate": ("个人账户记账利率", "personal account crediting rate"),
        "interest.method": ("个人账户计息方法", "interest method"),
        "late_fee.daily": ("滞纳金日费率", "late fee per day"),
        "benefit.transitional": (
            "过渡性养老金计发系数",
            "transitional pension factor",
        ),
        "benefit.funeral": ("丧葬补助金（元）", "funeral grant (yuan)"),
        "benefit.survivor": ("一次性抚恤金（元）", "one-off survivor's grant (yuan)"),
        "unemployment.monthly": (
            "失业保险金月标准（元/月）",
            "unemployment benefit (yuan/month)",
        ),
        "unemployment.farmer_year": (
            "农民合同制工人一次性生活补助（元/满一年）",
            "one-off allowance of farmer contract workers (yuan per full year)",
        ),
        **{
            f"injury.allowance.grade{n}": (
                f"{n}级伤残津贴（占本人工资比例）",
                f"disability allowance, grade {n} (share of own wage)",
            )
            for n in range(1, 7)
        },
        **{
            f"rate.{side}.{insurance}": (
                f"{_INSURANCE[insurance][0]}保险{_SIDE[side][0]}缴费比例",
                f"{_INSURANCE[insurance][1]} rate, {_SIDE[side][1]}",
            )
            for side in _SIDE
            for insurance in _INSURANCE
            if not (insurance == "injury" and side == "employee")
        },
        **{
            f"rate.injury.class{n}": (
                f"工伤保险第{n}类行业基准费率",
                f"work injury rate, class {n}",
            )
            for n in range(1, 9)
        },
    },
    "object": {"parameter": ("政策参数", "parameter")},
    "field": {
        "key": ("参数", "parameter"),
        "valid_from": ("生效日期", "valid from"),
        "value": ("取值", "value"),
        "source": ("依据文件", "source document"),
        "note": ("备注", "note"),
    },
}
