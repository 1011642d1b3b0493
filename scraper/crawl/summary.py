"""What one crawl run did (``RunSummary``, a line of ``OUT/runs.jsonl``) and the progress hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["NoProgress", "Progress", "RunSummary"]


@dataclass
class RunSummary:
    """What one run did; ``to_dict()`` is the line appended to ``OUT/runs.jsonl``."""

    started: str
    out: str
    finished: str = ""
    duration: float = 0.0
    sources: int = 0  # sources configured
    sources_not_modified: int = 0  # answered 304
    sitemaps: int = 0  # sitemap files fetched (index children included)
    found: int = 0  # article URLs listed by the sources (after include/exclude/age filters)
    new: int = 0  # of those, never seen before
    retried: int = 0  # URLs from earlier runs: left pending, or failed and due for a retry
    fetched: int = 0  # article pages downloaded
    written: int = 0  # records written
    skipped: dict[str, int] = field(default_factory=dict)  # not failures: robots, alias, too_old, no_article
    failed: dict[str, int] = field(default_factory=dict)  # by reason
    pending: int = 0  # left for the next run (page budget, stop)
    requests: int = 0  # HTTP requests made (robots.txt included, retries not)
    interrupted: bool = False
    error: str | None = None  # a fatal error that ended the run early (e.g. disk full)
    records: list[str] = field(default_factory=list, repr=False)  # paths written (not in the JSON line)

    @property
    def failed_total(self) -> int:
        """Pages and sources that failed, all reasons."""
        return sum(self.failed.values())

    @property
    def failure_share(self) -> float:
        """Failed share of the pages and sources this run tried (0.0 when it tried none)."""
        # a failed source is one of the sources tried: count it once
        failed_pages = sum(n for reason, n in self.failed.items() if not reason.startswith("source_"))
        tried = self.written + failed_pages + sum(self.skipped.values()) + self._sources_tried
        return self.failed_total / tried if tried else 0.0

    _sources_tried: int = field(default=0, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return {
            "started": self.started,
            "finished": self.finished,
            "duration": round(self.duration, 3),
            "out": self.out,
            "sources": self.sources,
            "sources_not_modified": self.sources_not_modified,
            "sitemaps": self.sitemaps,
            "found": self.found,
            "new": self.new,
            "retried": self.retried,
            "fetched": self.fetched,
            "written": self.written,
            "skipped": dict(sorted(self.skipped.items())),
            "failed": dict(sorted(self.failed.items())),
            "failure_share": round(self.failure_share, 4),
            "pending": self.pending,
            "requests": self.requests,
            "interrupted": self.interrupted,
            "error": self.error,
        }


class Progress(Protocol):
    """Hooks for a progress display (the CLI passes a tqdm-backed one); any object with these methods."""

    def add_total(self, n: int) -> None:
        """``n`` more article URLs were queued."""

    def advance(self, outcome: str) -> None:
        """One queued article URL is finished (``written``, a skip reason or a failure reason)."""


class NoProgress:
    """The default progress display: shows nothing."""

    def add_total(self, n: int) -> None:
        pass

    def advance(self, outcome: str) -> None:
        pass
