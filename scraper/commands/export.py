"""``scraper export``: the records of a crawl (or of extract-warc) as one deduplicated JSONL or Parquet dataset."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from ..formats import DATASET_FORMATS as FORMATS
from ._common import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from ..config import Config
    from ..dataset import ExportSummary

# scraper.dataset.DEDUP_MODES, spelled out so that building the parser does not import pyarrow
# (tests/test_cli_docs.py checks they agree)
DEDUP_MODES = ("none", "exact", "near")


def _date(value: str) -> date:
    from ..dataset import parse_date_bound

    return parse_date_bound(value)


def add_parser(
    sub: argparse._SubParsersAction, name: str, parents: list[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name,
        parents=parents,
        help="export crawl records as a JSONL or Parquet dataset",
        description="Read OUT/**/ID.json and *.jsonl records, keep those published in [--since, --until], "
        "drop duplicates (keeping the earliest copy) and write them in a fixed schema, sorted by published "
        "date then id. Parquet output is a folder partitioned by published_month=YYYY-MM (or unknown).",
    )
    p.add_argument("root", metavar="OUT", help="a crawl output folder, or a .jsonl/.json file")
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)")
    p.add_argument(
        "-o",
        "--output",
        metavar="DEST",
        help="output file (jsonl) or folder (parquet); jsonl without -o goes to stdout",
    )
    p.add_argument("--since", type=_date, metavar="DATE", help="published on or after DATE (YYYY-MM-DD)")
    p.add_argument("--until", type=_date, metavar="DATE", help="published on or before DATE (YYYY-MM-DD)")
    p.add_argument(
        "--dedup",
        choices=DEDUP_MODES,
        default="exact",
        help="none; exact (same content hash); near (MinHash LSH, also exact) (default: exact)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.8,
        metavar="J",
        help="Jaccard similarity of word shingles above which --dedup near drops a copy (default 0.8)",
    )
    return p


def _report(summary: ExportSummary) -> None:
    dropped = ", ".join(f"{reason} {n}" for reason, n in sorted(summary.dropped.items())) or "none"
    print(f"scraper: export: {summary.read} in, {summary.written} out; dropped: {dropped}", file=sys.stderr)


def run(args: argparse.Namespace, config: Config) -> int:
    from ..dataset import ExportSummary, collect, export, jsonl_lines
    from ..write import check_url_backend, require_local_path

    options = {"since": args.since, "until": args.until, "dedup": args.dedup, "threshold": args.threshold}
    require_local_path(args.root, what="export")  # records are read from local files
    if args.format == "parquet":  # a local folder, swapped in whole
        require_local_path(args.output, what="export --format parquet -o")
    check_url_backend(args.output, what="export -o")
    if args.output is None:
        if args.format != "jsonl":
            print(f"scraper: error: --format {args.format} needs -o FOLDER", file=sys.stderr)
            return EXIT_USAGE
        summary = ExportSummary()
        records = collect(args.root, summary=summary, **options)
        for line in jsonl_lines(records):
            sys.stdout.write(line)
        sys.stdout.flush()
        summary.written = len(records)
    else:
        summary = export(args.root, args.output, fmt=args.format, **options)
    _report(summary)
    return EXIT_OK
