"""Scheduled crawling: sources -> new URLs -> fetch -> extract -> write, politely, resumable, cron-safe.

``crawl(config, out=..., state_path=...)`` runs once and returns a ``RunSummary``:

1. take the run lock (``OUT/.scraper.lock``, and ``STATE.lock`` when the state lives elsewhere); a
   second run exits at once with ``CrawlLockedError`` (``lock``);
2. settle what a killed run left behind (rows in ``writing``: the file is there or it is not;
   ``recovery``);
3. queue the URLs still due from earlier runs (pending, and failed ones whose retry time has come) and
   every source; sources found new URLs, which are saved as pending before they are queued
   (``workers``, ``sourcing``);
4. workers fetch through a per-host scheduler (``politeness.HostScheduler``), robots.txt consulted and
   its Crawl-delay honoured (``context``); each article is extracted and written, and only then marked
   done (``articles``, ``records``);
5. the summary is appended to ``OUT/runs.jsonl`` (``summary``).

Stopping (``stop`` event, set by the CLI on SIGINT/SIGTERM): no new job starts, jobs in flight finish,
retry waits end at once, and what was not fetched stays pending for the next run.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from ..config import Config
from ..errors import CrawlLockedError, OutputError
from ..extract import extract
from ..state import LOCK_FILE, RUNS_FILE, STATE_FILE, CrawlState
from ..write import append_jsonl
from .articles import ArticleStep
from .context import Run
from .lock import crawl_lock
from .records import RecordWriter, record_path
from .recovery import settle
from .sourcing import SourceSteps
from .summary import NoProgress, Progress, RunSummary
from .workers import run_crawl

log = logging.getLogger(__name__)

__all__ = ["CrawlLockedError", "Progress", "RunSummary", "crawl", "crawl_lock", "record_path", "settle"]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def crawl(
    config: Config,
    *,
    out: str | Path | None = None,
    state_path: str | Path | None = None,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Run one crawl of ``config.sources`` into ``out`` (default ``config.crawl.out``); see the module doc.

    Raises ``CrawlLockedError`` if another run holds the lock, ``OutputError`` if the output folder or
    the state cannot be opened. Failures of single pages or sources are counted in the summary.
    """
    out_dir = Path(out if out is not None else config.crawl.out)
    state_file = Path(state_path or config.crawl.state or out_dir / STATE_FILE)
    stop = stop or threading.Event()
    started = time.monotonic()
    summary = RunSummary(started=_now(), out=str(out_dir), sources=len(config.sources))
    with contextlib.ExitStack() as stack:
        stack.enter_context(crawl_lock(out_dir / LOCK_FILE))
        if state_file.resolve().parent != out_dir.resolve():
            stack.enter_context(crawl_lock(state_file.with_name(state_file.name + ".lock")))
        state = CrawlState(state_file)
        stack.callback(state.close)
        settle(state)
        run = Run(config, state=state, stop=stop, progress=progress or NoProgress(), summary=summary)
        writer = RecordWriter(config, out=out_dir, state=state)
        # ``extract`` is looked up here, at call time, so a benchmark may stand a cheap one in for it
        run_crawl(run, SourceSteps(run), ArticleStep(run, writer, extract=extract))
        summary.interrupted = stop.is_set() and summary.error is None
        summary.pending = state.counts().get("pending", 0)
        summary.duration = time.monotonic() - started
        summary.finished = _now()
        try:
            append_jsonl([summary.to_dict()], out_dir / RUNS_FILE)
        except OutputError as exc:
            log.error("%s", exc)
            summary.error = summary.error or str(exc)
    return summary
