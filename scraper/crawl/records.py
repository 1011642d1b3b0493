"""Writing a crawled record once: where it goes, the state's writing/done protocol, one body one record."""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from ..config import Config
from ..fetch import redact_url
from ..record import Article
from ..sources import site_of
from ..state import CrawlState
from ..write import append_jsonl, write_record

log = logging.getLogger(__name__)

__all__ = ["RecordWriter", "record_path"]

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def record_path(out: Path, article: Article) -> Path:
    """``OUT/YYYY/MM/DD/ID.json``, dated by the article's published date, else its fetch date, else today."""
    for value in (article.published, article.fetched_at):
        match = _DAY.match(value or "")
        if match and 1 <= int(match.group(2)) <= 12 and 1 <= int(match.group(3)) <= 31:
            y, m, d = match.groups()
            break
    else:
        y, m, d = datetime.now(UTC).strftime("%Y-%m-%d").split("-")
    return out / y / m / d / f"{article.id}.json"


class RecordWriter:
    """Writes records as ``crawl.output`` says (files or one JSON Lines file per run). Thread-safe."""

    def __init__(self, config: Config, *, out: Path, state: CrawlState) -> None:
        self.cfg = config.crawl
        self.indent = config.output.indent
        self.out = out
        self.state = state
        self.claim_lock = threading.Lock()  # duplicate-body check and the 'writing' claim
        self.file_lock = threading.Lock()  # the JSONL file
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        self.jsonl_path = out / f"crawl-{stamp}.jsonl"

    def _same_body_owner(self, key: str, article: Article) -> str | None:
        """The record id of another URL's record with this body, under ``crawl.dedup``; None: write it."""
        if self.cfg.dedup == "none":
            return None
        site = site_of(key)
        for other_key, record_id in self.state.hash_owners(article.content_hash, key):
            if record_id == article.id:  # the same record (one canonical URL): it is replaced
                continue
            if self.cfg.dedup == "global" or site_of(other_key) == site:
                return record_id
        return None

    def write(self, key: str, article: Article) -> Path | None:
        """Write the record, marking the row ``writing`` before and ``done`` after (see ``settle``).

        None if, under ``crawl.dedup``, another URL's record already holds the same body: this URL is
        then kept in the state as an alias of that record.
        """
        path = self.jsonl_path if self.cfg.output == "jsonl" else record_path(self.out, article)
        with self.claim_lock:  # check and claim together: two threads with one body write it once
            owner = self._same_body_owner(key, article)
            if owner is not None:
                log.info(
                    "%s: same body as record %s; kept as its alias", redact_url(article.url or key), owner
                )
                self.state.alias(key, owner)
                return None
            previous = self.state.writing(
                key, record_id=article.id, path=str(path), content_hash=article.content_hash
            )
        if self.cfg.output == "jsonl":
            with self.file_lock:
                append_jsonl([article], path)
        else:
            write_record(article, path.parent, indent=self.indent)
            if (
                previous
                and previous != str(path)
                and previous.endswith(".json")
                and not self.state.record_path_in_use(previous, key)
            ):
                with contextlib.suppress(OSError):  # the same record, re-dated: keep one copy
                    Path(previous).unlink()
        self.state.done(key)
        return path
