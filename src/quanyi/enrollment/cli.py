"""``quanyi enrollment import|refresh|match|stats|list|export|report``: the universal enrollment
registry (002)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.utils import timezone

from quanyi.core import filemodes
from quanyi.core.commands import command, group, print_json
from quanyi.core.errors import InvalidInput, current_language
from quanyi.core.progress import bars
from quanyi.enrollment import flows, queries, validation
from quanyi.enrollment.schemas import (
    ExportOut,
    ListOut,
    MatchOut,
    RefreshOut,
    ReportOut,
    StatsOut,
)
from quanyi.workflow import queries as case_queries
from quanyi.workflow import services as cases

MAX_FILE_BYTES = 1024**3


def _month(text: str) -> str:
    """``--as-of``: a bad month is a usage error that says what is wanted."""
    try:
        return flows.check_month(text)
    except InvalidInput:
        raise argparse.ArgumentTypeError(
            f"年月应为 YYYY-MM（a month is YYYY-MM）: {text!r}"
        ) from None


_month.__name__ = "month"


def _run_id(text: str) -> int:
    """``--run``: a positive whole number."""
    if text.isdigit() and 0 < int(text) < 2**63:
        return int(text)
    raise argparse.ArgumentTypeError(f"比对批次应为正整数（a run is a positive number）: {text!r}")


_run_id.__name__ = "run"

ENGINE_NAMES = ("duckdb", "spark")


def _engine(text: str) -> str:
    """``--engine``: an unknown engine is a usage error in the user's words."""
    if text in ENGINE_NAMES:
        return text
    raise argparse.ArgumentTypeError(
        f"比对引擎须为 duckdb 或 spark（the engine is duckdb or spark）: {text!r}"
    )


_engine.__name__ = "engine"


def register(sub: Any) -> None:
    enrollment = group(sub, "enrollment", "the universal enrollment registry (全民参保登记, 002)")
    importer = command(
        enrollment,
        "import",
        _import,
        atomic=True,
        writes=True,
        help="submit another department's population file (CSV or Excel) as an"
        " enrollment.import case; the rows take effect at its final approval",
    )
    importer.add_argument("file")
    importer.add_argument("--source", required=True, metavar="NAME", help="e.g. 公安户籍")
    refresher = command(
        enrollment,
        "refresh",
        _refresh,
        atomic=True,
        writes=True,
        permission="enrollment.refresh",
        help="compare the population with the persons registered here and submit what the"
        " insurance records add (persons registered but absent) and remove (deaths) as one"
        " enrollment.import case from source 社保登记; it takes effect at its final approval"
        " (002 art. 20-22)",
    )
    refresher.add_argument("--as-of", dest="as_of", type=_month, default=None, metavar="YYYY-MM")
    matcher = command(
        enrollment,
        "match",
        _match,
        atomic=True,
        writes=True,
        batch=True,
        permission="enrollment.match",
        help="cross-match the population against the region's insurance relations, benefits"
        " and other regions' exchange files; counts per status as JSON (002 art. 8-10)",
    )
    matcher.add_argument(
        "--exchange", action="append", default=[], metavar="FILE", help="CSV or Parquet"
    )
    matcher.add_argument(
        "--engine", type=_engine, default="duckdb", metavar="duckdb|spark", help="default duckdb"
    )
    matcher.add_argument("--as-of", dest="as_of", type=_month, default=None, metavar="YYYY-MM")
    stats = command(
        enrollment,
        "stats",
        _stats,
        permission="enrollment.read",
        help="registration rate, coverage by insurance and reasons for not enrolling, by"
        " division and month (002 art. 28-31)",
    )
    stats.add_argument("--by", choices=tuple(queries.LEVELS), default="county")
    stats.add_argument("--as-of", dest="as_of", type=_month, default=None, metavar="YYYY-MM")
    lister = command(
        enrollment,
        "list",
        _list,
        permission="enrollment.read",
        help="the household survey list of a division with the registration forms, as PDF or"
        " Excel (002 art. 17-19)",
    )
    lister.add_argument("--division", required=True, metavar="CODE")
    lister.add_argument("--out", required=True, metavar="FILE.pdf|FILE.xlsx")
    exporter = command(
        enrollment,
        "export",
        _export,
        atomic=True,
        writes=True,
        permission="enrollment.export",
        help="write this region's insured periods as an exchange file for the upper-level"
        " registry, in the format match --exchange reads (002 art. 10)",
    )
    exporter.add_argument("--out", required=True, metavar="FILE.csv|FILE.parquet")
    exporter.add_argument("--as-of", dest="as_of", type=_month, default=None, metavar="YYYY-MM")
    reporter = command(
        enrollment,
        "report",
        _report,
        atomic=True,
        writes=True,
        permission="enrollment.export",
        help="write the periodic report of a match for the upper level: the statistics tables"
        " and the person-level detail of everyone flagged, as CSV and Excel (002 art. 30)",
    )
    which = reporter.add_mutually_exclusive_group()
    which.add_argument("--run", type=_run_id, default=None, metavar="ID")
    which.add_argument("--as-of", dest="as_of", type=_month, default=None, metavar="YYYY-MM")
    reporter.add_argument("--by", choices=tuple(queries.LEVELS), default="community")
    reporter.add_argument("--out", required=True, metavar="DIR")


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    source = validation.check_source(args.source)
    if not path.is_file():
        raise InvalidInput.one("file", "missing", f"文件不存在：{path}", f"no such file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput.one(
            "file", "empty", f"文件为空：{path.name}", f"empty file: {path.name}"
        )
    if size > MAX_FILE_BYTES:
        raise InvalidInput.one(
            "file", "too_large", "文件超过 1 GB，请分批导入", "larger than 1 GB: split it"
        )
    data = path.read_bytes()
    sha = cases.store_content(data)
    try:
        case = cases.submit(
            args.principal,
            "enrollment.import",
            {"source": source, "file": path.name, "sha256": sha},
            (cases.NewAttachment(path.name, data),),
        )
    except Exception:
        cases.discard_unreferenced([sha])
        raise
    print_json(case_queries.case(args.principal, case.pk), indent=1)
    return 0


def _refresh(args: argparse.Namespace) -> int:
    as_of = args.as_of or timezone.localdate().strftime("%Y-%m")
    _, case = flows.refresh(args.principal, as_of)
    if case is None:
        message = (
            "the population agrees with the insurance records: nothing to propose"
            if current_language() == "en"
            else "全民参保登记库与社保登记一致，无需更新"
        )
        print_json(RefreshOut(proposed=0, as_of=as_of, message=message), indent=1)
        return 0
    print_json(case_queries.case(args.principal, case.pk), indent=1)
    return 0


def _match(args: argparse.Namespace) -> int:
    as_of = args.as_of or timezone.localdate().strftime("%Y-%m")
    labels = {"export": "全民参保登记比对 · enrollment match"}
    with bars(labels) as progress:
        outcome = flows.run_match(
            args.principal, as_of, args.engine, [Path(p) for p in args.exchange], progress
        )
    print_json(
        MatchOut(
            counts=outcome.counts,  # type: ignore[arg-type]
            run=outcome.run.pk,
            as_of=as_of,
            engine=args.engine,
            population=outcome.run.population,
            needs_survey=outcome.needs_survey,
            exchange=[Path(p).name for p in args.exchange],
        ),
        indent=1,
    )
    return 0


def _no_run() -> InvalidInput:
    return InvalidInput.one(
        "run",
        "no_run",
        "尚无比对结果：请先运行 quanyi enrollment match",
        "no match yet: run it first",
    )


def _stats(args: argparse.Namespace) -> int:
    run = queries.run_as_of(args.principal, args.as_of)
    if run is None:
        raise _no_run()
    print_json(StatsOut.model_validate(queries.stats(args.principal, run, args.by)), indent=1)
    return 0


def _list(args: argparse.Namespace) -> int:
    from quanyi.enrollment import documents

    if not validation.division_ok(args.division):
        raise InvalidInput.one(
            "division", "bad_region", "区划代码应为 6、9 或 12 位", "a 6, 9 or 12-digit code"
        )
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        raise InvalidInput.one(
            "out", "bad_kind", "输出文件须为 .pdf 或 .xlsx", "write .pdf or .xlsx"
        )
    run = queries.latest_run(args.principal)
    if run is None:
        raise _no_run()
    listed = queries.survey_list(args.principal, run, args.division)
    content = (
        documents.survey_pdf(run, args.division, listed)
        if out.suffix.lower() == ".pdf"
        else documents.survey_xlsx(run, args.division, listed)
    )
    try:
        out.write_bytes(content)
        out.chmod(0o600)  # names of persons to survey: for the agency's staff only
    except OSError as error:
        raise filemodes.unwritable(out, error) from None
    print_json(
        ListOut(run=run.pk, division=args.division, persons=len(listed), file=str(out)), indent=1
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from quanyi.enrollment import outbound

    as_of = args.as_of or timezone.localdate().strftime("%Y-%m")
    written = outbound.write_exchange(args.principal, Path(args.out), as_of)
    print_json(
        ExportOut(
            file=written.file,
            as_of=as_of,
            region=args.principal.region,
            rows=written.rows,
            persons=written.persons,
            sha256=written.sha256,
        ),
        indent=1,
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from quanyi.enrollment import outbound

    if args.run is not None:
        run = queries.run_by_id(args.principal, args.run)
        if run is None:
            raise InvalidInput.one(
                "run", "no_run", f"没有比对批次 {args.run}", f"no match run {args.run}"
            )
    else:
        run = queries.run_as_of(args.principal, args.as_of)
        if run is None and args.as_of:
            raise InvalidInput.one(
                "as_of",
                "no_run",
                f"{args.as_of} 没有比对结果",
                f"no match as of {args.as_of}",
            )
        if run is None:
            raise _no_run()
    report = outbound.write_report(args.principal, run, Path(args.out), args.by)
    print_json(ReportOut.model_validate(report, from_attributes=True), indent=1)
    return 0
