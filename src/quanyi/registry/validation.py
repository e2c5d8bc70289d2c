"""Payload checks for registry writes. Each ``clean_*`` reports every reason at once and writes
nothing, so intake can refuse a bad payload and apply can check it again.

Payload fields use the column names of the legacy CSV files (DESIGN.md). The field-level rules
(``text``, ``region``, ``injury_class``, ``phone``, ``category``, ``first_overlap``) take the
field's name as the report should show it and touch no database, so a set-based caller (the
legacy import, checking a file of rows against relations it read at once) applies the same
rules as a case does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db.models import Q

from quanyi.core import regions
from quanyi.core.errors import ErrorCollector, InvalidInput
from quanyi.core.identifiers import IdNumber, mask, parse_id_number, validate_uscc
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import (
    DEEMED_MONTHS_MAX,
    DEEMED_SOURCE_MAX,
    EMPLOYEE_INSURANCES,
    RESIDENT_INSURANCES,
    Category,
    Employer,
    EmployerStatus,
    Insurance,
    InsuranceRelation,
    Person,
    PersonStatus,
)

ADULT_AGE = 18
EMPLOYER_NAME_MAX = 200  # the columns' lengths: a longer name is refused, never cut
PERSON_NAME_MAX = 100
WORKING_AGE = 16  # the youngest age for an employee insurance relation (劳动法 art. 15)
# Insurances that exclude each other for one person at one time (duplicate enrolment, 重复参保).
INSURANCE_GROUP = {
    "pension": "pension",
    "resident_pension": "pension",
    "medical": "medical",
    "resident_medical": "medical",
}


def _unknown_fields(
    errors: ErrorCollector,
    data: Mapping[str, Any],
    allowed: Iterable[str],
    reported_elsewhere: Iterable[str] = (),
) -> None:
    for name in sorted(set(data) - set(allowed) - set(reported_elsewhere)):
        if name in {"sex", "birth_date"}:
            errors.add(
                name,
                "derived_field",
                "性别和出生日期由公民身份号码得出，不得录入",
                "sex and birth date come from the id number and are never typed",
            )
        else:
            errors.add(name, "unknown_field", "未知字段", "unknown field")


def text(errors: ErrorCollector, value: Any, field: str, *, required: bool, max_length: int) -> str:
    """A text value stripped; required, and at most ``max_length`` characters."""
    found = value.strip() if isinstance(value, str) else ("" if value is None else str(value))
    if required and not found:
        errors.add(field, "required", "必填", "required")
    elif len(found) > max_length:
        errors.add(
            field, "too_long", f"最多 {max_length} 个字符", f"at most {max_length} characters"
        )
    return found


def _text(
    errors: ErrorCollector, data: Mapping[str, Any], name: str, *, required: bool, max_length: int
) -> str:
    return text(errors, data.get(name), name, required=required, max_length=max_length)


def region(errors: ErrorCollector, value: Any, field: str) -> str:
    """A 6-digit division code that exists (required)."""
    if not value:
        errors.add(field, "required", "必填", "required")
        return ""
    try:
        return regions.validate_region(value, field)
    except InvalidInput as exc:
        errors.extend(exc)
        return ""


def _region(errors: ErrorCollector, data: Mapping[str, Any], name: str) -> str:
    return region(errors, data.get(name), name)


def _month(
    errors: ErrorCollector, data: Mapping[str, Any], name: str, *, required: bool
) -> YearMonth | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors.add(name, "required", "必填", "required")
        return None
    try:
        return YearMonth.parse(str(value), name)
    except InvalidInput as exc:
        errors.extend(exc)
        return None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def in_scope(errors: ErrorCollector, principal: Principal, field: str, code: str) -> None:
    """The region ``code`` lies in the principal's agency region."""
    if code and not regions.covers(principal.region, code):
        errors.add(
            field,
            "out_of_region",
            f"{code} 不在本经办机构统筹区 {principal.region} 内",
            f"{code} is outside this agency's region {principal.region}",
        )


# --- employers -------------------------------------------------------------------------------

EMPLOYER_FIELDS = ("uscc", "name", "region", "address", "injury_class")
EMPLOYER_CHANGE_FIELDS = ("name", "region", "address", "injury_class", "status")


def injury_class(errors: ErrorCollector, value: Any, field: str = "injury_class") -> int:
    """The employer's injury risk class (工伤行业风险类别), 1 to 8; 0 when refused."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 8:
        errors.add(
            field,
            "bad_injury_class",
            "工伤行业风险类别应为1至8",
            "the injury risk class is 1 to 8",
        )
        return 0
    return number


def clean_employer(principal: Principal, data: Mapping[str, Any]) -> dict[str, Any]:
    errors = ErrorCollector()
    _unknown_fields(errors, data, EMPLOYER_FIELDS)
    code = ""
    try:
        code = validate_uscc(data.get("uscc"))
    except InvalidInput as exc:
        errors.extend(exc)
    if code and Employer.objects.filter(uscc=code).exists():
        errors.add(
            "uscc", "already_registered", "该单位已登记", "this employer is already registered"
        )
    home = _region(errors, data, "region")
    in_scope(errors, principal, "region", home)
    cleaned: dict[str, Any] = {
        "uscc": code,
        "name": _text(errors, data, "name", required=True, max_length=EMPLOYER_NAME_MAX),
        "region": home,
        "address": _text(errors, data, "address", required=False, max_length=300),
        "injury_class": injury_class(errors, data.get("injury_class")),
    }
    errors.raise_if_any()
    return cleaned


def _employer_fields(
    errors: ErrorCollector, principal: Principal, data: Mapping[str, Any]
) -> dict[str, Any]:
    """The changeable employer fields present in ``data``, cleaned."""
    cleaned: dict[str, Any] = {}
    if "name" in data:
        cleaned["name"] = _text(errors, data, "name", required=True, max_length=EMPLOYER_NAME_MAX)
    if "address" in data:
        cleaned["address"] = _text(errors, data, "address", required=False, max_length=300)
    if "region" in data:
        cleaned["region"] = _region(errors, data, "region")
        in_scope(errors, principal, "region", cleaned["region"])
    if "injury_class" in data:
        cleaned["injury_class"] = injury_class(errors, data.get("injury_class"))
    return cleaned


def clean_employer_change(
    principal: Principal, employer: Employer, data: Mapping[str, Any]
) -> dict[str, Any]:
    errors = ErrorCollector()
    _unknown_fields(errors, data, EMPLOYER_CHANGE_FIELDS)
    if not data:
        errors.add("data", "nothing_to_change", "没有要变更的内容", "nothing to change")
    if employer.status == EmployerStatus.CANCELLED:
        errors.add("uscc", "cancelled", "单位已注销，不能变更", "the employer is cancelled")
    cleaned = _employer_fields(errors, principal, data)
    if "status" in data:
        if data["status"] not in (EmployerStatus.ACTIVE, EmployerStatus.SUSPENDED):
            errors.add(
                "status",
                "bad_status",
                "状态只能变更为 active 或 suspended（注销另行办理）",
                "status changes to active or suspended; cancelling is its own case",
            )
        cleaned["status"] = data["status"]
    errors.raise_if_any()
    return cleaned


# --- persons ---------------------------------------------------------------------------------

PERSON_FIELDS = (
    "id_number",
    "name",
    "phone",
    "hukou_region",
    "residence_region",
    "category",
    "guardian_id_number",
)
PERSON_CHANGE_FIELDS = tuple(f for f in PERSON_FIELDS if f != "id_number")


def phone(errors: ErrorCollector, value: Any, field: str = "phone") -> str:
    """A mobile number (11 digits starting with 1), or nothing."""
    number = text(errors, value, field, required=False, max_length=11)
    if number and not re.fullmatch(r"1\d{10}", number):
        errors.add(
            field,
            "bad_phone",
            "手机号码应为以1开头的11位数字",
            "a mobile number is 11 digits starting with 1",
        )
    return number


def _phone(errors: ErrorCollector, data: Mapping[str, Any]) -> str:
    return phone(errors, data.get("phone"))


def category(errors: ErrorCollector, value: Any, field: str = "category") -> str:
    """The person's category: employee (职工) or resident (城乡居民)."""
    if value not in Category.values:
        errors.add(
            field,
            "bad_category",
            "人员类别应为 employee（职工）或 resident（城乡居民）",
            "category is employee or resident",
        )
        return ""
    return str(value)


def _category(errors: ErrorCollector, data: Mapping[str, Any]) -> str:
    return category(errors, data.get("category"))


def _guardian(
    errors: ErrorCollector, data: Mapping[str, Any], identity: IdNumber | None, today: date
) -> Person | None:
    raw = data.get("guardian_id_number")
    minor = identity is not None and age_on(identity.birth_date, today) < ADULT_AGE
    if not raw:
        if minor:
            errors.add(
                "guardian_id_number",
                "guardian_required",
                "未成年人须登记监护人",
                "a minor needs a guardian",
            )
        return None
    try:
        guardian_number = parse_id_number(raw, "guardian_id_number", today)
    except InvalidInput as exc:
        errors.extend(exc)
        return None
    if identity is not None and guardian_number.number == identity.number:
        errors.add(
            "guardian_id_number",
            "self_guardian",
            "不能以本人为监护人",
            "a person cannot be their own guardian",
        )
        return None
    guardian = Person.objects.filter(id_number=guardian_number.number).first()
    if guardian is None:
        errors.add(
            "guardian_id_number",
            "guardian_unknown",
            f"监护人 {mask(guardian_number.number)} 尚未登记",
            f"the guardian {mask(guardian_number.number)} is not registered",
        )
    elif age_on(guardian.birth_date, today) < ADULT_AGE:
        errors.add(
            "guardian_id_number",
            "guardian_minor",
            "监护人须为成年人",
            "the guardian must be an adult",
        )
    return guardian


def clean_person(
    principal: Principal, data: Mapping[str, Any], today: date | None = None
) -> dict[str, Any]:
    today = today or date.today()
    errors = ErrorCollector()
    _unknown_fields(errors, data, PERSON_FIELDS)
    identity: IdNumber | None = None
    try:
        identity = parse_id_number(data.get("id_number"), "id_number", today)
    except InvalidInput as exc:
        errors.extend(exc)
    if identity and Person.objects.filter(id_number=identity.number).exists():
        errors.add(
            "id_number", "already_registered", "该人员已登记", "this person is already registered"
        )
    cleaned = {
        "id_number": identity.number if identity else "",
        "sex": identity.sex if identity else "",
        "birth_date": identity.birth_date if identity else None,
        "name": _text(errors, data, "name", required=True, max_length=PERSON_NAME_MAX),
        "phone": _phone(errors, data),
        "hukou_region": _region(errors, data, "hukou_region"),
        "residence_region": _region(errors, data, "residence_region"),
        "category": _category(errors, data),
        "guardian": _guardian(errors, data, identity, today),
    }
    errors.raise_if_any()
    return cleaned


def _person_fields(errors: ErrorCollector, data: Mapping[str, Any]) -> dict[str, Any]:
    """The changeable person fields present in ``data``, cleaned."""
    cleaned: dict[str, Any] = {}
    if "name" in data:
        cleaned["name"] = _text(errors, data, "name", required=True, max_length=PERSON_NAME_MAX)
    if "phone" in data:
        cleaned["phone"] = _phone(errors, data)
    for name in ("hukou_region", "residence_region"):
        if name in data:
            cleaned[name] = _region(errors, data, name)
    if "category" in data:
        cleaned["category"] = _category(errors, data)
    return cleaned


def clean_person_change(
    principal: Principal, person: Person, data: Mapping[str, Any], today: date | None = None
) -> dict[str, Any]:
    today = today or date.today()
    errors = ErrorCollector()
    _unknown_fields(errors, data, PERSON_CHANGE_FIELDS, reported_elsewhere=("id_number",))
    if "id_number" in data:
        errors.add(
            "id_number",
            "immutable",
            "公民身份号码不能变更，须走更正业务",
            "the id number is not changed here; it takes a correction case",
        )
    if not data:
        errors.add("data", "nothing_to_change", "没有要变更的内容", "nothing to change")
    if person.status == PersonStatus.CANCELLED:
        errors.add(
            "id_number",
            "cancelled",
            "人员已注销，不能变更",
            "the person's registration is cancelled",
        )
    cleaned = _person_fields(errors, data)
    if "guardian_id_number" in data:
        identity = parse_id_number(person.id_number)
        cleaned["guardian"] = _guardian(errors, data, identity, today)
    errors.raise_if_any()
    return cleaned


# --- insurance relations ---------------------------------------------------------------------

RELATION_FIELDS = ("id_number", "uscc", "insurance", "start_month", "end_month")


# A person's relation as (insurance, start month, end month or None while open).
Span = tuple[str, str, str | None]


def first_overlap(
    spans: Iterable[Span], insurance: str, start: str, end: str | None
) -> Span | None:
    """Of one person's relations, the earliest-starting one of the same insurance group (one
    cannot hold two at once: 重复参保) that shares a month with ``start``..``end``."""
    group = INSURANCE_GROUP.get(insurance, insurance)
    clash: Span | None = None
    for span in spans:
        kind, other_start, other_end = span
        if (
            INSURANCE_GROUP.get(kind, kind) == group
            and (other_end is None or other_end >= start)
            and (end is None or other_start <= end)
            and (clash is None or other_start < clash[1])
        ):
            clash = span
    return clash


def overlapping(
    person: Person,
    insurance: str,
    start: YearMonth,
    end: YearMonth | None,
    exclude: int | None = None,
) -> InsuranceRelation | None:
    """An existing relation of the same insurance group that shares a month with [start, end]."""
    group = INSURANCE_GROUP.get(insurance, insurance)
    kinds = [k for k, g in INSURANCE_GROUP.items() if g == group] or [insurance]
    query = InsuranceRelation.objects.filter(person=person, insurance__in=kinds).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=str(start))
    )
    if exclude is not None:
        query = query.exclude(pk=exclude)
    held = {(r.insurance, r.start_month, r.end_month): r for r in query.order_by("pk")}
    clash = first_overlap(held, insurance, str(start), str(end) if end else None)
    return held[clash] if clash else None


def _latest_allowed(today: date) -> YearMonth:
    return YearMonth.of(today).add(1)


def clean_relation(
    principal: Principal, data: Mapping[str, Any], today: date | None = None
) -> dict[str, Any]:
    today = today or date.today()
    errors = ErrorCollector()
    _unknown_fields(errors, data, RELATION_FIELDS)
    person: Person | None = None
    try:
        identity = parse_id_number(data.get("id_number"), "id_number", today)
        person = Person.objects.filter(id_number=identity.number).first()
        if person is None:
            errors.add(
                "id_number", "not_registered", "该人员尚未登记", "this person is not registered"
            )
        elif person.status == PersonStatus.CANCELLED:
            errors.add(
                "id_number", "cancelled", "人员已注销", "the person's registration is cancelled"
            )
        else:
            in_scope(errors, principal, "id_number", person.agency_region)
    except InvalidInput as exc:
        errors.extend(exc)
    insurance = data.get("insurance")
    if insurance not in Insurance.values:
        errors.add("insurance", "bad_insurance", "未知险种", "unknown insurance")
    employer: Employer | None = None
    if insurance in EMPLOYEE_INSURANCES:
        if not data.get("uscc"):
            errors.add(
                "uscc", "required", "职工险种须指定用人单位", "employee insurances need an employer"
            )
        else:
            try:
                code = validate_uscc(data.get("uscc"))
                employer = Employer.objects.filter(uscc=code).first()
                if employer is None:
                    errors.add(
                        "uscc",
                        "not_registered",
                        "该单位尚未登记",
                        "this employer is not registered",
                    )
                elif employer.status != EmployerStatus.ACTIVE:
                    errors.add(
                        "uscc", "not_active", "单位不是正常状态", "the employer is not active"
                    )
                else:
                    in_scope(errors, principal, "uscc", employer.agency_region)
            except InvalidInput as exc:
                errors.extend(exc)
    elif insurance in RESIDENT_INSURANCES and data.get("uscc"):
        errors.add(
            "uscc",
            "not_allowed",
            "城乡居民险种不关联用人单位",
            "resident insurances have no employer",
        )
    start = _month(errors, data, "start_month", required=True)
    end = _month(errors, data, "end_month", required=False)
    if start and end and end < start:
        errors.add(
            "end_month",
            "before_start",
            "终止年月早于开始年月",
            "the end month precedes the start month",
        )
    if start and start > _latest_allowed(today):
        errors.add(
            "start_month",
            "too_late",
            "开始年月不能晚于下月",
            "the start month is at most next month",
        )
    if person and start:
        if insurance in EMPLOYEE_INSURANCES and start < YearMonth.of(person.birth_date).add(
            12 * WORKING_AGE
        ):
            errors.add(
                "start_month",
                "under_age",
                f"职工参保时须年满{WORKING_AGE}周岁",
                f"an employee must be at least {WORKING_AGE}",
            )
        elif start < YearMonth.of(person.birth_date):
            errors.add(
                "start_month", "before_birth", "开始年月早于出生", "the start month precedes birth"
            )
        if person.deceased_date and start > YearMonth.of(person.deceased_date):
            errors.add(
                "start_month",
                "after_death",
                "开始年月晚于死亡日期",
                "the start month is after death",
            )
        if (
            isinstance(insurance, str)
            and insurance in Insurance.values
            and not (end and end < start)
        ):
            clash = overlapping(person, insurance, start, end)
            if clash is not None:
                errors.add(
                    "start_month",
                    "overlap",
                    f"与已有{Insurance(clash.insurance).label}关系（{clash.start_month}至"
                    f"{clash.end_month or '今'}）重叠",
                    f"overlaps the existing {clash.insurance} relation {clash.start_month}"
                    f" to {clash.end_month or 'open'}",
                )
    errors.raise_if_any()
    return {
        "person": person,
        "employer": employer,
        "insurance": insurance,
        "start_month": str(start),
        "end_month": str(end) if end else None,
    }


def clean_relation_end(
    principal: Principal,
    relation: InsuranceRelation,
    data: Mapping[str, Any],
    today: date | None = None,
) -> str:
    today = today or date.today()
    errors = ErrorCollector()
    _unknown_fields(errors, data, ("end_month",))
    end = _month(errors, data, "end_month", required=True)
    if relation.end_month is not None:
        errors.add(
            "end_month",
            "already_ended",
            f"该关系已于 {relation.end_month} 终止",
            f"the relation already ended in {relation.end_month}",
        )
    if end and end < YearMonth.parse(relation.start_month):
        errors.add(
            "end_month",
            "before_start",
            "终止年月早于开始年月",
            "the end month precedes the start month",
        )
    if end and end > _latest_allowed(today):
        errors.add(
            "end_month", "too_late", "终止年月不能晚于下月", "the end month is at most next month"
        )
    errors.raise_if_any()
    return str(end)


# --- corrections of sealed data (更正, 003 §5) ------------------------------------------------

PERSON_CORRECTABLE = ("id_number", "name", "phone", "hukou_region", "residence_region", "category")
EMPLOYER_CORRECTABLE = ("name", "region", "address", "injury_class")
RELATION_CORRECTABLE = ("start_month", "end_month")


def _nothing(errors: ErrorCollector, changes: Mapping[str, Any]) -> None:
    if not changes:
        errors.add("changes", "nothing_to_change", "没有要更正的内容", "nothing to correct")


def clean_person_correction(
    principal: Principal, person: Person, changes: Mapping[str, Any], today: date | None = None
) -> dict[str, Any]:
    """A corrected id number brings its own sex and birth date (never typed)."""
    errors = ErrorCollector()
    _unknown_fields(errors, changes, PERSON_CORRECTABLE)
    _nothing(errors, changes)
    cleaned: dict[str, Any] = {}
    if "id_number" in changes:
        try:
            identity = parse_id_number(changes["id_number"], "id_number", today)
        except InvalidInput as exc:
            errors.extend(exc)
        else:
            clash = Person.objects.filter(id_number=identity.number).exclude(pk=person.pk)
            if clash.exists():
                errors.add(
                    "id_number",
                    "already_registered",
                    "更正后的公民身份号码已属于另一登记人员",
                    "the corrected id number belongs to another registered person",
                )
            cleaned.update(
                id_number=identity.number, sex=identity.sex, birth_date=identity.birth_date
            )
    cleaned.update(_person_fields(errors, changes))
    errors.raise_if_any()
    return cleaned


def clean_employer_correction(
    principal: Principal, employer: Employer, changes: Mapping[str, Any]
) -> dict[str, Any]:
    errors = ErrorCollector()
    _unknown_fields(errors, changes, EMPLOYER_CORRECTABLE)
    _nothing(errors, changes)
    cleaned = _employer_fields(errors, principal, changes)
    errors.raise_if_any()
    return cleaned


def clean_relation_correction(
    principal: Principal, relation: InsuranceRelation, changes: Mapping[str, Any]
) -> dict[str, Any]:
    errors = ErrorCollector()
    _unknown_fields(errors, changes, RELATION_CORRECTABLE)
    _nothing(errors, changes)
    start = (
        _month(errors, changes, "start_month", required=True)
        if "start_month" in changes
        else YearMonth.parse(relation.start_month)
    )
    if "end_month" in changes:
        end = _month(errors, changes, "end_month", required=False)
    else:
        end = YearMonth.parse(relation.end_month) if relation.end_month else None
    if start and end and end < start:
        errors.add(
            "end_month", "before_start", "终止年月早于开始年月", "the end month precedes the start"
        )
    elif start:
        clash = overlapping(relation.person, relation.insurance, start, end, exclude=relation.pk)
        if clash is not None:
            errors.add(
                "start_month",
                "overlap",
                f"与已有关系（{clash.start_month}至{clash.end_month or '今'}）重叠",
                f"overlaps the relation {clash.start_month} to {clash.end_month or 'open'}",
            )
    errors.raise_if_any()
    cleaned: dict[str, Any] = {}
    if "start_month" in changes and start:
        cleaned["start_month"] = str(start)
    if "end_month" in changes:
        cleaned["end_month"] = str(end) if end else None
    return cleaned


# --- deemed months (视同缴费月数) -------------------------------------------------------------


def deemed_months(errors: ErrorCollector, value: Any, field: str = "deemed_months") -> int:
    """Whole months from 0 to ``DEEMED_MONTHS_MAX``; a blank is none (0)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    text = str(value).strip() if not isinstance(value, bool) else ""
    if isinstance(value, int) and not isinstance(value, bool):
        number: int | None = value
    elif text.isascii() and text.isdigit() and len(text) <= 6:
        number = int(text)
    else:
        number = None
    if number is None or not 0 <= number <= DEEMED_MONTHS_MAX:
        errors.add(
            field,
            "bad_deemed_months",
            f"视同缴费月数须为 0 至 {DEEMED_MONTHS_MAX} 之间的整数",
            f"deemed months are a whole number from 0 to {DEEMED_MONTHS_MAX}",
        )
        return 0
    return number


DEEMED_FIELDS = ("id_number", "deemed_months", "source")


def clean_deemed(current: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """A ``person.deemed`` finding against the months on record now (``current``): the months
    in range, the document it rests on named, and a change from what is on record."""
    errors = ErrorCollector()
    _unknown_fields(errors, data, DEEMED_FIELDS)
    if data.get("deemed_months") in (None, ""):
        errors.add("deemed_months", "required", "必填", "required")
        months = current
    else:
        months = deemed_months(errors, data.get("deemed_months"))
    source = text(errors, data.get("source"), "source", required=True, max_length=DEEMED_SOURCE_MAX)
    if not errors.errors and months == current:
        errors.add(
            "deemed_months",
            "no_change",
            f"视同缴费月数已是 {current} 个月，无需认定",
            f"the deemed months are {current} already; nothing changes",
        )
    errors.raise_if_any()
    return {"deemed_months": months, "source": source}
