"""The registry's case types: every registration, change, cancellation and correction is a
business case, applied only by its final approval (001 art. 6, 7; DESIGN invariant 1).

Payload fields are the column names of the legacy CSV files (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.db.models import Model

from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import services, validation
from quanyi.registry.models import InsuranceRelation, Person
from quanyi.workflow import sealing
from quanyi.workflow.stages import ALL_STAGES, REGISTRY_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, register

# Fields whose change rewrites what was registered; contact details stay living data.
PERSON_SEALABLE = ("name", "hukou_region", "category", "guardian_id_number")
EMPLOYER_SEALABLE = ("name", "region", "injury_class")


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    return value


def _ref(row: Model) -> str:
    return f"{type(row).__name__.lower().replace('insurancerelation', 'relation')} {row.pk}"


def _diff(row: Model | None, label: str, after: Mapping[str, Any]) -> list[Change]:
    return [
        Change(
            label,
            name,
            _plain(getattr(row, name, None)) if row is not None else None,
            _plain(value),
        )
        for name, value in after.items()
        if row is None or _plain(getattr(row, name, None)) != _plain(value)
    ]


def _rest(payload: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in keys}


def _date(payload: Mapping[str, Any], name: str, required: bool) -> date | None:
    value = payload.get(name)
    if value in (None, ""):
        if required:
            raise InvalidInput.one(name, "required", "必填", "required")
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput.one(
            name, "bad_date", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"
        ) from None


def _keep(payload: Mapping[str, Any]) -> dict[str, Any]:
    return dict(payload)


# --- employers -------------------------------------------------------------------------------


def _employer_register_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    validation.clean_employer(principal, payload)
    return _keep(payload)


def _employer_register_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    return _diff(None, "employer (new)", validation.clean_employer(principal, payload))


def _employer_register(principal: Principal, payload: Mapping[str, Any]) -> str:
    return _ref(services.register_employer(principal, payload))


def _employer_change_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    employer = services.employer_by_uscc(principal, str(payload.get("uscc", "")))
    changes = _rest(payload, "uscc")
    validation.clean_employer_change(principal, employer, changes)
    sealing.refuse_if_sealed(employer, changes, EMPLOYER_SEALABLE)
    return _keep(payload)


def _employer_change_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    employer = services.employer_by_uscc(principal, str(payload.get("uscc", "")))
    cleaned = validation.clean_employer_change(principal, employer, _rest(payload, "uscc"))
    return _diff(employer, _ref(employer), cleaned)


def _employer_change(principal: Principal, payload: Mapping[str, Any]) -> str:
    employer = services.employer_by_uscc(principal, str(payload.get("uscc", "")))
    changes = _rest(payload, "uscc")
    sealing.refuse_if_sealed(employer, changes, EMPLOYER_SEALABLE)
    return _ref(services.change_employer(principal, employer.uscc, changes))


def _employer_cancel_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    services.employer_by_uscc(principal, str(payload.get("uscc", "")))
    _date(payload, "cancelled_on", required=True)
    return _keep(payload)


def _employer_cancel_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    employer = services.employer_by_uscc(principal, str(payload.get("uscc", "")))
    after = {"status": "cancelled", "cancelled_on": _date(payload, "cancelled_on", True)}
    return _diff(employer, _ref(employer), after)


def _employer_cancel(principal: Principal, payload: Mapping[str, Any]) -> str:
    cancelled_on = _date(payload, "cancelled_on", required=True)
    assert cancelled_on is not None
    return _ref(services.cancel_employer(principal, str(payload["uscc"]), cancelled_on))


# --- persons ---------------------------------------------------------------------------------


def _person_register_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    validation.clean_person(principal, payload)
    return _keep(payload)


def _person_register_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    cleaned = validation.clean_person(principal, payload)
    cleaned["id_number"] = mask(cleaned["id_number"])
    return _diff(None, "person (new)", cleaned)


def _person_register(principal: Principal, payload: Mapping[str, Any]) -> str:
    return _ref(services.register_person(principal, payload))


def _person(principal: Principal, payload: Mapping[str, Any]) -> Person:
    return services.person_by_id_number(principal, str(payload.get("id_number", "")))


def _person_change_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    person = _person(principal, payload)
    changes = _rest(payload, "id_number")
    validation.clean_person_change(principal, person, changes)
    sealing.refuse_if_sealed(person, changes, PERSON_SEALABLE)
    return _keep(payload)


def _person_change_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    person = _person(principal, payload)
    cleaned = validation.clean_person_change(principal, person, _rest(payload, "id_number"))
    return _diff(person, _ref(person), cleaned)


def _person_change(principal: Principal, payload: Mapping[str, Any]) -> str:
    person = _person(principal, payload)
    changes = _rest(payload, "id_number")
    sealing.refuse_if_sealed(person, changes, PERSON_SEALABLE)
    return _ref(services.change_person(principal, person.id_number, changes))


def _person_cancel_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    _person(principal, payload)
    _date(payload, "deceased_date", required=False)
    if payload.get("end_month"):
        YearMonth.parse(str(payload["end_month"]), "end_month")
    return _keep(payload)


def _person_cancel_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    person = _person(principal, payload)
    after = {"status": "cancelled", "deceased_date": _date(payload, "deceased_date", False)}
    return _diff(person, _ref(person), after)


def _person_cancel(principal: Principal, payload: Mapping[str, Any]) -> str:
    end = YearMonth.parse(str(payload["end_month"])) if payload.get("end_month") else None
    person = services.cancel_person(
        principal,
        str(payload["id_number"]),
        _date(payload, "deceased_date", required=False),
        end,
    )
    return _ref(person)


# --- insurance relations ---------------------------------------------------------------------


def _relation_start_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    validation.clean_relation(principal, payload)
    return _keep(payload)


def _relation_start_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    cleaned = validation.clean_relation(principal, payload)
    shown = {
        "person": mask(cleaned["person"].id_number),
        "employer": cleaned["employer"].uscc if cleaned["employer"] else None,
        "insurance": cleaned["insurance"],
        "start_month": cleaned["start_month"],
        "end_month": cleaned["end_month"],
    }
    return _diff(None, "relation (new)", shown)


def _relation_start(principal: Principal, payload: Mapping[str, Any]) -> str:
    return _ref(services.start_relation(principal, payload))


def _open_relation(principal: Principal, payload: Mapping[str, Any]) -> InsuranceRelation:
    if payload.get("relation_id") not in (None, ""):
        try:
            return services.relation_by_id(principal, int(payload["relation_id"]))
        except (TypeError, ValueError):
            raise InvalidInput.one(
                "relation_id", "bad_id", "关系编号应为整数", "relation_id is a number"
            ) from None
    person = _person(principal, payload)
    relation = person.relations.filter(
        insurance=payload.get("insurance"), end_month__isnull=True
    ).first()
    if relation is None:
        raise InvalidInput.one(
            "insurance",
            "no_open_relation",
            "该人员没有此险种的未终止参保关系",
            "the person has no open relation of this insurance",
        )
    return relation


def _relation_end_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    relation = _open_relation(principal, payload)
    validation.clean_relation_end(principal, relation, {"end_month": payload.get("end_month")})
    return _keep(payload)


def _relation_end_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    relation = _open_relation(principal, payload)
    end = validation.clean_relation_end(
        principal, relation, {"end_month": payload.get("end_month")}
    )
    return _diff(relation, _ref(relation), {"end_month": end})


def _relation_end(principal: Principal, payload: Mapping[str, Any]) -> str:
    relation = _open_relation(principal, payload)
    ended = services.end_relation(principal, relation.pk, {"end_month": payload.get("end_month")})
    return _ref(ended)


# --- corrections of sealed data (record.correct, all five stages, maintenance log) ----------

CORRECTION_FIELDS = ("object", "key", "changes", "reason", "method")


def _target(principal: Principal, payload: Mapping[str, Any]) -> tuple[str, Model]:
    kind, key = payload.get("object"), payload.get("key")
    if kind == "person":
        return kind, services.person_by_id_number(principal, str(key or ""))
    if kind == "employer":
        return kind, services.employer_by_uscc(principal, str(key or ""))
    if kind == "relation":
        try:
            return kind, services.relation_by_id(principal, int(str(key)))
        except ValueError:
            raise InvalidInput.one(
                "key", "bad_id", "关系编号应为整数", "a relation key is its number"
            ) from None
    raise InvalidInput.one(
        "object",
        "bad_object",
        "更正对象须为 person、employer 或 relation",
        "the object is person, employer or relation",
    )


def _correction(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Every reason at once: the frame (reason, method, changes) and the changes themselves."""
    problems: list[InvalidInput] = []
    unknown = sorted(set(payload) - set(CORRECTION_FIELDS))
    for name in unknown:
        problems.append(InvalidInput.one(name, "unknown_field", "未知字段", "unknown field"))
    for name, zh in (("reason", "更正原因"), ("method", "更正方式（依据）")):
        if not str(payload.get(name) or "").strip():
            problems.append(
                InvalidInput.one(
                    name,
                    "required",
                    f"须写明{zh}（001 第十二条）",
                    f"the {name} is required (001 art. 12)",
                )
            )
    changes = payload.get("changes")
    if not isinstance(changes, Mapping):
        problems.append(
            InvalidInput.one("changes", "not_object", "changes 须为对象", "changes is an object")
        )
        changes = {}
    cleaned: dict[str, Any] = {}
    try:
        kind, row = _target(principal, payload)
        cleaners: dict[str, Callable[..., dict[str, Any]]] = {
            "person": validation.clean_person_correction,
            "employer": validation.clean_employer_correction,
            "relation": validation.clean_relation_correction,
        }
        cleaner = cleaners[kind]
        cleaned = {"row": row, "values": cleaner(principal, row, changes)}
    except InvalidInput as exc:
        problems.append(exc)
    if problems:
        raise InvalidInput([error for problem in problems for error in problem.errors])
    return cleaned


def _correct_check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    _correction(principal, payload)
    return _keep(payload)


def _correct_diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    cleaned = _correction(principal, payload)
    row = cleaned["row"]
    return _diff(row, _ref(row), cleaned["values"])


def _correct(principal: Principal, payload: Mapping[str, Any]) -> str:
    kind = payload["object"]
    changes = payload["changes"]
    if kind == "person":
        return _ref(services.correct_person(principal, str(payload["key"]), changes))
    if kind == "employer":
        return _ref(services.correct_employer(principal, str(payload["key"]), changes))
    return _ref(services.correct_relation(principal, int(str(payload["key"])), changes))


def _fields(*specs: tuple[str, str, str, bool]) -> tuple[FormField, ...]:
    return tuple(FormField(name, zh, en, required) for name, zh, en, required in specs)


ID = ("id_number", "公民身份号码", "id number", True)
USCC = ("uscc", "统一社会信用代码", "credit code", True)

for case_type in (
    CaseType(
        "employer.register",
        "单位参保登记",
        "employer registration",
        REGISTRY_STAGES,
        _employer_register_check,
        _employer_register_diff,
        _employer_register,
        _fields(
            USCC,
            ("name", "单位名称", "name", True),
            ("region", "所在行政区划", "region", True),
            ("address", "地址", "address", False),
            ("injury_class", "工伤行业风险类别(1-8)", "injury class (1-8)", True),
        ),
    ),
    CaseType(
        "employer.change",
        "单位变更登记",
        "employer change",
        REGISTRY_STAGES,
        _employer_change_check,
        _employer_change_diff,
        _employer_change,
        _fields(
            USCC,
            ("name", "单位名称", "name", False),
            ("region", "所在行政区划", "region", False),
            ("address", "地址", "address", False),
            ("injury_class", "工伤行业风险类别(1-8)", "injury class (1-8)", False),
        ),
    ),
    CaseType(
        "employer.cancel",
        "单位注销登记",
        "employer cancellation",
        REGISTRY_STAGES,
        _employer_cancel_check,
        _employer_cancel_diff,
        _employer_cancel,
        _fields(USCC, ("cancelled_on", "注销日期", "cancelled on (YYYY-MM-DD)", True)),
    ),
    CaseType(
        "person.register",
        "个人参保登记",
        "person registration",
        REGISTRY_STAGES,
        _person_register_check,
        _person_register_diff,
        _person_register,
        _fields(
            ID,
            ("name", "姓名", "name", True),
            ("phone", "联系电话", "phone", False),
            ("hukou_region", "户口所在地", "hukou region", True),
            ("residence_region", "常住所在地", "residence region", True),
            ("category", "人员类别(employee/resident)", "category (employee/resident)", True),
            ("guardian_id_number", "监护人公民身份号码", "guardian's id number", False),
        ),
    ),
    CaseType(
        "person.change",
        "个人变更登记",
        "person change",
        REGISTRY_STAGES,
        _person_change_check,
        _person_change_diff,
        _person_change,
        _fields(
            ID,
            ("name", "姓名", "name", False),
            ("phone", "联系电话", "phone", False),
            ("hukou_region", "户口所在地", "hukou region", False),
            ("residence_region", "常住所在地", "residence region", False),
        ),
    ),
    CaseType(
        "person.cancel",
        "个人注销登记",
        "person cancellation",
        REGISTRY_STAGES,
        _person_cancel_check,
        _person_cancel_diff,
        _person_cancel,
        _fields(
            ID,
            ("deceased_date", "死亡日期", "date of death", False),
            ("end_month", "关系终止年月", "relations end (YYYY-MM)", False),
        ),
    ),
    CaseType(
        "relation.start",
        "参保关系建立",
        "relation start",
        REGISTRY_STAGES,
        _relation_start_check,
        _relation_start_diff,
        _relation_start,
        _fields(
            ID,
            ("uscc", "统一社会信用代码", "credit code", False),
            ("insurance", "险种", "insurance", True),
            ("start_month", "开始年月", "start month (YYYY-MM)", True),
        ),
    ),
    CaseType(
        "relation.end",
        "参保关系终止",
        "relation end",
        REGISTRY_STAGES,
        _relation_end_check,
        _relation_end_diff,
        _relation_end,
        _fields(
            ID,
            ("insurance", "险种", "insurance", True),
            ("end_month", "终止年月", "end month (YYYY-MM)", True),
        ),
    ),
    CaseType(
        "record.correct",
        "权益记录更正",
        "record correction",
        ALL_STAGES,
        _correct_check,
        _correct_diff,
        _correct,
        (),
        maintenance=True,
    ),
):
    register(case_type)
