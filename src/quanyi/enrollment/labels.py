"""The enrollment registry's code sets and field names, as users read them (core.labels)."""

from __future__ import annotations

from quanyi.core.labels import CodeSets
from quanyi.enrollment.codes import EMPLOYMENT, REASONS

LABELS: CodeSets = {
    "enrollment_status": {
        "enrolled": ("已参保（参全）", "enrolled"),
        "partly_enrolled": ("未参全", "partly enrolled"),
        "not_enrolled": ("未参保", "not enrolled"),
        "enrolled_elsewhere": ("异地参保", "enrolled elsewhere"),
        "duplicate": ("重复参保", "duplicate enrollment"),
        "inaccurate": ("信息不准", "inaccurate"),
    },
    "enrollment_situation": {
        "employee": ("单位职工", "employee"),
        "flexible": ("灵活就业人员", "flexible worker"),
        "resident": ("城乡居民（16 周岁以上非在校）", "resident aged 16 or over, not in school"),
        "minor_or_student": ("未成年人或在校学生", "minor or student"),
        "pensioner": ("领取养老金人员", "pensioner"),
    },
    "employment_status": {code: (zh, en) for code, (zh, en, _) in EMPLOYMENT.items()},
    "not_enrolled_reason": dict(REASONS),
    "population_source": {
        "police": ("公安户籍", "public security household registration"),
        "civil_affairs": ("民政", "civil affairs"),
        "market": ("市场监管", "market regulation"),
        "education": ("教育", "education"),
        "health": ("卫生健康", "health"),
        "tax": ("税务", "tax"),
        "other": ("其他部门", "another department"),
    },
    "enrollment_level": {
        "county": ("县（区）", "county"),
        "street": ("街道（乡镇）", "street"),
        "community": ("社区（村）", "community"),
    },
    "survey_outcome": {
        "enrolled_here": ("已在本地参保", "now insured here"),
        "enrolled_elsewhere": ("已在外地参保", "insured elsewhere"),
        "corrected": ("信息已更正", "details corrected"),
        "not_enrolling": ("确认未参保", "confirmed not enrolled"),
        "moved_away": ("已迁出", "moved away"),
        "deceased": ("已死亡", "deceased"),
    },
    "object": {
        "enrollment_resident": ("登记库人员", "registry entry"),
        "enrollment_run": ("比对批次", "match run"),
        "enrollment_finding": ("比对结果", "match result"),
        "enrollment_survey": ("调查结果", "survey result"),
    },
    "field": {
        "employment_status": ("就业状态", "employment status"),
        "not_enrolled_reason": ("未参保原因", "reason for not enrolling"),
        "enrolled_elsewhere_region": ("异地参保地", "where insured elsewhere"),
        "source": ("数据来源", "source"),
        "outcome": ("调查结论", "survey outcome"),
        "needs_survey": ("需调查登记", "needs survey"),
    },
}
