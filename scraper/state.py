"""Crawl state in one SQLite file: which URLs were seen and how they ended, and feed validators.

Tables:

* ``urls``: one row per normalised URL (``record.normalize_url``): status, attempts, next retry time,
  content hash, record id and path. Statuses:

  - ``pending``: discovered, not yet fetched (survives a killed run, so a 304 feed loses nothing);
  - ``writing``: the record is being written to ``path`` (set *before* the write, so the next run can
    tell whether the file made it: see ``CrawlState.unfinished_writes``);
  - ``done``: the record is durably on disk;
  - ``failed``: a transient failure; retried once ``next_retry`` has passed, up to the retry limit;
  - ``gave_up``: failed ``retry_limit`` times;
  - ``skipped``: not an article for us (404, robots.txt, not HTML, no article found, too old), or an
    alias: the same body as a record already written for another URL (``record_id`` names it).

  ``source`` is the configured source that found the URL (its ``url``, or ``urls:N`` for inline lists).

* ``sources``: ETag and Last-Modified per feed/sitemap/start page URL, for conditional requests.
* ``sitemap_children``: the child sitemaps a sitemap index listed when last fetched, so that a 304 for
  the index still lets each child be asked (conditionally) in turn.
* ``discovered``: what discovery found on a ``type = "site"`` source (JSON, see ``discover.Discovery``)
  and when, so a site's feeds are looked for again only after ``discover.REDISCOVER_AFTER``.

One connection shared by the crawl's threads behind a lock (writes are tiny; SQLite serialises writers
anyway). WAL journal, ``synchronous=NORMAL``: a committed row survives a killed process; a power cut may
lose the last commits, which only makes the next run fetch those URLs again and replace the same files.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

log = logging.getLogger(__name__)

__all__ = ["LOCK_FILE", "RUNS_FILE", "STATE_FILE", "CrawlState", "UrlRow"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    key TEXT PRIMARY KEY,          -- normalize_url(url)
    url TEXT NOT NULL,             -- as discovered
    source TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    first_seen REAL NOT NULL,
    updated REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_retry REAL,
    reason TEXT,
    content_hash TEXT,
    record_id TEXT,
    path TEXT
);
CREATE INDEX IF NOT EXISTS urls_status ON urls(status);
CREATE INDEX IF NOT EXISTS urls_hash ON urls(content_hash);
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    checked REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sitemap_children (
    sitemap TEXT NOT NULL,         -- the index
    url TEXT NOT NULL,             -- a child sitemap it lists
    lastmod TEXT,                  -- ISO 8601, as the index gives it
    PRIMARY KEY (sitemap, url)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS discovered (
    site TEXT PRIMARY KEY,
    found TEXT NOT NULL,           -- discover.Discovery.to_json()
    checked REAL NOT NULL
);
"""

# Bookkeeping files a crawl keeps in its output folder beside the records.
STATE_FILE = ".scraper-state.sqlite"
LOCK_FILE = ".scraper.lock"
RUNS_FILE = "runs.jsonl"  # one JSON line per run: the summary, not a record
SCHEMA_VERSION = "1"


@dataclass(frozen=True, slots=True)
class UrlRow:
    """One row of ``urls``."""

    key: str
    url: str
    source: str
    status: str
    attempts: int
    record_id: str | None
    path: str | None


class CrawlState:
    """The SQLite state of crawls writing to one output folder. Thread-safe; close it when done."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"cannot open crawl state {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the database (checkpointing the WAL)."""
        with self._lock:
            self._db.close()

    def _run(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._db.execute(sql, tuple(params))
            except sqlite3.Error as exc:
                raise OutputError(f"crawl state {self.path}: {exc}") from exc

    # -- sources -----------------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) saved for a feed, sitemap or start page."""
        row = self._run("SELECT etag, last_modified FROM sources WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def discovered(
        self,
        source_url: str,
        urls: Iterable[tuple[str, str]],
        *,
        etag: str | None,
        last_modified: str | None,
        now: float | None = None,
        source: str | None = None,
        children: Iterable[tuple[str, str | None]] | None = None,
    ) -> list[tuple[str, str]]:
        """Add the new ``(key, url)`` pairs as pending and save the source's validators, in one transaction.

        ``source_url`` is the document fetched (its validators are kept under it); ``source`` the
        configured source the URLs are credited to (default ``source_url``). ``children`` (a sitemap
        index's child sitemaps, ``(url, lastmod)``) replace the ones saved for ``source_url``.
        Returns the pairs that were new. Saving all together means a 304 next time can never hide URLs
        that were found but not yet fetched: they are in the table as pending.
        """
        now = time.time() if now is None else now
        new: list[tuple[str, str]] = []
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for key, url in urls:
                    cur = self._db.execute(
                        "INSERT OR IGNORE INTO urls (key, url, source, status, first_seen, updated) "
                        "VALUES (?, ?, ?, 'pending', ?, ?)",
                        (key, url, source or source_url, now, now),
                    )
                    if cur.rowcount:
                        new.append((key, url))
                if children is not None:
                    self._db.execute("DELETE FROM sitemap_children WHERE sitemap = ?", (source_url,))
                    self._db.executemany(
                        "INSERT OR IGNORE INTO sitemap_children VALUES (?, ?, ?)",
                        [(source_url, url, lastmod) for url, lastmod in children],
                    )
                if etag or last_modified:
                    self._db.execute(
                        "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)",
                        (source_url, etag, last_modified, now),
                    )
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise OutputError(f"crawl state {self.path}: {exc}") from exc
        return new

    def sitemap_children(self, sitemap: str) -> list[tuple[str, str | None]]:
        """The child sitemaps ``(url, lastmod)`` the index ``sitemap`` listed when last fetched."""
        return [
            (r[0], r[1])
            for r in self._run(
                "SELECT url, lastmod FROM sitemap_children WHERE sitemap = ? ORDER BY rowid", (sitemap,)
            )
        ]

    def discovery(self, site: str) -> tuple[str, float] | None:
        """(JSON, time checked) of what discovery found on ``site``, if it ran before."""
        row = self._run("SELECT found, checked FROM discovered WHERE site = ?", (site,)).fetchone()
        return (row[0], row[1]) if row else None

    def save_discovery(self, site: str, found: str, *, now: float | None = None) -> None:
        """Keep what discovery found on ``site`` (JSON) for later runs."""
        self._run(
            "INSERT OR REPLACE INTO discovered VALUES (?, ?, ?)",
            (site, found, time.time() if now is None else now),
        )

    def known(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` already have a row (any status)."""
        keys = list(keys)
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._run(f"SELECT key FROM urls WHERE key IN ({marks})", chunk))
        return found

    # -- the work queue ----------------------------------------------------------------------------

    def due(self, *, now: float | None = None) -> list[UrlRow]:
        """URLs to fetch this run: pending ones (oldest first) and failed ones whose retry time has come."""
        now = time.time() if now is None else now
        rows = self._run(
            "SELECT key, url, source, status, attempts, record_id, path FROM urls "
            "WHERE status = 'pending' OR (status = 'failed' AND next_retry <= ?) "
            "ORDER BY status = 'failed', first_seen DESC, rowid DESC",
            (now,),
        ).fetchall()
        return [UrlRow(*r) for r in rows]

    def unfinished_writes(self) -> list[UrlRow]:
        """Rows left in ``writing`` by a killed run."""
        rows = self._run(
            "SELECT key, url, source, status, attempts, record_id, path FROM urls WHERE status = 'writing'"
        ).fetchall()
        return [UrlRow(*r) for r in rows]

    def writing(self, key: str, *, record_id: str, path: str, content_hash: str) -> str | None:
        """Note that ``key``'s record is about to be written to ``path``; returns its previous path, if any."""
        with self._lock:
            row = self._db.execute("SELECT path FROM urls WHERE key = ?", (key,)).fetchone()
            self._db.execute(
                "UPDATE urls SET status = 'writing', record_id = ?, path = ?, content_hash = ?, "
                "updated = ? WHERE key = ?",
                (record_id, path, content_hash, time.time(), key),
            )
        return row[0] if row else None

    def done(self, key: str) -> None:
        """The record of ``key`` is durably written."""
        self._run(
            "UPDATE urls SET status = 'done', reason = NULL, next_retry = NULL, attempts = attempts + 1, "
            "updated = ? WHERE key = ?",
            (time.time(), key),
        )

    def back_to_pending(self, key: str) -> None:
        """A write that did not make it: fetch the URL again next time."""
        self._run("UPDATE urls SET status = 'pending', updated = ? WHERE key = ?", (time.time(), key))

    def skipped(self, key: str, reason: str) -> None:
        """Not to be fetched again (404, robots.txt, no article, duplicate, too old)."""
        self._run(
            "UPDATE urls SET status = 'skipped', reason = ?, attempts = attempts + 1, next_retry = NULL, "
            "updated = ? WHERE key = ?",
            (reason, time.time(), key),
        )

    def failed(self, key: str, reason: str, *, retry_limit: int, backoff: float) -> str:
        """A transient failure: schedule a retry (backoff doubling per attempt) or give up. Returns the status."""
        now = time.time()
        with self._lock:
            row = self._db.execute("SELECT attempts FROM urls WHERE key = ?", (key,)).fetchone()
            attempts = (row[0] if row else 0) + 1
            status = "gave_up" if attempts >= retry_limit else "failed"
            next_retry = now + backoff * 2 ** (attempts - 1) if status == "failed" else None
            self._db.execute(
                "UPDATE urls SET status = ?, reason = ?, attempts = ?, next_retry = ?, updated = ? "
                "WHERE key = ?",
                (status, reason, attempts, next_retry, now, key),
            )
        return status

    def hash_owners(self, content_hash: str, key: str) -> list[tuple[str, str]]:
        """``(key, record_id)`` of the other URLs written (or being written) with the same body."""
        return [
            (r[0], r[1])
            for r in self._run(
                "SELECT key, record_id FROM urls WHERE content_hash = ? AND key != ? "
                "AND status IN ('done', 'writing') ORDER BY rowid",
                (content_hash, key),
            )
        ]

    def alias(self, key: str, record_id: str) -> None:
        """``key`` has the same body as the record ``record_id`` of another URL: not written again."""
        self._run(
            "UPDATE urls SET status = 'skipped', reason = 'alias', record_id = ?, attempts = attempts + 1, "
            "next_retry = NULL, updated = ? WHERE key = ?",
            (record_id, time.time(), key),
        )

    def record_path_in_use(self, path: str, key: str) -> bool:
        """Whether another done URL's record lives at ``path`` (so it must not be deleted)."""
        row = self._run(
            "SELECT 1 FROM urls WHERE path = ? AND key != ? AND status IN ('done', 'writing') LIMIT 1",
            (path, key),
        ).fetchone()
        return row is not None

    def counts(self) -> dict[str, int]:
        """Rows per status."""
        return dict(self._run("SELECT status, COUNT(*) FROM urls GROUP BY status").fetchall())

    def status_of(self, url_key: str) -> str | None:
        """The status of one normalised URL, or None if unseen."""
        row = self._run("SELECT status FROM urls WHERE key = ?", (url_key,)).fetchone()
        return row[0] if row else None
