"""``scraper extract``: one-off URLs, saved pages and stdin to records, in any output format.

Inputs: URLs and saved pages on the command line, ``-`` for one page on stdin, ``-i FILE`` for a list.
Output (``-o``): stdout by default; ``FILE.jsonl`` / ``FILE.csv`` append; ``FILE.json`` (or ``.md``,
``.txt``, ``.html``) holds one record; ``DIR`` (an existing folder, or a path ending in ``/``) gets one
``ID.EXT`` per record. Anything else is a usage error (exit 2), never a new folder made by surprise.
``--explain`` prints, for one page, how the extractor read it (``scraper.explain``) instead of a record.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NotHTMLError, ScraperError, TooLargeError, UsageError
from ..formats import FORMATS as _REGISTRY
from ..formats import output_format
from ._common import EXIT_OK, EXIT_SOME_FAILED, printable, progress_logging

if TYPE_CHECKING:
    from ..config import Config
    from ..record import Article

FORMATS = tuple(_REGISTRY)  # the formats of one article, from the registry in scraper.formats
STDIN = "-"
# errors printed one by one in batch mode; the rest are counted
MAX_ERRORS_SHOWN = 20


def add_parser(
    sub: argparse._SubParsersAction, name: str, parents: list[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name,
        parents=parents,
        help="extract articles from URLs, saved pages or stdin",
        description="Extract the article of each URL or saved HTML file (- reads one page from stdin). "
        "One input prints one record, several print one per line (JSON Lines) or, in text, Markdown and "
        "HTML, one after the other, clearly separated.",
    )
    p.add_argument(
        "inputs", nargs="*", metavar="URL_OR_FILE", help="URLs, saved pages (.html, gzip or not), - for stdin"
    )
    p.add_argument(
        "-i",
        "--input-file",
        metavar="FILE",
        help="read URLs and paths from FILE, one a line (# comments and blank lines skipped; - for stdin)",
    )
    p.add_argument("--url", help="the original URL of a saved page or of stdin (one input only)")
    p.add_argument(
        "-o",
        "--output",
        metavar="DEST",
        help="FILE.jsonl or FILE.csv (appended), FILE.json/.md/.txt/.html (one record), or DIR "
        "(an existing folder, or a path ending in /) for one ID.EXT file per record",
    )
    p.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="output format (default: [output] format in the config, json; or the -o file's extension)",
    )
    p.add_argument("--links", action="store_true", help="Markdown and HTML: keep the article's links")
    p.add_argument(
        "--images", action="store_true", help="Markdown and HTML: keep the article's images, with captions"
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="for one page (URL, saved page or -): print the container chosen and why, then every block "
        "of the page's text in order, kept or dropped and the reason (for tuning [sites.*] rules)",
    )
    _add_batch_options(p)  # batch mode, see the end of this module
    return p


def _shown(source: str) -> str:
    """An input as it may appear on the terminal: no password of a URL."""
    from ..urls import is_local_path

    if is_local_path(source):
        return source
    from ..record import strip_credentials

    return strip_credentials(source, mask="***@")


def read_input_list(path: str) -> list[str]:
    """The inputs listed in ``path`` (``-``: stdin), one a line; ``#`` comments and blank lines skipped."""
    if path == STDIN:
        text = sys.stdin.read()
    else:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise UsageError(f"cannot read input list {path}: {exc.strerror or exc}") from exc
    from ..urls import parse_url_list

    return parse_url_list(text)


def gather_inputs(args: argparse.Namespace) -> list[str]:
    """The inputs of the command line and of ``-i``, checked: at least one, stdin at most once."""
    inputs = list(args.inputs)
    if args.input_file:
        if args.input_file == STDIN and STDIN in inputs:
            raise UsageError("stdin cannot be both a page (-) and the input list (-i -)")
        inputs += read_input_list(args.input_file)
    if not inputs:
        raise UsageError("no inputs: give URLs or saved pages, - for stdin, or -i FILE")
    if inputs.count(STDIN) > 1:
        raise UsageError("- (stdin) can be given once")
    if args.url and len(inputs) > 1:
        raise UsageError("--url applies to a single input")
    return inputs


@dataclass(frozen=True)
class Target:
    """Where records go: stdout, one file, a file appended to, or a folder of one file per record."""

    kind: str  # "stdout" | "file" | "append" | "dir"
    fmt: str
    path: Path | None = None


def plan_output(dest: str | None, *, fmt: str | None, default_fmt: str, inputs: int) -> Target:
    """The output target of ``-o dest`` with ``-f fmt`` for ``inputs`` inputs; ``UsageError`` if it is not one."""
    if dest is None:
        return Target("stdout", fmt or default_fmt)
    path = Path(dest)
    if dest.endswith(("/", os.sep)) or path.is_dir():
        return Target("dir", fmt or default_fmt, path)
    by_extension = {ext: name for name, ext in _REGISTRY.items()}
    named = by_extension.get(path.suffix.lower())
    if named is None:
        extensions = ", ".join(sorted(by_extension))
        raise UsageError(
            f"-o {dest}: not an existing folder, a path ending in /, or a file ending in {extensions}"
        )
    if fmt and fmt != named:
        raise UsageError(f"-o {dest} writes {named}, not -f {fmt}: name a {_REGISTRY[fmt]} file or a folder")
    if output_format(named).row is not None:
        return Target("append", named, path)
    if inputs > 1:
        appended = ", ".join(f"FILE{_REGISTRY[name]}" for name in _REGISTRY if output_format(name).row)
        raise UsageError(f"-o {dest} holds one record; with several inputs use -o {appended} or DIR/")
    return Target("file", named, path)


def _read_stdin(max_bytes: int) -> bytes:
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLargeError(f"stdin is larger than the {max_bytes} byte cap (fetch.max_bytes)")
    return data


def _read_local(source: str, config: Config) -> bytes:
    """The page of stdin (``-``) or of a saved file, refused (``NotHTMLError``) unless it looks like HTML."""
    from ..inputs import read_page_file
    from ..sniff import looks_like_html

    if source == STDIN:
        data, source = _read_stdin(config.fetch.max_bytes), "stdin"
    else:
        data = read_page_file(source, max_bytes=config.fetch.max_bytes)
    if not looks_like_html(data):  # as for a saved page given by name (scraper.inputs.extract_input)
        raise NotHTMLError(f"not HTML: {source} does not start with an HTML doctype or tag")
    return data


def run(args: argparse.Namespace, config: Config) -> int:
    """Usage errors are raised (``UsageError``: one line and exit 2, from ``cli.main``)."""
    from ..write import check_url_backend, require_local_path

    inputs = gather_inputs(args)
    if args.links:  # the extractor records where links stand only when they will be shown
        config = dataclasses.replace(config, extract=dataclasses.replace(config.extract, links=True))
    if args.explain:
        return _explain(args, config, inputs)
    if args.workers or args.engine != "local":  # batch mode, see the end of this module
        check_url_backend(args.output, what="extract -o")
        return _run_batch(args, config, inputs)
    require_local_path(args.output, what="extract -o", hint=" (batch mode, --workers N, writes to URLs)")
    target = plan_output(args.output, fmt=args.format, default_fmt=config.output.format, inputs=len(inputs))
    if (args.links or args.images) and not output_format(target.fmt).links_and_images:
        rich = " and ".join(name for name in _REGISTRY if output_format(name).links_and_images)
        raise UsageError(f"--links and --images apply to {rich} output, not {target.fmt}")
    return _extract_all(args, config, inputs, target)


def _extract_all(args: argparse.Namespace, config: Config, inputs: list[str], target: Target) -> int:
    from ..extract import extract
    from ..formats import ArticleStream
    from ..inputs import extract_input
    from ..urls import is_http_url
    from ..write import append_records, write_file, write_record

    options = {"indent": config.output.indent, "links": args.links, "images": args.images}
    stream = (
        ArticleStream(sys.stdout, target.fmt, several=len(inputs) > 1, **options)
        if target.kind == "stdout"
        else None
    )
    fetcher = None
    if any(is_http_url(i) for i in inputs):
        from ..fetch import Fetcher

        fetcher = Fetcher(config.fetch)
    failures = 0
    try:
        for source in inputs:
            try:
                article: Article
                if source == STDIN:
                    article = extract(_read_local(STDIN, config), args.url, config=config)
                else:
                    article = extract_input(source, fetcher=fetcher, config=config, url=args.url)
            except ScraperError as exc:
                failures += 1
                print(f"scraper: {printable(_shown(source))}: {printable(str(exc))}", file=sys.stderr)
                continue
            # an output error is not this input's fault: it ends the run (one line, exit 1, from cli.main)
            if stream is not None:
                stream.write(article, source=_shown(args.url or ("stdin" if source == STDIN else source)))
            else:
                assert target.path is not None  # every target but stdout names a path
                if target.kind == "dir":
                    write_record(article, target.path, fmt=target.fmt, **options)
                elif target.kind == "file":
                    write_file(article, target.path, fmt=target.fmt, **options)
                else:
                    append_records([article], target.path, fmt=target.fmt)
    finally:
        if stream is not None:
            stream.close()
        if fetcher is not None:
            fetcher.close()
    return EXIT_SOME_FAILED if failures else EXIT_OK


def _explain(args: argparse.Namespace, config: Config, inputs: list[str]) -> int:
    """``--explain``: the report of ``scraper.explain.explain`` for one page, on stdout."""
    given = [
        option
        for option, value in (
            ("-o", args.output),
            ("-f", args.format),
            ("--links", args.links),
            ("--images", args.images),
            ("--workers", args.workers),
            ("--engine", args.engine != "local"),
        )
        if value
    ]
    if given:
        raise UsageError(f"--explain prints a report on stdout, not a record: it takes no {', '.join(given)}")
    if len(inputs) > 1:
        raise UsageError("--explain applies to a single input")
    from ..explain import explain
    from ..urls import is_http_url

    source = inputs[0]
    try:
        if is_http_url(source):
            from ..fetch import Fetcher

            with Fetcher(config.fetch) as fetcher:
                page = fetcher.fetch(source)
            html, url = page.content, page.final_url
        else:
            html, url = _read_local(source, config), args.url
        explanation = explain(html, url, config=config)
    except ScraperError as exc:
        print(f"scraper: {printable(_shown(source))}: {printable(str(exc))}", file=sys.stderr)
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
    group.add_argument(
        "--chunk-size", type=int, default=20, metavar="N", help="inputs per task (default: 20)"
    )


def _run_batch(args: argparse.Namespace, config: Config, inputs: list[str]) -> int:
    from ..engine import extract_batch
    from ..urls import is_local_path

    if STDIN in inputs:
        raise UsageError("- (stdin) cannot be read in batch mode (--workers/--engine)")
    dest = args.output or ""
    remote = not is_local_path(dest)
    is_folder = (
        dest.endswith(("/", os.sep)) or Path(dest).is_dir() or (remote and not dest.endswith(".jsonl"))
    )
    if (
        not dest
        or not (dest.endswith(".jsonl") or is_folder)
        or args.url
        or args.format not in (None, "jsonl")
        or args.links
        or args.images
    ):
        raise UsageError(
            "batch mode (--workers/--engine) needs -o FILE.jsonl or -o DIR (an existing folder or a "
            "path ending in /), JSON Lines output and no --url"
        )
    progress = sys.stderr.isatty()
    with progress_logging(progress):
        summary = extract_batch(
            inputs,
            dest,
            config=config,
            engine=args.engine,
            workers=args.workers,
            scheduler=args.scheduler,
            chunk_size=args.chunk_size,
            progress=progress,
        )
    stats = summary.stats
    for line in stats.errors[:MAX_ERRORS_SHOWN]:
        source, _, message = line.partition(": ")
        print(f"scraper: {printable(_shown(source))}: {printable(message)}", file=sys.stderr)
    hidden = stats.failed - min(len(stats.errors), MAX_ERRORS_SHOWN)
    if hidden > 0:
        print(f"scraper: ... and {hidden} more failed inputs not shown", file=sys.stderr)
    print(
        f"scraper: {stats.inputs} inputs, {stats.articles} articles, {stats.failed} failed", file=sys.stderr
    )
    return 1 if stats.failed else 0
