"""``quanyi statements generate|statement|certificate|verify|returned|address|notices|status``."""

from __future__ import annotations

# The PDF libraries load only when a statements command runs, not with every command.
import argparse
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from quanyi.core import bounds, filemodes
from quanyi.core.bounds import MAX_YEAR, MIN_YEAR
from quanyi.core.commands import command, print_json
from quanyi.core.days import day_or_today
from quanyi.core.errors import Conflict, InvalidInput, current_language
from quanyi.core.progress import bars
from quanyi.statements.schemas import (
    GenerateOut,
    IssuedOut,
    NoticesOut,
    ReturnOut,
    VerdictOut,
    YearStatus,
)

YEAR = bounds.argument(MIN_YEAR, MAX_YEAR)


def register(sub: Any) -> None:
    statements = sub.add_parser(
        "statements", help="annual statements, certificates, employer notices, verification"
    )
    s = statements.add_subparsers(dest="statements_command", required=True, metavar="COMMAND")
    generate = command(
        s, "generate", _generate, writes=True, batch=True,
        help="make the region's annual statements of a year: PDFs by postal district, the"
        " mailing list and a summary (resumable)",
    )  # fmt: skip
    generate.add_argument("--year", required=True, type=YEAR)
    generate.add_argument("--out", required=True, type=Path, metavar="DIR")
    generate.add_argument(
        "--workers",
        type=bounds.argument(1, 64),
        default=min(os.cpu_count() or 1, 64),
        help="processes, 1 to 64 (default: the cores)",
    )
    one = command(
        s, "statement", _statement, atomic=True, writes=True,
        help="one person's statement of a year as a signed PDF",
    )  # fmt: skip
    one.add_argument("id_number")
    one.add_argument("--year", required=True, type=YEAR)
    one.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    cert = command(
        s, "certificate", _certificate, atomic=True, writes=True,
        help="an insurance certificate (参保证明) over a period as a signed PDF",
    )  # fmt: skip
    cert.add_argument("id_number")
    cert.add_argument("--from", dest="start", required=True, metavar="YYYY-MM")
    cert.add_argument("--to", dest="end", required=True, metavar="YYYY-MM")
    cert.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    check = command(
        s, "verify", _verify, anonymous=True,
        help="check a statement or certificate (a PDF, or its verification code); no login",
    )  # fmt: skip
    given = check.add_mutually_exclusive_group(required=True)
    given.add_argument("file", nargs="?", type=Path, metavar="FILE.pdf")
    given.add_argument("--code", help="the verification code printed on the document")
    returned = command(
        s, "returned", _returned, atomic=True, writes=True,
        help="record a mailed statement returned undelivered (退信)",
    )  # fmt: skip
    returned.add_argument("code")
    returned.add_argument("--reason", required=True)
    returned.add_argument("--on", default=None, metavar="YYYY-MM-DD", help="default today")
    address = command(
        s, "address", _address, atomic=True, writes=True,
        help="set where a person's statement is mailed",
    )  # fmt: skip
    address.add_argument("id_number")
    address.add_argument("--address", required=True)
    address.add_argument("--postcode", required=True)
    notice = command(
        s, "notices", _notices, atomic=True, writes=True,
        help="employers' yearly notices to their staff (PDF and Excel)",
    )  # fmt: skip
    notice.add_argument("--year", required=True, type=YEAR)
    notice.add_argument("--out", required=True, type=Path, metavar="DIR")
    notice.add_argument("--employer", metavar="USCC", help="one employer only")
    status = command(
        s, "status", _status, help="a year's statements: issued, mailed, returned; its deadline"
    )  # fmt: skip
    status.add_argument("--year", required=True, type=YEAR)


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    with bars({"go": label}) as update:
        yield (lambda done, total: update("go", done, total)) if update else None


def _generate(args: argparse.Namespace) -> int:
    from quanyi.statements import flows

    with _bar(f"权益记录单 {args.year}") as progress:
        run = flows.generate(
            args.principal, args.year, args.out, workers=args.workers, progress=progress
        )
    print_json(GenerateOut.model_validate(run, from_attributes=True))
    return 0


def _write_new(path: Path, data: bytes) -> str:
    if path.exists():
        raise Conflict(f"{path} 已存在，不会覆盖", f"{path} exists: it is not overwritten")
    if path.parent and not path.parent.is_dir():
        raise InvalidInput.one(
            "out", "no_folder", f"目录 {path.parent} 不存在", f"no folder {path.parent}"
        )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise filemodes.unwritable(path, error) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return hashlib.sha256(data).hexdigest()


def _issued_out(issued: Any, path: Path, digest: str) -> IssuedOut:
    from quanyi.statements import queries

    return IssuedOut(
        code=issued.code,
        verification_code=queries.verification_code(issued),
        kind=issued.kind,
        period_from=issued.period_from,
        period_to=issued.period_to,
        file=str(path),
        sha256=digest,
    )


def _statement(args: argparse.Namespace) -> int:
    from quanyi.statements import services

    pdf, issued = services.statement_pdf(args.principal, args.id_number, args.year)
    print_json(_issued_out(issued, args.out, _write_new(args.out, pdf)))
    return 0


def _certificate(args: argparse.Namespace) -> int:
    from quanyi.statements import services

    pdf, issued = services.certificate_pdf(args.principal, args.id_number, args.start, args.end)
    print_json(_issued_out(issued, args.out, _write_new(args.out, pdf)))
    return 0


def verdict_out(verdict: Any) -> VerdictOut:
    return VerdictOut(
        result=verdict.result,
        authentic=verdict.authentic,
        reason=verdict.en if current_language() == "en" else verdict.zh,
        code=verdict.code,
        kind=verdict.kind,
        period=verdict.period,
        masked_name=verdict.masked_name,
    )


def _verify(args: argparse.Namespace) -> int:
    from quanyi.statements import verification

    if (args.file is None) == (args.code is None):
        raise InvalidInput.one(
            "file",
            "one_of",
            "请给出 PDF 文件或验证码（二选一）",
            "give a PDF file or a code (one of them)",
        )
    if args.code is not None:
        verdicts = [verification.verify_code(args.code)]
    else:
        try:
            with args.file.open("rb") as handle:
                data = handle.read(verification.MAX_FILE + 1)
        except OSError as missing:
            raise InvalidInput.one(
                "file",
                "unreadable",
                f"无法读取文件 {args.file}",
                f"cannot read {args.file}: {missing.strerror}",
            ) from None
        if len(data) > verification.MAX_FILE:
            raise InvalidInput.one(
                "file",
                "too_large",
                "文件过大（最大 20 MB）",
                "the file is too large (20 MB at most)",
            )
        verdicts = verification.verify_pdf(data)
    print_json([verdict_out(v) for v in verdicts], indent=1)
    return 0 if all(v.authentic for v in verdicts) else 1


def _returned(args: argparse.Namespace) -> int:
    from quanyi.statements import services

    row = services.record_return(args.principal, args.code, args.reason, day_or_today(args.on))
    print_json(
        ReturnOut(code=row.issued.code, returned_on=row.returned_on.isoformat(), reason=row.reason)
    )
    return 0


def _address(args: argparse.Namespace) -> int:
    from quanyi.statements import services

    services.set_address(args.principal, args.id_number, args.address, args.postcode)
    return 0


def _notices(args: argparse.Namespace) -> int:
    from quanyi.statements import notices

    made = notices.write_notices(args.principal, args.year, args.out, args.employer)
    print_json(NoticesOut.model_validate(made))
    return 0


def _status(args: argparse.Namespace) -> int:
    from quanyi.statements import queries

    print_json(YearStatus.model_validate(queries.year_status(args.principal, args.year)))
    return 0
