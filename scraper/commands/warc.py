"""``scraper extract-warc``: the HTML articles of WARC files to JSON Lines, on local cores or a Dask cluster."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ._common import progress_logging

if TYPE_CHECKING:
    from ..config import Config

# scraper.engine.ENGINES, spelled out so that building the parser does not import the engine
# (tests/test_cli_docs.py checks they agree)
ENGINES = ("local", "dask")


def add_parser(
    sub: argparse._SubParsersAction, name: str, parents: list[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name,
        parents=parents,
        help="extract the HTML articles of WARC files",
        description="Read the response records of WARC files (gzip or not), extract every HTML article and "
        "write one JSON Lines record per article, with its warc_record_id and warc_date. Records that are "
        "not HTML, and damaged parts of a file, are skipped and counted.",
    )
    p.add_argument(
        "inputs", nargs="+", metavar="FILE.warc.gz", help="WARC files (local paths or fsspec URLs)"
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT.jsonl|DIR",
        help="a .jsonl file (replaced), or a folder that keeps one part-NNNNN.jsonl per task",
    )
    add_engine_options(p)
    p.add_argument(
        "--chunk-records", type=int, default=100, metavar="N", help="WARC records per task (default: 100)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar (shown on a terminal only)")
    return p


def add_engine_options(p: argparse._ActionsContainer) -> None:
    """The --workers/--engine/--scheduler options, shared by the verbs that run in parallel."""
    p.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: all cores)")
    p.add_argument("--engine", choices=ENGINES, default="local", help="local processes or a Dask cluster")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address, e.g. tcp://HOST:8786")


def run(args: argparse.Namespace, config: Config) -> int:
    from ..engine import extract_warc_files
    from ..write import check_url_backend

    check_url_backend(args.output, what="extract-warc -o")
    for source in args.inputs:
        check_url_backend(source, what="extract-warc input")
    progress = not args.no_progress and sys.stderr.isatty()
    with progress_logging(progress):
        summary = extract_warc_files(
            args.inputs,
            args.output,
            config=config,
            engine=args.engine,
            workers=args.workers,
            scheduler=args.scheduler,
            chunk_records=args.chunk_records,
            progress=progress,
        )
    stats = summary.stats
    skipped = ", ".join(f"{reason} {n}" for reason, n in stats.skipped().items()) or "none"
    print(
        f"scraper: {stats.records} records, {stats.html} HTML pages, {stats.articles} articles written "
        f"to {', '.join(summary.outputs) or args.output}; skipped: {skipped}",
        file=sys.stderr,
    )
    return 1 if stats.corrupt or stats.truncated else 0
