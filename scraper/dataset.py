"""Datasets from crawl output: read records, filter by date, drop duplicates, write JSON Lines or Parquet.

Input is what the scraper writes: ``OUT/**/ID.json`` (one record per file) and ``*.jsonl`` files (one
record per line, e.g. from ``extract-warc``), or a single such file. Hidden files and folders (the crawl
state, its lock, temporary files) and a crawl's ``runs.jsonl`` are not records and are not read.

Output has one fixed schema, ``DATASET_SCHEMA`` (derived from ``scraper.record.Article``): the fields of the
record, then ``warc_record_id`` and ``warc_date`` (null outside WARC input). Parquet output is a folder partitioned
by the month of ``published`` (Hive style: ``published_month=2024-05/part-00000.parquet``, undated records
under ``published_month=unknown``). Rows are sorted by ``published`` (as an UTC instant, undated last), then
``id``; two runs over the same input write byte-identical files.

Duplicates: ``exact`` drops records whose ``content_hash`` was already seen; ``near`` also drops records
whose body's word-shingle MinHash (datasketch) is within a Jaccard ``threshold`` of an already kept one.
Either keeps the earliest copy: by ``published``, then ``fetched_at``, then ``id``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import shutil
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import ConfigError, OutputError, ScraperError
from .formats import DATASET_FORMATS, record_json
from .record import EXTRA_FIELDS, SCHEMA_VERSION, Image, record_fields
from .state import RUNS_FILE
from .write import atomic_write_bytes, check_url_backend, url_scheme

log = logging.getLogger(__name__)

__all__ = [
    "DATASET_SCHEMA",
    "DEDUP_MODES",
    "FORMATS",
    "ExportSummary",
    "read_records",
    "filter_dates",
    "dedup_exact",
    "dedup_near",
    "sort_records",
    "to_table",
    "jsonl_lines",
    "write_jsonl",
    "collect",
    "write_parquet",
    "export",
    "published_month",
    "parse_date_bound",
]

FORMATS = DATASET_FORMATS  # the registry's formats of a dataset (scraper.formats.OUTPUT_FORMATS)
DEDUP_MODES = ("none", "exact", "near")
UNKNOWN_MONTH = "unknown"
SHINGLE_WORDS = 3  # short shingles: a lightly edited copy still shares most of them
NUM_PERM = 128

# Arrow type of each annotation a record field may have (see scraper.record._JSON_TYPES)
_IMAGE = pa.struct([(f.name, pa.string()) for f in dataclasses.fields(Image)])
_ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "str | None": pa.string(),
    "int": pa.int64(),
    "tuple[str, ...]": pa.list_(pa.string()),
    "tuple[Image, ...]": pa.list_(_IMAGE),
    "dict[str, str]": pa.struct([]),  # children: the field's "keys"
}
_INT32 = frozenset({"schema_version"})  # a small number, 32 bits in every file written so far


def _arrow_field(f: dataclasses.Field[Any]) -> pa.Field:
    """The column of a record field. Nullable if its annotation allows None, and for an object (a record
    from elsewhere may lack it: the dataset keeps a null rather than refuse the row)."""
    annotation = str(f.type)
    arrow_type = pa.int32() if f.name in _INT32 else _ARROW_TYPES[annotation]
    if "keys" in f.metadata:
        arrow_type = pa.struct([(key, pa.string()) for key in f.metadata["keys"]])
    nullable = annotation.endswith("| None") or annotation.startswith("dict[")
    return pa.field(f.name, arrow_type, nullable=nullable)


# The fields of the record (published and modified: ISO 8601 as extracted, a date or a date-time with its
# offset), then the keys of extract-warc lines (null outside WARC input).
DATASET_SCHEMA = pa.schema(
    [_arrow_field(f) for f in record_fields()] + [pa.field(name, pa.string()) for name in EXTRA_FIELDS],
    metadata={"scraper.dataset": "1", "partitioning": "hive: published_month=YYYY-MM|unknown"},
)
_LISTS = tuple(f.name for f in record_fields() if str(f.type).startswith("tuple["))
_OBJECT_KEYS = {f.name: tuple(f.metadata["keys"]) for f in record_fields() if "keys" in f.metadata}


@dataclass(slots=True)
class ExportSummary:
    """Counts of an export: records read, written, and dropped by reason."""

    read: int = 0
    written: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    outputs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "written": self.written,
            "dropped": dict(sorted(self.dropped.items())),
            "outputs": list(self.outputs),
        }


# -- reading ---------------------------------------------------------------------------------------


def _record_files(root: Path) -> list[Path]:
    """The record files under ``root``: ``.json``/``.jsonl``, not hidden (state, lock, temporary files),
    not a crawl's run log (``runs.jsonl`` at any level)."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise ScraperError(f"{root}: no such file or folder")
    files = []
    for path in root.rglob("*"):
        rel = path.relative_to(root).parts
        if any(part.startswith(".") for part in rel) or not path.is_file() or path.name == RUNS_FILE:
            continue
        if path.suffix in (".json", ".jsonl"):
            files.append(path)
    return sorted(files)


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(value.get("body"), str)


def read_records(root: str | Path, *, summary: ExportSummary | None = None) -> Iterator[dict[str, Any]]:
    """The records under ``root`` (``**/*.json`` and ``**/*.jsonl``), in file order.

    Unparseable files and lines, and JSON that is not a record, are skipped and counted in ``summary``
    under ``unreadable``.
    """
    summary = summary if summary is not None else ExportSummary()
    for path in _record_files(Path(root)):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("%s: cannot read: %s", path, exc)
            summary.dropped["unreadable"] += 1
            continue
        chunks = text.splitlines() if path.suffix == ".jsonl" else [text]
        for n, chunk in enumerate(chunks, 1):
            if not chunk.strip():
                continue
            summary.read += 1
            try:
                value = json.loads(chunk)
            except json.JSONDecodeError:
                value = None
            if not _is_record(value):
                log.warning("%s:%d: not a record", path, n)
                summary.dropped["unreadable"] += 1
                continue
            yield value


# -- dates and order -------------------------------------------------------------------------------


def parse_date_bound(value: str) -> dt.date:
    """A ``--since``/``--until`` bound: YYYY-MM-DD, or YYYY-MM (the first of the month)."""
    try:
        return dt.date.fromisoformat(value if len(value) != 7 else value + "-01")
    except ValueError as exc:
        raise ConfigError(f"invalid date {value!r}: use YYYY-MM-DD") from exc


def _instant(value: Any) -> str | None:
    """An ISO 8601 date or date-time as a sortable UTC string (naive and date-only taken as UTC)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def published_month(record: dict[str, Any]) -> str:
    """``YYYY-MM`` of the published date as written (the publisher's local date), or ``unknown``."""
    value = record.get("published")
    if isinstance(value, str) and _instant(value) is not None:
        return value[:7]
    return UNKNOWN_MONTH


def _earliest_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """Which copy of a duplicate to keep: earliest published, then fetched, then smallest id."""
    published = _instant(record.get("published"))
    fetched = _instant(record.get("fetched_at"))
    return (published is None, published or "", fetched is None, fetched or "", record["id"])


def _order_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """Output order: published (undated last), then id; whole record as the last tie-breaker."""
    published = _instant(record.get("published"))
    return (published is None, published or "", record["id"], record_json(record))


def sort_records(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records in the dataset's order."""
    return sorted(records, key=_order_key)


def filter_dates(
    records: Iterable[dict[str, Any]],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    summary: ExportSummary | None = None,
) -> Iterator[dict[str, Any]]:
    """Records published on or after ``since`` and on or before ``until`` (the date as written).

    With either bound set, undated records are dropped (counted as ``undated``).
    """
    summary = summary if summary is not None else ExportSummary()
    for record in records:
        if since is None and until is None:
            yield record
            continue
        published = record.get("published")
        if not isinstance(published, str) or _instant(published) is None:
            summary.dropped["undated"] += 1
            continue
        day = dt.date.fromisoformat(published[:10])
        if since is not None and day < since:
            summary.dropped["before_since"] += 1
        elif until is not None and day > until:
            summary.dropped["after_until"] += 1
        else:
            yield record


# -- duplicates ------------------------------------------------------------------------------------


def dedup_exact(
    records: Iterable[dict[str, Any]], *, summary: ExportSummary | None = None
) -> list[dict[str, Any]]:
    """Keep the earliest record of each ``content_hash``; the others count as ``exact_duplicate``."""
    summary = summary if summary is not None else ExportSummary()
    kept: dict[str, dict[str, Any]] = {}
    for record in sorted(records, key=_earliest_key):
        key = record.get("content_hash") or record["id"]
        if key in kept:
            summary.dropped["exact_duplicate"] += 1
            continue
        kept[key] = record
    return list(kept.values())


def _shingles(text: str, size: int) -> set[bytes]:
    words = unicodedata.normalize("NFKC", text).casefold().split()
    if len(words) <= size:
        return {" ".join(words).encode("utf-8", "surrogatepass")}
    return {
        " ".join(words[i : i + size]).encode("utf-8", "surrogatepass") for i in range(len(words) - size + 1)
    }


def dedup_near(
    records: Iterable[dict[str, Any]],
    *,
    threshold: float = 0.8,
    summary: ExportSummary | None = None,
    num_perm: int = NUM_PERM,
    shingle_words: int = SHINGLE_WORDS,
) -> list[dict[str, Any]]:
    """Drop records whose body is near another's (estimated Jaccard >= ``threshold``), keeping the earliest.

    Candidates come from MinHash LSH; each is confirmed on the MinHash estimate before a record is
    dropped (counted as ``near_duplicate``). MinHash is seeded, so the result is deterministic.
    """
    from datasketch import MinHash, MinHashLSH

    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"--threshold must be in (0, 1], got {threshold}")
    summary = summary if summary is not None else ExportSummary()
    # datasketch cannot band for thresholds near 1; a lower LSH threshold only finds more candidates,
    # and every candidate is checked against ``threshold`` below.
    lsh = MinHashLSH(threshold=min(threshold, 0.9), num_perm=num_perm)
    hashes: dict[str, MinHash] = {}
    kept = []
    for n, record in enumerate(sorted(records, key=_earliest_key)):
        mh = MinHash(num_perm=num_perm, seed=1)
        mh.update_batch(list(_shingles(record["body"], shingle_words)))
        if any(hashes[key].jaccard(mh) >= threshold for key in sorted(lsh.query(mh))):
            summary.dropped["near_duplicate"] += 1
            continue
        key = str(n)
        lsh.insert(key, mh)
        hashes[key] = mh
        kept.append(record)
    return kept


# -- writing ---------------------------------------------------------------------------------------


def _row(record: dict[str, Any]) -> dict[str, Any]:
    """The record with exactly the schema's columns, in order (missing ones null, or empty lists)."""
    row = {}
    for name in DATASET_SCHEMA.names:
        value = record.get(name)
        if name in _LISTS and value is None:
            value = []
        row[name] = value
    if row["schema_version"] is None:
        row["schema_version"] = SCHEMA_VERSION
    for name, keys in _OBJECT_KEYS.items():  # exactly the keys the schema gives the object, in its order
        value = row[name]
        if isinstance(value, dict):
            row[name] = {key: value.get(key) for key in keys}
    return row


def to_table(records: Iterable[dict[str, Any]]) -> pa.Table:
    """Records as an Arrow table of ``DATASET_SCHEMA``."""
    rows = [_row(r) for r in records]
    try:
        return pa.Table.from_pylist(rows, schema=DATASET_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ScraperError(f"a record does not fit the dataset schema: {exc}") from exc


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Each record as one JSON line (with its newline), with the schema's keys in order."""
    for record in records:
        yield record_json(_row(record)) + "\n"


def write_jsonl(records: Iterable[dict[str, Any]], dest: str | Path) -> int:
    """Write the records, in the given order and with the schema's keys, to ``dest`` (replaced atomically).

    ``dest`` may be an fsspec URL (``s3://bucket/x.jsonl``), written in one piece; never a local path named
    after the URL.
    """
    lines = list(jsonl_lines(records))
    data = "".join(lines).encode("utf-8")
    if url_scheme(dest) is None:
        atomic_write_bytes(Path(dest), data)
        return len(lines)
    check_url_backend(str(dest))
    import fsspec

    try:
        with fsspec.open(str(dest), "wb") as fh:
            fh.write(data)
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write {dest}: {exc}") from exc
    return len(lines)


def _swap_in(staging: Path, dest: Path) -> None:
    """Replace the folder ``dest`` by ``staging``: the old one is moved aside, then removed."""
    old = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.old")
    try:
        if dest.exists():
            dest.rename(old)
        staging.rename(dest)
    except OSError as exc:
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}") from exc
    finally:
        if old.exists():
            with contextlib.suppress(OSError):
                if dest.exists():
                    shutil.rmtree(old)
                else:  # put the old dataset back
                    old.rename(dest)


def write_parquet(records: list[dict[str, Any]], dest: str | Path) -> list[str]:
    """Write a Parquet folder partitioned by published month; returns the files written (relative)."""
    dest = Path(dest)
    by_month: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_month.setdefault(published_month(record), []).append(record)
    staging = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    written = []
    try:
        for month in sorted(by_month):
            sink = pa.BufferOutputStream()
            pq.write_table(to_table(by_month[month]), sink, compression="zstd")
            rel = f"published_month={month}/part-00000.parquet"
            atomic_write_bytes(staging / rel, sink.getvalue().to_pybytes())
            written.append(rel)
        staging.mkdir(parents=True, exist_ok=True)  # an empty dataset is an empty folder
        _swap_in(staging, dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return written


def _export_jsonl(records: list[dict[str, Any]], dest: str | Path) -> list[str]:
    write_jsonl(records, dest)
    return [str(dest)]


def _export_parquet(records: list[dict[str, Any]], dest: str | Path) -> list[str]:
    return [str(Path(dest) / rel) for rel in write_parquet(records, dest)]


# format -> the writer of a dataset in it, returning the files written: one for each of the registry's
# DATASET_FORMATS (scraper.formats.OUTPUT_FORMATS; tests/test_registries.py checks they agree)
DATASET_WRITERS: dict[str, Callable[[list[dict[str, Any]], str | Path], list[str]]] = {
    "jsonl": _export_jsonl,
    "parquet": _export_parquet,
}


def collect(
    root: str | Path,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    dedup: str = "exact",
    threshold: float = 0.8,
    summary: ExportSummary | None = None,
) -> list[dict[str, Any]]:
    """The records under ``root``, filtered by date, deduplicated and in the dataset's order."""
    if dedup not in DEDUP_MODES:
        raise ConfigError(f"unknown dedup mode {dedup!r} (known: {', '.join(DEDUP_MODES)})")
    summary = summary if summary is not None else ExportSummary()
    records = list(
        filter_dates(read_records(root, summary=summary), since=since, until=until, summary=summary)
    )
    if dedup in ("exact", "near"):
        records = dedup_exact(records, summary=summary)
    if dedup == "near":
        records = dedup_near(records, threshold=threshold, summary=summary)
    return sort_records(records)


def export(
    root: str | Path,
    dest: str | Path,
    *,
    fmt: str = "jsonl",
    since: dt.date | None = None,
    until: dt.date | None = None,
    dedup: str = "exact",
    threshold: float = 0.8,
) -> ExportSummary:
    """Read the records under ``root``, filter, deduplicate, sort and write them to ``dest``."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    summary = ExportSummary()
    records = collect(root, since=since, until=until, dedup=dedup, threshold=threshold, summary=summary)
    summary.outputs = DATASET_WRITERS[fmt](records, dest)
    summary.written = len(records)
    log.info("export: %d read, %d written, dropped %s", summary.read, summary.written, dict(summary.dropped))
    return summary
