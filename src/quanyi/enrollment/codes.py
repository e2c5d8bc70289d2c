"""The code sets of the enrollment registry (002 art. 7: items in the codes of LD/T 92-2013),
and what a person's situation calls for (issue 17's contract). Pure data, no database.

Employment status (就业状态) codes follow the two-digit scheme of LD/T 92-2013's code set; a file
may also carry the English word of a code (``employee``), which reads as that code.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """One status per person, in the order of precedence the match applies."""

    INACCURATE = "inaccurate"
    DUPLICATE = "duplicate"
    ENROLLED = "enrolled"
    PARTLY_ENROLLED = "partly_enrolled"
    ENROLLED_ELSEWHERE = "enrolled_elsewhere"
    NOT_ENROLLED = "not_enrolled"


# The order of the counts' keys in the match's JSON (the contract's order).
COUNT_KEYS: tuple[str, ...] = (
    Status.ENROLLED,
    Status.PARTLY_ENROLLED,
    Status.NOT_ENROLLED,
    Status.ENROLLED_ELSEWHERE,
    Status.DUPLICATE,
    Status.INACCURATE,
)

# 002 art. 10: everyone but the fully enrolled, here or elsewhere, is to be surveyed.
SURVEYED = frozenset(
    {Status.INACCURATE, Status.DUPLICATE, Status.PARTLY_ENROLLED, Status.NOT_ENROLLED}
)


class Situation(StrEnum):
    """What the match decides a person's situation is, and so which insurances it calls for."""

    EMPLOYEE = "employee"
    FLEXIBLE = "flexible"
    RESIDENT = "resident"  # aged 16 or over, not in school
    MINOR_OR_STUDENT = "minor_or_student"
    PENSIONER = "pensioner"


NEEDS: dict[str, tuple[str, ...]] = {
    Situation.EMPLOYEE: ("pension", "medical", "unemployment", "injury", "maternity"),
    Situation.FLEXIBLE: ("pension", "medical"),
    Situation.RESIDENT: ("resident_pension", "resident_medical"),
    Situation.MINOR_OR_STUDENT: ("resident_medical",),
    # Drawing a pension, and insured for medical in either scheme.
    Situation.PENSIONER: ("pension_drawn", "any_medical"),
}

# 就业状态 (LD/T 92-2013): code → (zh, en, situation it implies, or "" where age decides).
EMPLOYMENT: dict[str, tuple[str, str, str]] = {
    "11": ("单位就业", "employed by a unit", Situation.EMPLOYEE),
    "12": ("灵活就业", "flexible employment", Situation.FLEXIBLE),
    "13": ("个体工商户", "self-employed business owner", Situation.FLEXIBLE),
    "21": ("登记失业", "registered unemployed", ""),
    "22": ("未就业", "not employed", ""),
    "31": ("在校学生", "student", Situation.MINOR_OR_STUDENT),
    "32": ("学龄前儿童", "pre-school child", Situation.MINOR_OR_STUDENT),
    "41": ("离退休", "retired", Situation.PENSIONER),
    "51": ("务农", "farming", ""),
    "90": ("其他", "other", ""),
}
EMPLOYMENT_WORDS: dict[str, str] = {
    "employee": "11",
    "flexible": "12",
    "self_employed": "13",
    "unemployed": "21",
    "not_employed": "22",
    "student": "31",
    "preschool": "32",
    "retired": "41",
    "farming": "51",
    "other": "90",
}

# 未参保原因
REASONS: dict[str, tuple[str, str]] = {
    "01": ("无就业、无收入", "no work and no income"),
    "02": ("经济困难", "cannot afford it"),
    "03": ("不愿参保", "does not wish to enrol"),
    "04": ("不了解政策", "does not know the rules"),
    "05": ("已在外地参保", "insured elsewhere"),
    "06": ("单位未办理参保", "the employer did not enrol them"),
    "07": ("长期外出、联系不上", "away for long, cannot be reached"),
    "08": ("已死亡或出国（境）定居", "deceased or emigrated"),
    "99": ("其他", "other"),
}

INSURANCES: tuple[str, ...] = (
    "pension",
    "medical",
    "unemployment",
    "injury",
    "maternity",
    "resident_pension",
    "resident_medical",
)


_BY_LABEL = {zh: code for code, (zh, _, _) in EMPLOYMENT.items()}


def employment_code(text: str) -> str | None:
    """The code a cell means: a code ("11"), its English word or its Chinese label; another
    department's own code of up to four letters or digits is kept as it is (the match then
    judges the situation by age and the relations held here, as for a blank cell); "" for a
    blank cell, None for anything else."""
    cleaned = text.strip()
    if not cleaned:
        return ""
    lowered = cleaned.lower()
    if lowered in EMPLOYMENT:
        return lowered
    if lowered in EMPLOYMENT_WORDS:
        return EMPLOYMENT_WORDS[lowered]
    if cleaned in _BY_LABEL:
        return _BY_LABEL[cleaned]
    if len(cleaned) <= 4 and cleaned.isascii() and cleaned.isalnum():
        return cleaned.upper()
    return None
