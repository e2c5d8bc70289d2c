"""Contributions' code sets and field names, as users read them (core.labels): bill kinds and
statuses, line kinds, payment channels, clamped bases, and every payload and file column."""

from __future__ import annotations

from quanyi.core.labels import CodeSets

LABELS: CodeSets = {
    "bill_kind": {
        "monthly": ("月报", "monthly bill"),
        "legacy": ("历史导入", "imported history"),
        "backpay": ("补缴", "back-payment"),
    },
    "bill_status": {
        "owed": ("欠缴", "owed"),
        "partial": ("部分缴纳", "partly paid"),
        "paid": ("已缴", "paid"),
    },
    "line_kind": {"due": ("应缴", "due"), "backpay": ("补缴", "back-payment")},
    "payment_channel": {
        "bank": ("银行", "bank"),
        "counter": ("柜面", "counter"),
        "legacy": ("历史导入", "imported history"),
        "demo": ("演示数据", "demo data"),
    },
    "object": {
        "declaration": ("缴费基数申报", "declaration"),
        "backpay": ("补缴", "back-payment"),
        "bill": ("账单", "bill"),
        "import": ("历史数据导入", "legacy import"),
    },
    "clamped": {
        "": ("未调整", "not adjusted"),
        "lower": ("按下限", "raised to the lower bound"),
        "upper": ("按上限", "cut to the upper bound"),
    },
    "field": {
        "bill_id": ("账单号", "bill number"),
        "bill": ("账单", "bill"),
        "amount_fen": ("金额", "amount"),
        "amount": ("金额（元）", "amount (yuan)"),
        "wage_fen": ("工资", "wage"),
        "wage": ("工资（元）", "wage (yuan)"),
        "base_fen": ("缴费基数", "contribution base"),
        "base": ("缴费基数（元）", "contribution base (yuan)"),
        "month": ("费款所属期", "contribution month"),
        "months": ("费款所属期", "contribution months"),
        "from_month": ("起始所属期", "first month"),
        "to_month": ("截止所属期", "last month"),
        "valid_from": ("生效年月", "valid from"),
        "paid_at": ("缴费日期", "paid on"),
        "paid_on": ("缴费日期", "paid on"),
        "paid_month": ("缴费年月", "month paid"),
        "bank_ref": ("回单号", "receipt number"),
        "receipt": ("回单号", "receipt number"),
        "rows": ("明细", "rows"),
        "file": ("文件", "file"),
        "files": ("文件", "files"),
        "directory": ("目录", "directory"),
        "clamped": ("基数调整", "base adjusted"),
        "due_fen": ("应缴金额", "amount due"),
        "paid_fen": ("已缴金额", "amount paid"),
        "employer_fen": ("单位缴纳", "employer's share"),
        "employee_fen": ("个人缴纳", "employee's share"),
        "deemed_months": ("视同缴费月数", "deemed months"),
        "token": ("表单", "form"),
        "amounts": ("金额明细", "amounts"),
        "employers": ("用人单位", "employers"),
        "persons": ("参保人员", "persons"),
        "relations": ("参保关系", "insurance relations"),
        "contributions": ("缴费记录", "contributions"),
        "insurances": ("险种", "insurances"),
    },
}
