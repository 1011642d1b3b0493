"""``scraper crawl``: one scheduled run over the configured sources (made for cron).

Exit codes: 0 the run succeeded; 1 more than ``crawl.max_failure_share`` of the pages failed, or a fatal
output error; 2 bad config; 75 another run holds the lock; 128+N after signal N (SIGINT 130, SIGTERM 143)
once the records in flight are written and the state saved.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, CrawlLockedError
from ._common import EXIT_LOCKED, EXIT_OK, EXIT_SOME_FAILED, config_path, printable, progress_logging

if TYPE_CHECKING:
    from ..config import Config
    from ..crawl import RunSummary


def add_parser(
    sub: argparse._SubParsersAction, name: str, parents: list[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name,
        parents=parents,
        help="crawl the configured sources once (for cron)",
        description="Fetch the new articles of the [[sources]] in the config and write them to OUT. "
        "Safe to run from cron: an overlapping run exits with code 75; a killed run loses nothing.",
    )
    p.add_argument("--out", metavar="DIR", help="output folder (default: crawl.out in the config)")
    p.add_argument("--state", metavar="PATH", help="SQLite state file (default: OUT/.scraper-state.sqlite)")
    return p


class _Bar:
    """A tqdm progress bar on stderr (a ``scraper.crawl.Progress``)."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=0, unit="page", file=sys.stderr, dynamic_ncols=True, leave=False)
        self.lock = threading.Lock()

    def add_total(self, n: int) -> None:
        with self.lock:
            self.bar.total = (self.bar.total or 0) + n
            self.bar.refresh()

    def advance(self, outcome: str) -> None:
        with self.lock:
            self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


@contextmanager
def _stop_on_signals(stop: threading.Event, received: list[int]) -> Iterator[None]:
    """SIGINT/SIGTERM set ``stop`` (a second one is not needed: in-flight work ends within its timeouts)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()

    old: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        old[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


def format_summary(s: RunSummary) -> str:
    """The run summary as a few lines for stderr."""

    def reasons(d: dict[str, int]) -> str:
        return " (" + ", ".join(f"{k} {v}" for k, v in sorted(d.items())) + ")" if d else ""

    lines = [
        f"scraper crawl: {s.duration:.1f} s, {s.sources} sources ({s.sources_not_modified} not modified, "
        f"{s.sitemaps} sitemaps), {s.requests} requests",
        f"  found {s.found}, new {s.new}, retried {s.retried}, fetched {s.fetched}, written {s.written}, "
        f"pending {s.pending}",
        f"  skipped {sum(s.skipped.values())}{reasons(s.skipped)}, "
        f"failed {s.failed_total}{reasons(s.failed)} = {s.failure_share:.0%}",
    ]
    if s.interrupted:
        lines.append("  interrupted: records in flight written, the rest left for the next run")
    if s.error:
        lines.append(f"  error: {s.error}")
    return "\n".join(lines)


def run(args: argparse.Namespace, config: Config) -> int:
    if not config.sources:  # nothing to do: say so, rather than make an empty ./out/
        path = config_path(args.config)
        where = path if path else "no config file ($SCRAPER_CONFIG unset, no ./config.toml)"
        raise ConfigError(f"{where}: no [[sources]] to crawl (see the [[sources]] examples in config.toml)")
    from ..write import require_local_path

    for option, value in (("--out", args.out), ("--state", args.state)):
        require_local_path(value, what=f"crawl {option}")
    from ..crawl import crawl

    stop = threading.Event()
    received: list[int] = []
    bar = _Bar() if sys.stderr.isatty() and not args.quiet else None
    try:
        with _stop_on_signals(stop, received), progress_logging(bar is not None):
            summary = crawl(config, out=args.out, state_path=args.state, stop=stop, progress=bar)
    except CrawlLockedError as exc:
        print(f"scraper: {printable(str(exc))}", file=sys.stderr)
        return EXIT_LOCKED
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet or summary.error or summary.failure_share > config.crawl.max_failure_share:
        print(format_summary(summary), file=sys.stderr)
    if received:
        return 128 + received[0]
    if summary.error:
        return EXIT_SOME_FAILED
    if summary.failure_share > config.crawl.max_failure_share:
        logging.getLogger(__name__).error(
            "%.0f%% of pages failed (crawl.max_failure_share %.0f%%)",
            summary.failure_share * 100,
            config.crawl.max_failure_share * 100,
        )
        return EXIT_SOME_FAILED
    return EXIT_OK
