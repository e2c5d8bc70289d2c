"""The registry's case types: every registration, change, cancellation and correction is a
business case, applied only by its final approval (001 art. 6, 7; DESIGN invariant 1).

Intake checks a payload with ``registry.validation`` (every reason at once, the rules the
services enforce) and keeps what it cleaned. The services check again when the approval writes,
against the data as it is then (an id number registered meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, ClassVar, Protocol

from django.db.models import Model

from quanyi.core.bounds import parse_id
from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask, parse_id_number
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import queries, schemas, services, validation
from quanyi.registry.models import InsuranceRelation, Person
from quanyi.workflow import sealing
from quanyi.workflow.stages import ALL_STAGES, REGISTRY_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, fields, register

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


def _name_of(row: Model | None, after: Mapping[str, Any]) -> str:
    """How a user knows the row: a person's or employer's name, a relation's person."""
    if isinstance(row, InsuranceRelation):
        return row.person.name
    if row is not None:
        return str(getattr(row, "name", ""))
    return str(after.get("name") or "")


def _diff(row: Model | None, label: str, after: Mapping[str, Any]) -> list[Change]:
    name = _name_of(row, after)
    return [
        Change(
            label,
            field,
            _plain(getattr(row, field, None)) if row is not None else None,
            _plain(value),
            name,
        )
        for field, value in after.items()
        if row is None or _plain(getattr(row, field, None)) != _plain(value)
    ]


def _rest(payload: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in keys}


def _guardian_number(guardian: Person | None) -> str | None:
    return guardian.id_number if guardian is not None else None


def _with_guardian_shown(changes: Mapping[str, Any]) -> dict[str, Any]:
    """A guardian shows as a masked id number, before and after, never in full."""
    shown = dict(changes)
    if "guardian_id_number" in shown:
        number = shown.pop("guardian_id_number")
        shown["guardian"] = mask(number) if number else None
    return shown


USCC = ("uscc", "统一社会信用代码", "credit code", True)
ID = ("id_number", "公民身份号码", "id number", True)


# --- employers -------------------------------------------------------------------------------


@register
class EmployerRegister(CaseType[schemas.EmployerRegistration]):
    name = "employer.register"
    zh = "单位参保登记"
    en = "employer registration"
    stages = REGISTRY_STAGES
    payload = schemas.EmployerRegistration
    fields = fields(
        USCC,
        ("name", "单位名称", "name", True),
        ("region", "所在行政区划", "region", True),
        ("address", "地址", "address", False),
        ("injury_class", "工伤行业风险类别(1-8)", "injury class (1-8)", True),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.EmployerRegistration:
        return self.parse(validation.clean_employer(principal, data))

    def changes(self, principal: Principal, payload: schemas.EmployerRegistration) -> list[Change]:
        return _diff(None, "employer (new)", payload.model_dump(mode="json"))

    def apply(self, principal: Principal, payload: schemas.EmployerRegistration) -> str:
        return _ref(services.register_employer(principal, payload.model_dump(mode="json")))


@register
class EmployerChange(CaseType[schemas.EmployerChange]):
    name = "employer.change"
    zh = "单位变更登记"
    en = "employer change"
    stages = REGISTRY_STAGES
    payload = schemas.EmployerChange
    fields = fields(
        USCC,
        ("name", "单位名称", "name", False),
        ("region", "所在行政区划", "region", False),
        ("address", "地址", "address", False),
        ("injury_class", "工伤行业风险类别(1-8)", "injury class (1-8)", False),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.EmployerChange:
        employer = services.employer_by_uscc(principal, str(data.get("uscc", "")))
        changes = _rest(data, "uscc")
        cleaned = validation.clean_employer_change(principal, employer, changes)
        sealing.refuse_if_sealed(employer, changes, EMPLOYER_SEALABLE)
        return self.parse({"uscc": employer.uscc, **cleaned})

    def changes(self, principal: Principal, payload: schemas.EmployerChange) -> list[Change]:
        employer = services.employer_by_uscc(principal, payload.uscc)
        return _diff(employer, _ref(employer), payload.changed())

    def apply(self, principal: Principal, payload: schemas.EmployerChange) -> str:
        employer = services.employer_by_uscc(principal, payload.uscc)
        changes = payload.changed()
        sealing.refuse_if_sealed(employer, changes, EMPLOYER_SEALABLE)  # sealed meanwhile
        return _ref(services.change_employer(principal, employer.uscc, changes))


@register
class EmployerCancel(CaseType[schemas.EmployerCancellation]):
    name = "employer.cancel"
    zh = "单位注销登记"
    en = "employer cancellation"
    stages = REGISTRY_STAGES
    payload = schemas.EmployerCancellation
    fields = fields(USCC, ("cancelled_on", "注销日期", "cancelled on", True))

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.EmployerCancellation:
        payload = self.parse(data)
        services.employer_by_uscc(principal, payload.uscc)
        return payload

    def changes(self, principal: Principal, payload: schemas.EmployerCancellation) -> list[Change]:
        employer = services.employer_by_uscc(principal, payload.uscc)
        after = {"status": "cancelled", "cancelled_on": payload.cancelled_on}
        return _diff(employer, _ref(employer), after)

    def apply(self, principal: Principal, payload: schemas.EmployerCancellation) -> str:
        return _ref(services.cancel_employer(principal, payload.uscc, payload.cancelled_on))


# --- persons ---------------------------------------------------------------------------------


@register
class PersonRegister(CaseType[schemas.PersonRegistration]):
    name = "person.register"
    zh = "个人参保登记"
    en = "person registration"
    stages = REGISTRY_STAGES
    payload = schemas.PersonRegistration
    fields = fields(
        ID,
        ("name", "姓名", "name", True),
        ("phone", "联系电话", "phone", False),
        ("hukou_region", "户口所在地", "hukou region", True),
        ("residence_region", "常住所在地", "residence region", True),
        ("category", "人员类别", "category", True),
        ("guardian_id_number", "监护人公民身份号码", "guardian's id number", False),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.PersonRegistration:
        cleaned = validation.clean_person(principal, data)
        guardian = cleaned.pop("guardian")
        del cleaned["sex"], cleaned["birth_date"]  # derived from the id number, never typed
        return self.parse({**cleaned, "guardian_id_number": _guardian_number(guardian)})

    def changes(self, principal: Principal, payload: schemas.PersonRegistration) -> list[Change]:
        identity = parse_id_number(payload.id_number)  # for its sex and birth date
        shown = {
            "id_number": mask(identity.number),
            "sex": identity.sex,
            "birth_date": identity.birth_date,
            **_with_guardian_shown(payload.model_dump(mode="json", exclude={"id_number"})),
        }
        return _diff(None, "person (new)", shown)

    def apply(self, principal: Principal, payload: schemas.PersonRegistration) -> str:
        return _ref(services.register_person(principal, payload.model_dump(mode="json")))


@register
class PersonChange(CaseType[schemas.PersonChange]):
    name = "person.change"
    zh = "个人变更登记"
    en = "person change"
    stages = REGISTRY_STAGES
    payload = schemas.PersonChange
    fields = fields(
        ID,
        ("name", "姓名", "name", False),
        ("phone", "联系电话", "phone", False),
        ("hukou_region", "户口所在地", "hukou region", False),
        ("residence_region", "常住所在地", "residence region", False),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.PersonChange:
        person = services.person_by_id_number(principal, str(data.get("id_number", "")))
        changes = _rest(data, "id_number")
        cleaned = validation.clean_person_change(principal, person, changes)
        sealing.refuse_if_sealed(person, changes, PERSON_SEALABLE)
        if "guardian" in cleaned:
            cleaned["guardian_id_number"] = _guardian_number(cleaned.pop("guardian"))
        return self.parse({"id_number": person.id_number, **cleaned})

    def changes(self, principal: Principal, payload: schemas.PersonChange) -> list[Change]:
        person = services.person_by_id_number(principal, payload.id_number)
        after = _with_guardian_shown(payload.changed())
        before = {
            name: (mask(person.guardian.id_number) if person.guardian else None)
            if name == "guardian"
            else getattr(person, name)
            for name in after
        }
        return [
            Change(_ref(person), name, _plain(before[name]), _plain(value), person.name)
            for name, value in after.items()
            if _plain(before[name]) != _plain(value)
        ]

    def apply(self, principal: Principal, payload: schemas.PersonChange) -> str:
        person = services.person_by_id_number(principal, payload.id_number)
        changes = payload.changed()
        sealing.refuse_if_sealed(person, changes, PERSON_SEALABLE)  # sealed meanwhile
        return _ref(services.change_person(principal, person.id_number, changes))


@register
class PersonCancel(CaseType[schemas.PersonCancellation]):
    name = "person.cancel"
    zh = "个人注销登记"
    en = "person cancellation"
    stages = REGISTRY_STAGES
    payload = schemas.PersonCancellation
    fields = fields(
        ID,
        ("deceased_date", "死亡日期", "date of death", False),
        ("end_month", "关系终止年月", "relations end (YYYY-MM)", False),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.PersonCancellation:
        payload = self.parse(data)
        services.person_by_id_number(principal, payload.id_number)
        return payload

    def changes(self, principal: Principal, payload: schemas.PersonCancellation) -> list[Change]:
        person = services.person_by_id_number(principal, payload.id_number)
        after = {"status": "cancelled", "deceased_date": payload.deceased_date}
        return _diff(person, _ref(person), after)

    def apply(self, principal: Principal, payload: schemas.PersonCancellation) -> str:
        end = YearMonth.parse(payload.end_month) if payload.end_month else None
        person = services.cancel_person(principal, payload.id_number, payload.deceased_date, end)
        return _ref(person)


# --- insurance relations ---------------------------------------------------------------------


@register
class RelationStart(CaseType[schemas.RelationStart]):
    name = "relation.start"
    zh = "参保关系建立"
    en = "relation start"
    stages = REGISTRY_STAGES
    payload = schemas.RelationStart
    fields = fields(
        ID,
        ("uscc", "统一社会信用代码", "credit code", False),
        ("insurance", "险种", "insurance", True),
        ("start_month", "开始年月", "start month (YYYY-MM)", True),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.RelationStart:
        cleaned = validation.clean_relation(principal, data)
        employer = cleaned["employer"]
        return self.parse(
            {
                "id_number": cleaned["person"].id_number,
                "uscc": employer.uscc if employer is not None else None,
                "insurance": cleaned["insurance"],
                "start_month": cleaned["start_month"],
                "end_month": cleaned["end_month"],
            }
        )

    def changes(self, principal: Principal, payload: schemas.RelationStart) -> list[Change]:
        shown = {
            "person": mask(payload.id_number),
            "employer": payload.uscc,
            "insurance": payload.insurance,
            "start_month": payload.start_month,
            "end_month": payload.end_month,
        }
        return _diff(None, "relation (new)", shown)

    def apply(self, principal: Principal, payload: schemas.RelationStart) -> str:
        return _ref(
            services.start_relation(principal, payload.model_dump(mode="json", exclude_none=True))
        )


RELATION_END_FIELDS = ("relation_id", "id_number", "insurance", "end_month")


def _open_relation(principal: Principal, data: Mapping[str, Any]) -> InsuranceRelation:
    if data.get("relation_id") not in (None, ""):
        try:
            return services.relation_by_id(principal, int(data["relation_id"]))
        except (TypeError, ValueError):
            raise InvalidInput.one(
                "relation_id", "bad_id", "关系编号应为整数", "relation_id is a number"
            ) from None
    person = services.person_by_id_number(principal, str(data.get("id_number", "")))
    relation = person.relations.filter(
        insurance=data.get("insurance"), end_month__isnull=True
    ).first()
    if relation is None:
        raise InvalidInput.one(
            "insurance",
            "no_open_relation",
            "该人员没有此险种的未终止参保关系",
            "the person has no open relation of this insurance",
        )
    return relation


@register
class RelationEnd(CaseType[schemas.RelationEnd]):
    name = "relation.end"
    zh = "参保关系终止"
    en = "relation end"
    stages = REGISTRY_STAGES
    payload = schemas.RelationEnd
    fields = fields(
        ID,
        ("insurance", "险种", "insurance", True),
        ("end_month", "终止年月", "end month (YYYY-MM)", True),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.RelationEnd:
        unknown = sorted(set(data) - set(RELATION_END_FIELDS))
        if unknown:
            raise InvalidInput.one(unknown[0], "unknown_field", "未知字段", "unknown field")
        relation = _open_relation(principal, data)
        end = validation.clean_relation_end(
            principal, relation, {"end_month": data.get("end_month")}
        )
        return self.parse(
            {
                "relation_id": relation.pk,
                "id_number": relation.person.id_number,
                "insurance": relation.insurance,
                "end_month": end,
            }
        )

    def changes(self, principal: Principal, payload: schemas.RelationEnd) -> list[Change]:
        relation = services.relation_by_id(principal, payload.relation_id)
        return _diff(relation, _ref(relation), {"end_month": payload.end_month})

    def apply(self, principal: Principal, payload: schemas.RelationEnd) -> str:
        ended = services.end_relation(
            principal, payload.relation_id, {"end_month": payload.end_month}
        )
        return _ref(ended)


# --- deemed months (视同缴费认定, all five stages) ---------------------------------------------


@register
class PersonDeemed(CaseType[schemas.DeemedFinding]):
    """Months worked before personal contributions began that count as contribution months
    for the pension (视同缴费年限, 国发〔1997〕26号), found from the person's archive; five
    stages, as they move a benefit as much as a correction does (003 §4-5)."""

    name = "person.deemed"
    zh = "视同缴费认定"
    en = "deemed contribution period"
    stages = ALL_STAGES
    payload = schemas.DeemedFinding
    fields = (
        FormField("id_number", "公民身份号码", "id number", True, "id_number"),
        FormField("deemed_months", "视同缴费月数（0-600）", "deemed months (0-600)", True),
        FormField(
            "source",
            "认定依据（档案材料）",
            "source (the archive document)",
            True,
            "textarea",
        ),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.DeemedFinding:
        """Every reason at once: the person, the months and the source."""
        problems: list[InvalidInput] = []
        person: Person | None = None
        try:
            person = services.person_by_id_number(principal, str(data.get("id_number") or ""))
        except InvalidInput as exc:
            problems.append(exc)
        current = queries.deemed_months(person.pk) if person is not None else -1
        try:
            cleaned = validation.clean_deemed(current, data)
        except InvalidInput as exc:
            problems.append(exc)
        if problems:
            raise InvalidInput([error for problem in problems for error in problem.errors])
        assert person is not None
        return self.parse({"id_number": person.id_number, **cleaned})

    def changes(self, principal: Principal, payload: schemas.DeemedFinding) -> list[Change]:
        person = services.person_by_id_number(principal, payload.id_number)
        months, source = queries.latest_deemed(person.pk)
        return [
            Change(_ref(person), "deemed_months", months, payload.deemed_months, person.name),
            Change(_ref(person), "deemed_source", source or None, payload.source, person.name),
        ]

    def apply(self, principal: Principal, payload: schemas.DeemedFinding) -> str:
        row = services.record_deemed(
            principal, payload.id_number, payload.deemed_months, payload.source
        )
        return f"deemed_months {row.pk}"


# --- corrections of sealed data (record.correct, all five stages, maintenance log) ----------

CORRECTION_FIELDS = ("object", "key", "changes", "reason", "method")
CLEANERS: dict[str, Callable[..., dict[str, Any]]] = {
    "person": validation.clean_person_correction,
    "employer": validation.clean_employer_correction,
    "relation": validation.clean_relation_correction,
}


class CorrectionObject(Protocol):
    """What a domain above the registry corrects through ``record.correct`` — contribution
    lines, the personal account — registered with ``correction_object`` from its
    ``AppConfig.ready``: the registry cannot import those domains, and the case stays one type.
    ``clean`` is intake (every reason at once, nothing written) and returns the key and the
    changes as the case keeps them; ``apply`` writes through the domain's own services."""

    fields: tuple[str, ...]

    def clean(
        self, principal: Principal, key: Any, changes: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]: ...

    def changes(
        self, principal: Principal, key: str, changes: Mapping[str, Any]
    ) -> list[Change]: ...

    def apply(self, principal: Principal, key: str, changes: Mapping[str, Any]) -> str: ...


OBJECTS: dict[str, CorrectionObject] = {}


def correction_object(kind: str, handler: CorrectionObject) -> None:
    """Let ``record.correct`` correct objects of ``kind`` through ``handler``."""
    OBJECTS[kind] = handler
    RecordCorrect.correctable[kind] = handler.fields


def _known_objects() -> str:
    return "、".join(("person", "employer", "relation", *OBJECTS))


def _target(principal: Principal, kind: Any, key: Any) -> Model:
    if kind == "person":
        return services.person_by_id_number(principal, str(key or ""))
    if kind == "employer":
        return services.employer_by_uscc(principal, str(key or ""))
    if kind == "relation":
        return services.relation_by_id(principal, parse_id(key, "key"))
    known = _known_objects()
    raise InvalidInput.one(
        "object",
        "bad_object",
        f"更正对象须为 {known} 之一",
        f"the object is one of {known.replace('、', ', ')}",
    )


def _key(kind: str, row: Model) -> str:
    if isinstance(row, Person):
        return row.id_number
    return str(row.pk) if kind == "relation" else str(getattr(row, "uscc", row.pk))


@register
class RecordCorrect(CaseType[schemas.Correction]):
    name = "record.correct"
    zh = "权益记录更正"
    en = "record correction"
    stages = ALL_STAGES
    payload = schemas.Correction
    maintenance = True
    subject_keys = ("key",)  # the id number, credit code or relation number corrected
    # Objects of the domains above are added by ``correction_object``.
    correctable: ClassVar[dict[str, tuple[str, ...]]] = {
        "person": validation.PERSON_CORRECTABLE,
        "employer": validation.EMPLOYER_CORRECTABLE,
        "relation": validation.RELATION_CORRECTABLE,
    }

    def check(self, principal: Principal, data: Mapping[str, Any]) -> schemas.Correction:
        """Every reason at once: the frame (reason, method, changes) and the changes
        themselves."""
        problems: list[InvalidInput] = []
        for name in sorted(set(data) - set(CORRECTION_FIELDS)):
            problems.append(InvalidInput.one(name, "unknown_field", "未知字段", "unknown field"))
        for name, zh in (("reason", "更正原因"), ("method", "更正方式（依据）")):
            if not str(data.get(name) or "").strip():
                problems.append(
                    InvalidInput.one(
                        name,
                        "required",
                        f"须写明{zh}（001 第十二条）",
                        f"the {name} is required (001 art. 12)",
                    )
                )
        changes = data.get("changes")
        if not isinstance(changes, Mapping):
            problems.append(
                InvalidInput.one(
                    "changes", "not_object", "changes 须为对象", "changes is an object"
                )
            )
            changes = {}
        kind = str(data.get("object") or "")
        key = ""
        kept: dict[str, Any] = dict(changes)
        try:
            handler = OBJECTS.get(kind)
            if handler is not None:
                key, kept = handler.clean(principal, data.get("key"), changes)
            else:
                row = _target(principal, kind, data.get("key"))
                CLEANERS[kind](principal, row, changes)
                key = _key(kind, row)
        except InvalidInput as exc:
            problems.append(exc)
        if problems:
            raise InvalidInput([error for problem in problems for error in problem.errors])
        return self.parse(
            {
                "object": kind,
                "key": key,
                "changes": kept,
                "reason": str(data["reason"]).strip(),
                "method": str(data["method"]).strip(),
            }
        )

    def changes(self, principal: Principal, payload: schemas.Correction) -> list[Change]:
        """The corrected values as the rules derive them from the data now (a corrected id
        number brings its sex and birth date)."""
        handler = OBJECTS.get(payload.object)
        if handler is not None:
            return handler.changes(principal, payload.key, payload.changes)
        row = _target(principal, payload.object, payload.key)
        values = CLEANERS[payload.object](principal, row, payload.changes)
        return _diff(row, _ref(row), values)

    def apply(self, principal: Principal, payload: schemas.Correction) -> str:
        handler = OBJECTS.get(payload.object)
        if handler is not None:
            return handler.apply(principal, payload.key, payload.changes)
        if payload.object == "person":
            return _ref(services.correct_person(principal, payload.key, payload.changes))
        if payload.object == "employer":
            return _ref(services.correct_employer(principal, payload.key, payload.changes))
        return _ref(
            services.correct_relation(principal, parse_id(payload.key, "key"), payload.changes)
        )
