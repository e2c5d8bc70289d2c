"""Other regions' exchange files (002 art. 10): who is insured there, for which insurance and
months. CSV (UTF-8, header) or Parquet; columns ``id_number, name, insurance, region,
start_month, end_month`` (end blank if open). Every row is checked and every bad one reported;
each id number becomes its blind index as it is read, so only keys go to the match."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quanyi.core import crypto
from quanyi.core.errors import ErrorCollector, InvalidInput
from quanyi.core.identifiers import parse_id_number
from quanyi.enrollment.codes import INSURANCES
from quanyi.enrollment.match import MONTH

COLUMNS = ("id_number", "name", "insurance", "region", "start_month", "end_month")
MAX_BYTES = 4 * 1024**3
BATCH = 100_000


@dataclass
class Exchange:
    """The keyed rows of the exchange files, column by column, ready for ``ins``."""

    k: list[bytes] = field(default_factory=list)
    insurance: list[str] = field(default_factory=list)
    src: list[str] = field(default_factory=list)
    start_month: list[str] = field(default_factory=list)
    end_month: list[str | None] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, SHA-256)


def _refuse(path: Path, zh: str, en: str) -> InvalidInput:
    return InvalidInput.one("exchange", "unreadable", f"{path.name}：{zh}", f"{path.name}: {en}")


def _batches(path: Path) -> Iterator[dict[str, list[Any]]]:
    """The file's columns, a batch at a time, every cell as text."""
    import pyarrow as pa

    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            source = pq.ParquetFile(path)
            names = source.schema_arrow.names
        except (OSError, pa.ArrowException) as error:
            raise _refuse(
                path, "不是有效的 Parquet 文件", f"not a valid Parquet file ({error})"
            ) from None
        _require(path, names)
        try:
            for batch in source.iter_batches(batch_size=BATCH, columns=list(COLUMNS)):
                yield {
                    name: [
                        None if v is None else str(v)
                        for v in batch.column(name).cast(pa.string()).to_pylist()
                    ]
                    for name in COLUMNS
                }
        except (OSError, pa.ArrowException) as error:
            raise _refuse(
                path, "Parquet 文件内容损坏", f"a damaged Parquet file ({error})"
            ) from None
        return
    import pyarrow.csv as pacsv

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=16 << 20),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in COLUMNS},
                strings_can_be_null=False,
            ),
        )
        _require(path, reader.schema.names)
        for batch in reader:
            yield {name: batch.column(name).to_pylist() for name in COLUMNS}
    except (OSError, pa.ArrowException, UnicodeDecodeError) as error:
        raise _refuse(
            path,
            "不是有效的 UTF-8 CSV 文件（须有表头）",
            f"not a valid UTF-8 CSV with a header ({error})",
        ) from None


def _require(path: Path, names: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise InvalidInput.one(
            "exchange",
            "missing_columns",
            f"{path.name} 缺少列：{', '.join(missing)}",
            f"{path.name} lacks the columns {', '.join(missing)}",
        )


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read(paths: list[Path]) -> Exchange:
    """Every row of every file, keyed; or ``InvalidInput`` naming each bad row."""
    found = Exchange()
    errors = ErrorCollector(limit=1000)
    ring = crypto.keyring()
    for path in paths:
        if not path.is_file():
            raise _refuse(path, "文件不存在", "no such file")
        size = path.stat().st_size
        if size == 0:
            raise _refuse(path, "文件为空", "the file is empty")
        if size > MAX_BYTES:
            raise _refuse(path, "文件超过 4 GB，请分批交换", "larger than 4 GB: split it")
        rows = 0
        line = 1
        for batch in _batches(path):
            for number, insurance, region, start, end in zip(
                batch["id_number"],
                batch["insurance"],
                batch["region"],
                batch["start_month"],
                batch["end_month"],
                strict=True,
            ):
                line += 1
                where = f"{path.name}:{line} "
                bad = len(errors.errors) + errors.more
                try:
                    parsed = parse_id_number(number or "")
                except InvalidInput as refused:
                    for e in refused.errors:
                        errors.add(where + e.field, e.code, e.zh, e.en)
                    parsed = None
                if insurance not in INSURANCES:
                    errors.add(
                        where + "insurance",
                        "bad_code",
                        f"未知险种 {insurance!r}",
                        f"unknown insurance {insurance!r}",
                    )
                if not (region and len(region) == 6 and region.isdigit()):
                    errors.add(
                        where + "region",
                        "bad_region",
                        "参保地应为 6 位行政区划代码",
                        "a 6-digit region code",
                    )
                if not MONTH.fullmatch(start or ""):
                    errors.add(
                        where + "start_month",
                        "bad_month",
                        "开始年月应为 YYYY-MM",
                        "a month is YYYY-MM",
                    )
                end = (end or "").strip() or None
                if end is not None and (not MONTH.fullmatch(end) or end < (start or "")):
                    errors.add(
                        where + "end_month",
                        "bad_month",
                        "终止年月应为 YYYY-MM 且不早于开始年月",
                        "YYYY-MM, not before the start",
                    )
                if parsed is None or len(errors.errors) + errors.more > bad:
                    continue
                rows += 1
                found.k.append(ring.index("id_number", parsed.number))
                found.insurance.append(str(insurance))
                found.src.append(f"x:{region}")
                found.start_month.append(str(start))
                found.end_month.append(end)
        if rows == 0 and not errors.errors:
            raise _refuse(path, "文件中没有数据行", "the file holds no rows")
        found.files.append((path.name, file_sha256(path)))
    errors.raise_if_any()
    return found
