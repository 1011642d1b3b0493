"""``scraper extract``: one-off URLs and saved pages to JSON records."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import printable
from ..config import Config
from ..errors import ScraperError
from ..fetch import Fetcher, redact_url
from ..inputs import extract_input, is_url
from ..write import append_jsonl, check_url_backend, render, require_local_path, write_record

FORMATS = ("json", "jsonl", "text", "markdown")


def add_parser(sub: argparse._SubParsersAction, name: str, parents: list[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name, parents=parents, help="extract articles from URLs or saved pages",
        description="Extract the article of each URL or saved HTML file. One input prints one JSON object, "
        "several print JSON Lines.",
    )
    p.add_argument("inputs", nargs="+", metavar="URL_OR_FILE")
    p.add_argument("--url", help="the original URL of a saved page (one input only)")
    p.add_argument("-o", "--output", metavar="DIR_OR_FILE.jsonl",
                   help="write ID.json files into DIR, or append lines to FILE.jsonl")
    p.add_argument("-f", "--format", choices=FORMATS, help="output format (default: json, jsonl for several inputs)")
    p.add_argument("--explain", action="store_true",
                   help="for one page: print the container chosen and why, then every block of the page's text "
                   "in order, kept or dropped and the reason (for tuning [sites.*] rules)")
    _add_batch_options(p)  # batch mode, see the end of this module
    return p


def run(args: argparse.Namespace, config: Config) -> int:
    if args.workers or args.engine != "local":  # batch mode, see the end of this module
        check_url_backend(args.output, what="extract -o")
        return _run_batch(args, config)
    require_local_path(args.output, what="extract -o", hint=" (batch mode, --workers N, writes to URLs)")
    if args.url and len(args.inputs) > 1:
        print("scraper: error: --url applies to a single input", file=sys.stderr)
        return 2
    if args.explain:
        return _explain(args, config)
    fmt = args.format or ("json" if len(args.inputs) == 1 else "jsonl")
    out = Path(args.output) if args.output else None
    failures = 0
    fetcher = Fetcher(config.fetch) if any(is_url(i) for i in args.inputs) else None
    try:
        for source in args.inputs:
            try:
                article = extract_input(source, fetcher=fetcher, config=config, url=args.url)
            except ScraperError as exc:
                failures += 1
                shown = redact_url(source) if is_url(source) else source  # no passwords on the terminal
                print(f"scraper: {printable(shown)}: {printable(str(exc))}", file=sys.stderr)
                continue
            if out is None:
                sys.stdout.write(render(article, fmt, indent=config.output.indent) + "\n")
                sys.stdout.flush()
            elif out.suffix == ".jsonl":
                append_jsonl([article], out)
            else:
                write_record(article, out, indent=config.output.indent)
    finally:
        if fetcher is not None:
            fetcher.close()
    return 1 if failures else 0


def _explain(args: argparse.Namespace, config: Config) -> int:
    from ..explain import explain
    from ..inputs import read_page_file

    if len(args.inputs) > 1:
        print("scraper: error: --explain applies to a single input", file=sys.stderr)
        return 2
    source = args.inputs[0]
    try:
        if is_url(source):
            with Fetcher(config.fetch) as fetcher:
                page = fetcher.fetch(source)
            html, url = page.content, page.final_url
        else:
            html, url = read_page_file(source, max_bytes=config.fetch.max_bytes), args.url
        explanation = explain(html, url, config=config)
    except ScraperError as exc:
        shown = redact_url(source) if is_url(source) else source
        print(f"scraper: {printable(shown)}: {printable(str(exc))}", file=sys.stderr)
        return 1
    for line in explanation.lines():
        sys.stdout.write(printable(line) + "\n")
    return 1 if explanation.error else 0


# -- Batch mode: --workers N / --engine dask --scheduler ADDR (scraper.engine) -----------------------------
# Inputs may also be folders (their saved pages) and .txt lists (one URL or path a line). Chunks of inputs
# run on local processes or a Dask cluster; -o FILE.jsonl is replaced by the merged parts, -o DIR keeps one
# part-NNNNN.jsonl per task.


def _add_batch_options(p: argparse.ArgumentParser) -> None:
    from .warc import add_engine_options

    group = p.add_argument_group("batch mode (--workers N, or --engine dask)")
    add_engine_options(group)
    group.add_argument("--chunk-size", type=int, default=20, metavar="N", help="inputs per task (default: 20)")


def _run_batch(args: argparse.Namespace, config: Config) -> int:
    from ..engine import extract_batch

    if not args.output or args.url or args.format not in (None, "jsonl"):
        print("scraper: error: batch mode (--workers/--engine) needs -o FILE.jsonl or -o DIR, JSON Lines "
              "output and no --url", file=sys.stderr)
        return 2
    summary = extract_batch(args.inputs, args.output, config=config, engine=args.engine, workers=args.workers,
                            scheduler=args.scheduler, chunk_size=args.chunk_size, progress=sys.stderr.isatty())
    stats = summary.stats
    for line in stats.errors:
        source, _, message = line.partition(": ")
        shown = redact_url(source) if is_url(source) else source
        print(f"scraper: {printable(shown)}: {printable(message)}", file=sys.stderr)
    print(f"scraper: {stats.inputs} inputs, {stats.articles} articles, {stats.failed} failed", file=sys.stderr)
    return 1 if stats.failed else 0
