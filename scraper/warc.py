"""WARC input: the HTML response records of web archives, extracted with the same extractor as live pages.

A WARC file is read with ``warcio``. Only ``response`` records with a 2xx HTTP status and an HTML content
type are extracted; every other record is skipped and counted by reason in a ``WarcStats``. A truncated or
corrupt file keeps what was read before the damage and counts the damage. ARC files (the older format)
are not read: their first record counts as corrupt.

Large files are split into chunks of records by byte offset (``index_warc`` then ``plan_chunks``), so one
file can keep several cores busy. Each extracted article becomes one JSON Lines record: the ``Article``
fields (``to_dict()``), with ``fetched_at`` set to the WARC capture date, plus two provenance keys,
``warc_record_id`` (the ``WARC-Record-ID``) and ``warc_date`` (the ``WARC-Date``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fsspec
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .config import Config
from .errors import ExtractionError, OutputError, ScraperError
from .extract import extract
from .sniff import HTML_TYPES, SNIFF_BYTES, looks_like_html

log = logging.getLogger(__name__)

__all__ = [
    "WarcPage",
    "WarcStats",
    "WarcChunk",
    "iter_html_pages",
    "index_warc",
    "plan_chunks",
    "extract_chunk",
    "warc_line",
    "WARC_FIELDS",
]

# Keys added beside the Article fields in each JSON Lines record.
WARC_FIELDS = ("warc_record_id", "warc_date")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
# What a damaged file makes warcio (or zlib under it) raise.
_READ_ERRORS = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, IndexError, UnicodeDecodeError)


@dataclass(frozen=True, slots=True)
class WarcPage:
    """One HTML response read from a WARC file."""

    url: str | None
    record_id: str | None
    warc_date: str | None
    content: bytes
    http_charset: str | None


@dataclass(slots=True)
class WarcStats:
    """Counts of what was read, extracted and skipped (by reason)."""

    records: int = 0  # every WARC record seen
    html: int = 0  # HTML responses handed to the extractor
    articles: int = 0  # records written
    not_response: int = 0  # warcinfo, request, metadata, revisit... records
    bad_status: int = 0  # responses without a 2xx status
    not_html: int = 0  # responses of another content type
    too_large: int = 0  # payload above fetch.max_bytes
    truncated: int = 0  # a record (or the file's tail) cut short
    corrupt: int = 0  # unreadable data: reading that file stopped there
    no_article: int = 0  # HTML without an article (ExtractionError)
    failed: int = 0  # the extractor failed unexpectedly on the page (logged)

    def add(self, other: WarcStats) -> WarcStats:
        """Add ``other``'s counts to these; returns self."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def skipped(self) -> dict[str, int]:
        """Skipped records and pages, by reason (zero counts left out)."""
        reasons = (
            "not_response",
            "bad_status",
            "not_html",
            "too_large",
            "truncated",
            "corrupt",
            "no_article",
            "failed",
        )
        return {r: getattr(self, r) for r in reasons if getattr(self, r)}

    def to_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class WarcChunk:
    """A run of records of one WARC file: from byte ``start`` (a record boundary) to ``end`` (or EOF)."""

    path: str
    start: int = 0
    end: int | None = None
    records: int = 0  # records in the run, as indexed (for progress)


def _content_type(record: Any) -> tuple[str | None, str | None]:
    """The media type and charset of a response, from its HTTP headers."""
    header = record.http_headers.get_header("Content-Type") if record.http_headers else None
    if not header:
        return None, None
    media = header.split(";", 1)[0].strip().lower() or None
    match = _CHARSET.search(header)
    return media, match.group(1) if match else None


def _status_ok(record: Any) -> bool:
    code = record.http_headers.get_statuscode() if record.http_headers else None
    return bool(code) and str(code).startswith("2")


def _read_up_to(stream: Any, limit: int, head: bytes = b"") -> bytes:
    """Read until ``limit`` bytes or the end: warcio's readers may return less than asked for."""
    chunks = [head]
    size = len(head)
    while size < limit:
        chunk = stream.read(min(1 << 16, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _file_size(path: str) -> int | None:
    try:
        fs, fs_path = fsspec.core.url_to_fs(path)
        return int(fs.size(fs_path))
    except (OSError, ValueError, TypeError):
        return None


def _html_page(record: Any, *, stats: WarcStats, max_bytes: int) -> WarcPage | None:
    """The page of an HTML response record, or None (the reason counted in ``stats``)."""
    stats.records += 1
    if record.rec_type != "response":
        stats.not_response += 1
        return None
    if not _status_ok(record):
        stats.bad_status += 1
        return None
    media, charset = _content_type(record)
    stream = record.content_stream()
    head = b""
    if media is None:
        head = _read_up_to(stream, SNIFF_BYTES)
        if not looks_like_html(head):
            stats.not_html += 1
            return None
    elif media not in HTML_TYPES:
        stats.not_html += 1
        return None
    content = _read_up_to(stream, max_bytes + 1, head)
    if len(content) > max_bytes:
        stats.too_large += 1
        return None
    if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than Content-Length
        stats.truncated += 1
        return None
    stats.html += 1
    return WarcPage(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        warc_date=record.rec_headers.get_header("WARC-Date"),
        content=content,
        http_charset=charset,
    )


def iter_html_pages(
    path: str, *, stats: WarcStats, start: int = 0, end: int | None = None, max_bytes: int = 10_000_000
) -> Iterator[WarcPage]:
    """The HTML responses of the WARC at ``path`` (local or fsspec URL), from byte ``start`` to ``end``.

    Everything else is counted in ``stats``. Damage stops the reading of the file (counted as corrupt
    or truncated); what was read before it is kept.
    """
    iterator = None
    base = 0  # warcio counts offsets from where the file was opened or from the seek position: find out
    first = True
    try:
        with fsspec.open(path, "rb") as fh:
            if start:
                fh.seek(start)
            iterator = ArchiveIterator(fh)
            for record in iterator:
                if first:
                    base = start if iterator.offset < start else 0
                    first = False
                if end is not None and base + iterator.offset >= end:
                    return
                if getattr(record, "format", "warc") != "warc":  # warcio reads junk leniently as ARC
                    raise ArchiveLoadFailed(f"not a WARC record (format {record.format})")
                truncated = stats.truncated
                page = _html_page(record, stats=stats, max_bytes=max_bytes)
                if stats.truncated > truncated:
                    log.warning("%s: truncated record at offset %d", path, base + iterator.offset)
                elif page is not None:
                    yield page
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise ScraperError(f"cannot read {path}: {_why(exc)}") from exc
    except _READ_ERRORS as exc:
        stats.corrupt += 1
        where = base + (iterator.offset if iterator is not None else start)
        log.warning("%s: unreadable data near offset %d (%s); kept the records before it", path, where, exc)
        return
    if end is None and iterator is not None:
        size = _file_size(path)
        if size is not None and base + iterator.offset < size:  # an incomplete last record
            stats.truncated += 1
            log.warning("%s: file truncated at offset %d", path, base + iterator.offset)


def _why(exc: OSError) -> str:
    """An OS error's reason; fsspec backends often raise FileNotFoundError(path) with no strerror."""
    if exc.strerror:
        return exc.strerror
    return "No such file or directory" if isinstance(exc, FileNotFoundError) else str(exc)


def index_warc(path: str) -> list[int]:
    """Byte offsets of the records of a WARC file, up to the first damage (an empty list if none)."""
    offsets: list[int] = []
    try:
        with fsspec.open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            for _record in iterator:
                offsets.append(iterator.get_record_offset())
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise ScraperError(f"cannot read {path}: {_why(exc)}") from exc
    except _READ_ERRORS as exc:
        log.debug("%s: indexing stopped after %d records: %s", path, len(offsets), exc)
    return offsets


def plan_chunks(path: str, offsets: list[int], *, chunk_records: int) -> list[WarcChunk]:
    """Split a file into runs of ``chunk_records`` records; the last run reads to the end of the file."""
    if not offsets:
        return [WarcChunk(path, 0, None, 0)]
    size = max(1, chunk_records)
    starts = list(range(0, len(offsets), size))
    chunks = []
    for n, i in enumerate(starts):
        last = n == len(starts) - 1
        end = None if last else offsets[starts[n + 1]]
        chunks.append(WarcChunk(path, offsets[i], end, min(size, len(offsets) - i)))
    return chunks


def warc_line(article_dict: dict[str, Any], page: WarcPage) -> dict[str, Any]:
    """The JSON Lines record: the Article's fields plus ``warc_record_id`` and ``warc_date``."""
    line = dict(article_dict)
    line["warc_record_id"] = page.record_id
    line["warc_date"] = page.warc_date
    return line


def extract_chunk(chunk: WarcChunk, *, config: Config) -> tuple[list[dict[str, Any]], WarcStats]:
    """Extract every article of one chunk; returns the JSON Lines records, in file order, and the counts."""
    stats = WarcStats()
    lines: list[dict[str, Any]] = []
    pages = iter_html_pages(
        chunk.path, stats=stats, start=chunk.start, end=chunk.end, max_bytes=config.fetch.max_bytes
    )
    for page in pages:
        try:
            article = extract(
                page.content,
                page.url,
                config=config,
                fetched_at=page.warc_date,
                http_charset=page.http_charset,
            )
        except ExtractionError:
            stats.no_article += 1
            continue
        except OutputError:
            raise
        except Exception as exc:  # one odd page must not stop an archive of millions
            stats.failed += 1
            log.warning("%s: extraction failed for %s (%s): %s", chunk.path, page.url, page.record_id, exc)
            continue
        stats.articles += 1
        lines.append(warc_line(article.to_dict(), page))
    return lines, stats
