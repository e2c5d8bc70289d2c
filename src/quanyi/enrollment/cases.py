"""The enrollment registry's case types (002 art. 19, 21; DESIGN invariant 1): a population
file from another department and a household survey's result are each a case, applied only by
its final approval at the county level.

- ``enrollment.import``: the file is kept sealed under its SHA-256 and attached; intake reads
  every row and refuses the file with every bad row named; the approval adds the rows.
- ``enrollment.survey``: community staff enter what the survey found; the county reviews and
  approves it; the approval writes the result (clearing that run's "needs survey" flag) and any
  corrected details as a new version of the person.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from quanyi.core.errors import ErrorCollector, InvalidInput, QuanyiError
from quanyi.core.identifiers import mask, mask_phone
from quanyi.core.principal import Principal
from quanyi.core.schemas import Payload
from quanyi.enrollment import queries, services, validation
from quanyi.enrollment.codes import REASONS, employment_code
from quanyi.enrollment.models import Resident, Run
from quanyi.workflow.services import read_content
from quanyi.workflow.stages import REGISTRY_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, register

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class PopulationFile(Payload):
    """A population file (002 art. 9) by its name, the SHA-256 it is stored under and its
    source department."""

    source: str
    file: str
    sha256: Sha256


def read_stored(name: str, sha: str) -> list[validation.Row]:
    """The rows of a stored population file, checked (``validation.read``)."""
    try:
        content = read_content(sha)
    except (OSError, QuanyiError):
        raise InvalidInput.one("file", "unreadable", "文件缺失", "the file is missing") from None
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".xlsx", ".csv") else ".csv"
    with tempfile.TemporaryDirectory(prefix="quanyi-enrol-") as folder:
        path = Path(folder) / f"{Path(name).stem or 'population'}{suffix}"
        path.write_bytes(content)
        path.chmod(0o600)
        return validation.read(path)


@register
class ImportPopulation(CaseType[PopulationFile]):
    name = "enrollment.import"
    zh = "全民参保登记数据导入"
    en = "enrollment population import"
    stages = REGISTRY_STAGES
    payload = PopulationFile
    diff_at_intake = False  # up to millions of rows, each checked by intake already
    subject_keys = ()
    screen = "enrollment-import"

    def check(self, principal: Principal, data: Mapping[str, Any]) -> PopulationFile:
        found = self.parse(data)
        validation.check_source(found.source)
        read_stored(found.file, found.sha256)
        return found

    def changes(self, principal: Principal, payload: PopulationFile) -> list[Change]:
        rows = read_stored(payload.file, payload.sha256)
        made = [Change("enrollment_resident", "rows", None, len(rows), payload.source)]
        leaving = sum(1 for row in rows if row.exit_reason)
        if leaving:  # the reviewers see how many leave the population (deaths, emigrations)
            made.append(Change("enrollment_resident", "leaving", None, leaving, payload.source))
        return made

    def apply(self, principal: Principal, payload: PopulationFile) -> str:
        rows = read_stored(payload.file, payload.sha256)
        count = services.add_residents(principal, payload.source.strip(), rows)
        return f"enrollment residents {count}"


OUTCOMES = (
    "enrolled_here",
    "enrolled_elsewhere",
    "corrected",
    "not_enrolling",
    "moved_away",
    "deceased",
)
CORRECTABLE = (
    "employment_status",
    "not_enrolled_reason",
    "elsewhere_region",
    "residence_region",
    "phone",
)


class SurveyResult(Payload):
    """What a household survey found for one person on a run's list (002 art. 18-19)."""

    id_number: str
    run_id: int
    outcome: str
    surveyed_on: date
    note: str = ""
    employment_status: str | None = None
    not_enrolled_reason: str | None = None
    elsewhere_region: str | None = None
    residence_region: str | None = None
    phone: str | None = None


def _target(principal: Principal, payload: SurveyResult) -> tuple[Resident, Run]:
    """The person as the run listed them (a later version, say from an earlier survey's
    corrections, still answers for that run's flag) and the run."""
    run = Run.objects.filter(pk=payload.run_id).first()
    current = queries.resident_by_number(principal, payload.id_number)
    if current is None or run is None:
        raise InvalidInput.one(
            "id_number",
            "not_listed",
            "登记库中没有此人，或比对批次不存在",
            "no such person in the registry, or no such match run",
        )
    finding = queries.finding_for_number(principal, run, payload.id_number)
    if finding is None or not finding.needs_survey:
        raise InvalidInput.one(
            "id_number",
            "not_flagged",
            "此人在该批次中未标识为需调查登记人员",
            "this person is not flagged for survey in that run",
        )
    if queries.is_cleared(run.pk, finding.resident_id):
        raise InvalidInput.one(
            "id_number",
            "cleared",
            "此人的调查结果已审定",
            "this person's survey is approved already",
        )
    listed = Resident.objects.get(pk=finding.resident_id)
    return listed, run


def _corrections(payload: SurveyResult) -> dict[str, str]:
    errors = ErrorCollector()
    found: dict[str, str] = {}
    if payload.employment_status is not None:
        code = employment_code(payload.employment_status)
        if code is None:
            errors.add("employment_status", "bad_code", "未知的就业状态代码", "unknown code")
        else:
            found["employment_status"] = code
    if payload.not_enrolled_reason is not None:
        if payload.not_enrolled_reason not in REASONS and payload.not_enrolled_reason:
            errors.add("not_enrolled_reason", "bad_code", "未知的未参保原因", "unknown reason")
        else:
            found["not_enrolled_reason"] = payload.not_enrolled_reason
    for name in ("elsewhere_region", "residence_region"):
        value = getattr(payload, name)
        if value is not None:
            if value and not validation.division_ok(value):
                errors.add(name, "bad_region", "行政区划代码无效", "not a known region code")
            else:
                found[name] = value
    if payload.phone is not None:
        if payload.phone and not (len(payload.phone) == 11 and payload.phone.isdigit()):
            errors.add(
                "phone", "bad_phone", "手机号码应为 11 位数字", "a mobile number is 11 digits"
            )
        else:
            found["phone"] = payload.phone
    errors.raise_if_any()
    return found


@register
class EnterSurvey(CaseType[SurveyResult]):
    name = "enrollment.survey"
    zh = "全民参保入户调查结果"
    en = "enrollment survey result"
    stages = REGISTRY_STAGES
    payload = SurveyResult
    fields = (
        FormField("id_number", "公民身份号码", "id number", True, "id_number"),
        FormField("run_id", "比对批次", "match run", True),
        FormField("outcome", "调查结论", "outcome", True, "choice", "survey_outcome"),
        FormField("surveyed_on", "调查日期", "surveyed on", True, "date"),
        FormField("note", "备注", "note", False, "textarea"),
        FormField(
            "employment_status",
            "就业状态",
            "employment status",
            False,
            "choice",
            "employment_status",
        ),
        FormField(
            "not_enrolled_reason",
            "未参保原因",
            "reason for not enrolling",
            False,
            "choice",
            "not_enrolled_reason",
        ),
        FormField("phone", "联系电话", "phone", False),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> SurveyResult:
        found = self.parse(data)
        if found.outcome not in OUTCOMES:
            raise InvalidInput.one(
                "outcome", "bad_code", "调查结论须从列表中选择", "choose the outcome from the list"
            )
        if len(found.note) > 200:
            raise InvalidInput.one("note", "too_long", "备注至多 200 字", "at most 200 characters")
        _corrections(found)
        _target(principal, found)
        return found

    def changes(self, principal: Principal, payload: SurveyResult) -> list[Change]:
        listed, _ = _target(principal, payload)
        resident = queries.resident_by_number(principal, payload.id_number) or listed
        label = f"enrollment_resident {mask(resident.id_number)}"
        made = [Change(label, "needs_survey", True, False, resident.name)]
        made.append(Change(label, "outcome", None, payload.outcome, resident.name))
        for name, value in _corrections(payload).items():
            before = getattr(resident, name)
            if before != value:
                if name == "phone":
                    before, value = mask_phone(before), mask_phone(value)
                made.append(Change(label, name, before, value, resident.name))
        return made

    def apply(self, principal: Principal, payload: SurveyResult) -> str:
        listed, run = _target(principal, payload)
        latest = queries.resident_by_number(principal, payload.id_number) or listed
        corrections = {
            name: value
            for name, value in _corrections(payload).items()
            if getattr(latest, name) != value
        }
        if payload.outcome in ("deceased", "moved_away"):
            corrections["exit_reason"] = (
                "deceased" if payload.outcome == "deceased" else "emigrated"
            )
        if corrections:
            services.amend_resident(principal, latest, corrections)
        # The result clears the flag of the row the run listed, not of the new version.
        survey = services.record_survey(
            principal, listed, run.pk, payload.outcome, payload.note, payload.surveyed_on
        )
        return f"enrollment survey {survey.pk}"
