"""The universal enrollment registry (全民参保登记库, 002 art. 7): everyone in the region, insured
or not, as other departments' files and surveys report them; each cross-match run and what it
found per person; each survey result the county approved.

Every table is an append-only ledger (DESIGN invariant 2): a person's newer details are a new
``Resident`` row for the same id number (the latest one counts), a match is a new run with its
findings, a cleared "needs survey" flag is a ``Survey`` row. Id numbers and phones are sealed
at rest and found by blind index (invariant 9); ``name_index`` is the keyed digest of the name
the match compares, so no name leaves the database in the clear either.
"""

from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked
from quanyi.core.fields import BlindIndex, SealedText

RESIDENT_FIELDS = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "hukou_region",
    "residence_region",
    "employment_status",
    "phone",
    "not_enrolled_reason",
    "elsewhere_region",
    "exit_reason",
    "source",
    "agency_region",
    "case_id",
)


@append_only
@tracked("enrollment_resident", RESIDENT_FIELDS)
class Resident(models.Model):
    id_number = SealedText("公民身份号码", purpose="id_number", max_length=18)
    name = models.CharField("姓名", max_length=100)
    name_index = BlindIndex(source="name", purpose="enrollment_name", null=True)
    sex = models.CharField("性别", max_length=1)
    birth_date = models.DateField("出生日期")
    hukou_region = models.CharField("户口所在地", max_length=12, blank=True, default="")
    # A county code, or a street (9 digits) or community (12 digits) code within one: the
    # survey lists go by it (002 art. 17).
    residence_region = models.CharField("常住所在地", max_length=12, db_index=True)
    employment_status = models.CharField("就业状态", max_length=4, blank=True, default="")
    phone = SealedText("联系电话", purpose="phone", max_length=11, blank=True, default="")
    not_enrolled_reason = models.CharField("未参保原因", max_length=2, blank=True, default="")
    elsewhere_region = models.CharField("异地参保地", max_length=6, blank=True, default="")
    # "deceased" or "emigrated" as another department reported it: out of the population.
    exit_reason = models.CharField("减少原因", max_length=10, blank=True, default="")
    source = models.CharField("数据来源", max_length=60)
    # The agency whose registry holds the row (the one that approved its import): the
    # population of a region is its agency's, wherever its people live or are registered.
    agency_region = models.CharField("经办统筹区", max_length=6, db_index=True)
    case_id = models.BigIntegerField(null=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["id_number_index", "id"], name="enrol_resident_latest")]

    def __str__(self) -> str:
        return self.name


@append_only
@tracked(
    "enrollment_run",
    ("as_of", "engine", "population", "counts", "exchange", "actor", "ran_at"),
)
class Run(models.Model):
    """One cross-match (002 art. 8-10): as of which month, on which engine, over how many
    persons, the counts per status (canonical JSON text) and the exchange files by SHA-256."""

    as_of = models.CharField("比对年月", max_length=7)
    engine = models.CharField(max_length=10)
    population = models.BigIntegerField()
    counts = models.TextField()
    exchange = models.TextField(blank=True, default="")
    actor = models.CharField(max_length=150)
    ran_at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"match {self.pk} as of {self.as_of}"


@append_only
@tracked(
    "enrollment_finding",
    (
        "run_id",
        "resident_id",
        "status",
        "situation",
        "missing",
        "held",
        "needs_survey",
        "division",
    ),
)
class Finding(models.Model):
    """What one run found for one person: the status, the situation it judged, the insurances
    missing here, and whether the person is to be surveyed (002 art. 10)."""

    # Written in bulk by the run that owns them: checked by the writer, no trigger per row.
    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    status = models.CharField(max_length=20)
    situation = models.CharField(max_length=20)
    missing = models.CharField(max_length=120, blank=True, default="")
    held = models.CharField(max_length=120, blank=True, default="")
    needs_survey = models.PositiveSmallIntegerField()  # 1 or 0: bulk rows hold integers
    division = models.CharField(max_length=12)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["run", "division"], name="enrol_finding_division"),
            models.Index(fields=["resident", "run"], name="enrol_finding_resident"),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}: {self.status}"


@append_only
@tracked(
    "enrollment_survey",
    ("resident_id", "run_id", "outcome", "note", "surveyed_on", "case_id"),
)
class Survey(models.Model):
    """A household survey's result (002 art. 18-19), written when the county approves it: the
    person's "needs survey" flag of that run is cleared."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20)
    note = models.CharField(max_length=200, blank=True, default="")
    surveyed_on = models.DateField()
    case_id = models.BigIntegerField(null=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.resident_id}: {self.outcome}"


@append_only
@tracked(
    "enrollment_export",
    ("kind", "run_id", "as_of", "region", "file", "rows", "persons", "file_sha256", "actor"),
)
class Export(models.Model):
    """One file written for the upper-level registry (002 art. 10, 30): the exchange file of
    the region's insured periods, or a periodic report with its person-level detail. Both hold
    full id numbers, so each is a bulk disclosure kept like ``disclosure.ExportRun``: who wrote
    which file, of which run or month, how many rows and persons, and the file's SHA-256 (for a
    report, over the files' names and digests in order)."""

    kind = models.CharField(max_length=10)  # "exchange" or "report"
    run_id = models.BigIntegerField(null=True)
    as_of = models.CharField(max_length=7)
    region = models.CharField(max_length=6)
    file = models.CharField(max_length=255)
    rows = models.BigIntegerField()
    persons = models.BigIntegerField()
    file_sha256 = models.CharField(max_length=64)
    actor = models.CharField(max_length=150)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.file}"
