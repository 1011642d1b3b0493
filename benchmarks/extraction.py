"""Extraction benchmark: our extractor and its peers on the five development sets, one table.

Usage::

    python benchmarks/extraction.py [--sets aeb,fundus,naeb,wcxb,trafeval]
                                    [--systems ours,trafilatura,readability,newspaper4k]
                                    [--failures N] [--json FILE] [--compare FILE] [--top N]
                                    [--only ID[,ID]] [--repeat K] [--jobs J] [--no-cpu]
                                    [--rss-page] [--update-guard] [--bench DIR]

    python benchmarks/extraction.py --systems ours --no-cpu --json base.json   # quality only, fast
    python benchmarks/extraction.py --systems ours --no-cpu --compare base.json --failures 5
    python benchmarks/extraction.py --rss-page         # peak RSS of ours on a synthetic ~10 MB page
    python benchmarks/extraction.py --update-guard     # new minimum scores for tests/test_bench_guard.py

The sets live in ``../shared/bench`` beside the repository: ``aeb-dev`` (``ground-truth.json`` with an
``articleBody`` per page) and ``news-dev/{fundus,naeb,wcxb,trafeval}`` (``truth.json``). Body sets are
scored with the shingle metric of ``aeb_metric.py`` (F1 of the mean per-page precision and recall, and
exact-match accuracy); ``trafeval`` with the snippet metric there (micro-averaged snippet F1).

Pages are gunzipped and decoded as UTF-8, or when they are not UTF-8, by the first charset they declare
that decodes them (``read_html``), so every system gets the same ``str``: 13 trafeval pages are
ISO-8859-1, windows-1252 or GB2312, and read as UTF-8 their accented and Chinese letters were lost for
every system. The harness does this itself, not with scraper's decoder, so that the peers' processes do
not load scraper.

Passes, each task in a fresh spawned process (``--jobs`` of them at a time, default 2):

* quality: each system alone over each set (split in ``--jobs`` strided chunks); it gives the texts
  that are scored, the pages raising, and the peak RSS of that system (the highest of its chunks);
* CPU (unless ``--no-cpu``): ours and one peer in one process, page by page, each timed with
  ``time.process_time()`` around the one call, ``--repeat`` times in alternating order (default 3),
  keeping each system's minimum. The ratio ours/peer is of the mean CPU ms per page over the set, so
  machine noise, which hits both alike, cancels out of it;
* with ``--rss-page`` (or in a full run with CPU), ours on a synthetic ~10 MB news page: its peak RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import gzip
import importlib.metadata
import json
import logging
import math
import multiprocessing
import re
import resource
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:  # run as a script or imported from tests
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from aeb_metric import (  # noqa: E402
    PageScore,
    SnippetScore,
    SnippetSummary,
    Summary,
    score_page,
    score_snippets,
    summarize,
    summarize_snippets,
    tokenize,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO_ROOT.parent / "shared" / "bench"
GUARD_DIR = REPO_ROOT / "tests" / "data" / "bench-sample"
GUARD_MARGIN = 0.03

ALL_SETS = ("aeb", "fundus", "naeb", "wcxb", "trafeval")
SET_DIRS = {
    "aeb": "aeb-dev",
    "fundus": "news-dev/fundus",
    "naeb": "news-dev/naeb",
    "wcxb": "news-dev/wcxb",
    "trafeval": "news-dev/trafeval",
}
SNIPPET_SETS = frozenset({"trafeval"})  # scored by snippets; the others by their body
ALL_SYSTEMS = (
    "ours",
    "trafilatura",
    "trafilatura-precision",
    "trafilatura-nocomments",
    "readability",
    "newspaper4k",
)
DEFAULT_SYSTEMS = ("ours", "trafilatura", "readability", "newspaper4k")
PACKAGES = {
    "trafilatura": "trafilatura",
    "trafilatura-precision": "trafilatura",
    "trafilatura-nocomments": "trafilatura",
    "readability": "readability-lxml",
    "newspaper4k": "newspaper4k",
}

# Elements after which readability's summary HTML gets a line break in its plain-text conversion.
BLOCK_TAGS = frozenset(
    (  # noqa: SIM905 - a word list reads better than forty quoted strings
        "address article aside blockquote body br dd details div dl dt figcaption figure footer form h1 h2 "
        "h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul"
    ).split()
)
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")

Extractor = Callable[[str, str], str]
Score = PageScore | SnippetScore
SetSummary = Summary | SnippetSummary


class SystemUnavailable(Exception):
    """The system's package cannot be imported here; the system is skipped with a note."""


class BenchError(Exception):
    """Bad arguments or missing data: one line on stderr and exit code 2."""


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: where its HTML is, its URL, and its truth (a body, or snippets)."""

    set: str
    id: str
    url: str
    path: Path
    body: str | None = None
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()

    @property
    def snippets(self) -> bool:
        """Whether this page is scored by snippets rather than by its body."""
        return self.set in SNIPPET_SETS


@dataclass(slots=True)
class RunResult:
    """One system over some pages, from its own process: texts, errors by page index, CPU, peak RSS."""

    system: str
    outputs: list[str] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    baseline_rss_mb: float = 0.0
    unavailable: str | None = None


@dataclass(slots=True)
class TimingResult:
    """CPU ms per page of the systems timed together, interleaved page by page in one process."""

    systems: tuple[str, ...]
    cpu_ms: dict[str, list[float]] = field(default_factory=dict)
    unavailable: str | None = None


@dataclass(slots=True)
class SetRun:
    """Everything measured for one system on one set."""

    system: str
    pages: list[Page]
    outputs: list[str]
    errors: dict[int, str]
    scores: list[Score]
    summary: SetSummary
    peak_rss_mb: float
    cpu_ms: list[float] | None = None  # from the interleaved pass
    ours_cpu_ms: list[float] | None = None  # ours in the same interleaved pass (peers only)


# --------------------------------------------------------------------------- pages


_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})
_DECLARED_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def read_html(path: Path) -> str:
    """The gunzipped page: UTF-8, else the first charset declared in its head that decodes it (strictly),
    else UTF-8 with errors replaced."""
    data = gzip.decompress(path.read_bytes())
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for label in _DECLARED_CHARSET.findall(data[:16384]):
        name = label.decode("ascii").lower()
        name = "windows-1252" if name in _WINDOWS_1252_LABELS else name  # as browsers read them
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return data.decode(name)
    return data.decode("utf-8", errors="replace")


def _as_tuple(value: Any) -> tuple[str, ...]:
    return tuple(s for s in (value or ()) if isinstance(s, str))


def load_set(name: str, bench: Path, only: Sequence[str] = ()) -> list[Page]:
    """The pages of set ``name`` under ``bench``, sorted by id; ``only`` keeps ids with these prefixes."""
    folder = bench / SET_DIRS[name]
    truth_file = folder / ("ground-truth.json" if name == "aeb" else "truth.json")
    try:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"cannot read the truth of set {name}: {exc}") from exc
    pages = []
    for page_id in sorted(truth):
        if only and not any(page_id.startswith(o) for o in only):
            continue
        entry = truth[page_id]
        body = entry.get("articleBody") if name == "aeb" else entry.get("body")
        pages.append(
            Page(
                set=name,
                id=page_id,
                url=entry.get("url") or "",
                path=folder / "html" / f"{page_id}.html.gz",
                body=body,
                with_=_as_tuple(entry.get("with")),
                without=_as_tuple(entry.get("without")),
            )
        )
    return pages


def score(page: Page, text: str) -> Score:
    """Score one system's text for ``page`` with the set's metric."""
    if page.snippets:
        return score_snippets(text, page.with_, page.without)
    return score_page(text, page.body)


def summarize_set(pages: Sequence[Page], scores: Sequence[Score]) -> SetSummary:
    """The set's figures from its per-page scores."""
    if pages and pages[0].snippets:
        return summarize_snippets(s for s in scores if isinstance(s, SnippetScore))
    return summarize(s for s in scores if isinstance(s, PageScore))


# --------------------------------------------------------------------------- systems


def block_text(html: str) -> str:
    """Plain text of an HTML fragment: ``text_content()``, with a newline around block elements."""
    from lxml import etree
    from lxml import html as lxml_html

    if not html.strip():
        return ""
    root = lxml_html.fromstring(html)
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        is_element = isinstance(el.tag, str)
        block = is_element and el.tag.lower() in BLOCK_TAGS
        if event == "start":
            if block:
                parts.append("\n")
            if is_element and el.text:
                parts.append(el.text)
        else:
            if block:
                parts.append("\n")
            if el.tail and el is not root:
                parts.append(el.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def make_extractor(system: str) -> tuple[Extractor, tuple[type[BaseException], ...]]:
    """The system's ``(html, url) -> text`` callable and the exceptions it may raise by design.

    Any exception makes the page an empty prediction and a page raising; others than these are flagged.

    Raises ``SystemUnavailable`` when the system's package cannot be imported.
    """
    try:
        if system == "ours":
            if str(REPO_ROOT) not in sys.path:
                sys.path.insert(0, str(REPO_ROOT))
            import scraper

            def ours(html: str, url: str) -> str:
                return scraper.extract(html, url).body or ""

            return ours, (scraper.ScraperError,)  # anything else is a bug, reported as unexpected
        if system.startswith("trafilatura"):
            import trafilatura

            precise = system == "trafilatura-precision"
            # The news-dev README's trafilatura figures are reproduced with comments left out
            # (fundus 0.942, naeb 0.927, wcxb 0.926); the default call, kept from aeb.py, keeps them.
            options = {"include_comments": False} if system == "trafilatura-nocomments" else {}

            def traf(html: str, url: str) -> str:
                return trafilatura.extract(html, url=url, favor_precision=precise, **options) or ""

            return traf, (Exception,)
        if system == "readability":
            import readability

            def readab(html: str, url: str) -> str:
                return block_text(readability.Document(html, url=url).summary())

            return readab, (Exception,)
        if system == "newspaper4k":
            import newspaper

            def news(html: str, url: str) -> str:
                # Defaults, except that it must not download images over the network to size the
                # top image: that is wall time on timeouts here and changes nothing in ``.text``.
                article = newspaper.Article(url, fetch_images=False)
                article.download(input_html=html)
                article.parse()
                return article.text or ""

            return news, (Exception,)
    except Exception as exc:  # ImportError, or anything the package does at import time
        raise SystemUnavailable(f"{type(exc).__name__}: {exc}") from exc
    raise SystemUnavailable(f"unknown system {system!r} (known: {', '.join(ALL_SYSTEMS)})")


def system_label(system: str) -> str:
    """The name shown in tables: ``scraper`` for ours, a peer with its installed version."""
    if system == "ours":
        return "scraper"
    variant = system.partition("-")[2]
    try:
        version = importlib.metadata.version(PACKAGES[system])
        return f"{system.partition('-')[0]} {version}{f' ({variant})' if variant else ''}"
    except (KeyError, importlib.metadata.PackageNotFoundError):
        return system


def _quiet() -> None:
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)  # peers log per-page warnings; the table is the output


def _maxrss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> float:
    """Restart the peak-RSS count from the current RSS where Linux allows it; return the baseline MB.

    Writing ``5`` to ``/proc/self/clear_refs`` resets the high-water mark that ``ru_maxrss`` reads.
    Without it, the baseline is the peak so far, and the increase is a lower bound.
    """
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return _maxrss_mb()


def run_system(system: str, pages: Sequence[tuple[str, str]]) -> RunResult:
    """Run one system once over ``(path, url)`` pages; meant to be the whole life of a fresh process."""
    _quiet()
    result = RunResult(system)
    try:
        extractor, expected = make_extractor(system)
    except SystemUnavailable as exc:
        result.unavailable = str(exc)
        return result
    result.baseline_rss_mb = _reset_peak_rss()
    for index, (path, url) in enumerate(pages):
        html = read_html(Path(path))
        start = time.process_time()
        try:
            text = extractor(html, url)
        except Exception as exc:  # one bad page must not lose the whole run; it is reported
            text = ""
            tag = "" if isinstance(exc, expected) else "UNEXPECTED "
            result.errors[index] = f"{tag}{type(exc).__name__}: {exc}"[:200]
        result.cpu_ms.append((time.process_time() - start) * 1000)
        result.outputs.append(text)
    result.peak_rss_mb = _maxrss_mb()
    return result


def time_call(extractor: Extractor, html: str, url: str) -> float:
    """CPU ms of one call; an exception is part of the work timed, not an error here."""
    start = time.process_time()
    with contextlib.suppress(Exception):  # the quality pass reports errors; this pass only times
        extractor(html, url)
    return (time.process_time() - start) * 1000


def run_timing(systems: Sequence[str], pages: Sequence[tuple[str, str]], repeat: int) -> TimingResult:
    """Time ``systems`` page by page in this one process: min of ``repeat`` calls each, order alternating."""
    _quiet()
    result = TimingResult(tuple(systems), {s: [] for s in systems})
    try:
        extractors = [make_extractor(s)[0] for s in systems]
    except SystemUnavailable as exc:
        result.unavailable = str(exc)
        return result
    for path, url in pages:
        html = read_html(Path(path))
        best = [math.inf] * len(systems)
        for attempt in range(max(1, repeat)):
            order = range(len(systems)) if attempt % 2 == 0 else reversed(range(len(systems)))
            for i in order:
                best[i] = min(best[i], time_call(extractors[i], html, url))
        for system, ms in zip(systems, best, strict=True):
            result.cpu_ms[system].append(ms)
    return result


# --------------------------------------------------------------------------- the 10 MB page


def synthetic_page(size: int = 9_900_000) -> str:
    """A news page of about ``size`` UTF-8 bytes: site chrome, then article sections, figures and rails.

    It stays under the 10,000,000 byte cap of ``fetch.max_bytes``, so ours must extract it, not refuse it.
    """
    head = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Council budget: the long read</title>"
        "<meta property='og:title' content='Council budget: the long read'></head><body>"
        "<header><nav><ul>"
        + "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(40))
        + "</ul></nav></header><main><article><h1>Council budget: the long read</h1>"
        "<p class='byline'>By A. Reporter</p>"
    )
    section = (
        "<h2>Part {n}: roads, schools and the library</h2>"
        "<p>The council met again on Tuesday to weigh a budget that trims road repairs by {n} per cent, "
        "keeps the libraries open on Sundays and puts off the new school wing for another year.</p>"
        "<figure><img src='/img/{n}.jpg' alt='Councillors at the meeting'><figcaption>Councillors at "
        "meeting {n}.</figcaption></figure>"
        "<p>“We cannot fix every road this year,” the treasurer said, pointing to a shortfall that grew "
        "after the winter storms. Residents who spoke asked for the pothole fund to be kept whole.</p>"
        "<ul><li>Roads: down {n}%</li><li>Libraries: unchanged</li><li>Schools: deferred</li></ul>"
        "<aside class='related'><a href='/r/{n}'>Read more: last year's budget</a></aside>"
        "<p>Été, café, naïve: a vote is due next month, after a public hearing at the town hall.</p>"
    )
    tail = (
        "</article><aside class='sidebar'>"
        + "".join(f"<div class='promo'><a href='/p{i}'>Most read {i}</a></div>" for i in range(30))
        + "</aside></main><footer><p>© Example News</p></footer></body></html>"
    )
    parts = [head]
    used = len(head.encode()) + len(tail.encode())
    n = 0
    while True:
        chunk = section.format(n=n)
        size_chunk = len(chunk.encode())
        if used + size_chunk > size:
            break
        parts.append(chunk)
        used += size_chunk
        n += 1
    parts.append(tail)
    return "".join(parts)


def run_rss_page(size: int = 9_900_000) -> dict[str, Any]:
    """Ours on the synthetic page in this (fresh) process: bytes, baseline and peak RSS MB, CPU ms, words out."""
    _quiet()
    extractor, _ = make_extractor("ours")
    html = synthetic_page(size)
    baseline = _reset_peak_rss()
    start = time.process_time()
    try:
        words = len(tokenize(extractor(html, "https://news.example/budget")))
    except Exception as exc:
        return {"bytes": len(html.encode()), "error": f"{type(exc).__name__}: {exc}"[:200]}
    cpu = (time.process_time() - start) * 1000
    return {
        "bytes": len(html.encode()),
        "baseline_rss_mb": baseline,
        "peak_rss_mb": _maxrss_mb(),
        "cpu_ms": cpu,
        "words": words,
    }


# --------------------------------------------------------------------------- running the passes


def chunks(pages: Sequence[Page], jobs: int) -> list[list[int]]:
    """Page indexes split into ``jobs`` strided chunks (so slow and fast pages spread evenly)."""
    count = max(1, min(jobs, len(pages)))
    return [list(range(k, len(pages), count)) for k in range(count)]


def _refs(pages: Sequence[Page], indexes: Iterable[int]) -> list[tuple[str, str]]:
    return [(str(pages[i].path), pages[i].url) for i in indexes]


def timing_groups(systems: Sequence[str]) -> list[tuple[str, ...]]:
    """Which systems are timed together: ours with each peer; ours alone, or each peer alone, without a pair."""
    peers = [s for s in systems if s != "ours"]
    if "ours" in systems:
        return [("ours", p) for p in peers] or [("ours",)]
    return [(p,) for p in peers]


def merge_runs(system: str, size: int, parts: Sequence[tuple[list[int], Future[RunResult]]]) -> RunResult:
    """One system's chunks put back in page order; peak RSS is the highest of the chunks."""
    merged = RunResult(system, outputs=[""] * size, cpu_ms=[0.0] * size)
    for part, future in parts:
        try:
            got = future.result()
        except Exception as exc:  # the worker died (crash, out of memory)
            got = RunResult(system, unavailable=f"worker process died: {exc}")
        if got.unavailable:
            merged.unavailable = got.unavailable
            continue
        for j, i in enumerate(part):
            merged.outputs[i] = got.outputs[j]
            merged.cpu_ms[i] = got.cpu_ms[j]
            if j in got.errors:
                merged.errors[i] = got.errors[j]
        merged.peak_rss_mb = max(merged.peak_rss_mb, got.peak_rss_mb)
    return merged


def merge_timings(
    group: tuple[str, ...], size: int, parts: Sequence[tuple[list[int], Future[TimingResult]]]
) -> TimingResult:
    """One timing group's chunks put back in page order."""
    merged = TimingResult(group, {s: [0.0] * size for s in group})
    for part, future in parts:
        try:
            got = future.result()
        except Exception as exc:  # the worker died
            got = TimingResult(group, unavailable=f"worker process died: {exc}")
        if got.unavailable:
            merged.unavailable = got.unavailable
            continue
        for s in group:
            for j, i in enumerate(part):
                merged.cpu_ms[s][i] = got.cpu_ms[s][j]
    return merged


def run_all(
    sets: dict[str, list[Page]], systems: Sequence[str], *, cpu: bool, repeat: int, jobs: int, rss_page: bool
) -> tuple[dict[str, dict[str, RunResult]], dict[str, list[TimingResult]], dict[str, Any] | None, list[str]]:
    """Every task in its own fresh process, ``jobs`` at a time; results per set and system."""
    ctx = multiprocessing.get_context("spawn")
    notes: list[str] = []
    quality: dict[tuple[str, str], list[tuple[list[int], Future[RunResult]]]] = {}
    timing: dict[tuple[str, tuple[str, ...]], list[tuple[list[int], Future[TimingResult]]]] = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, max_tasks_per_child=1) as pool:
        rss_future = pool.submit(run_rss_page) if rss_page else None
        for name, pages in sets.items():
            for system in systems:
                quality[(name, system)] = [
                    (part, pool.submit(run_system, system, _refs(pages, part)))
                    for part in chunks(pages, jobs)
                ]
            if cpu:
                for group in timing_groups(systems):
                    timing[(name, group)] = [
                        (part, pool.submit(run_timing, group, _refs(pages, part), repeat))
                        for part in chunks(pages, jobs)
                    ]
        total = sum(len(v) for v in quality.values()) + sum(len(v) for v in timing.values())
        print(f"{total} tasks on {jobs} process(es) ...", file=sys.stderr, flush=True)

        runs: dict[str, dict[str, RunResult]] = {name: {} for name in sets}
        for (name, system), parts in quality.items():
            runs[name][system] = merge_runs(system, len(sets[name]), parts)
            print(f"  quality {name} {system} done", file=sys.stderr, flush=True)
        timings: dict[str, list[TimingResult]] = {name: [] for name in sets}
        for (name, group), parts_t in timing.items():
            merged = merge_timings(group, len(sets[name]), parts_t)
            if merged.unavailable:
                notes.append(f"CPU pass {' + '.join(group)} on {name} skipped: {merged.unavailable}")
            else:
                timings[name].append(merged)
            print(f"  CPU {name} {' + '.join(group)} done", file=sys.stderr, flush=True)
        rss: dict[str, Any] | None = None
        if rss_future is not None:
            try:
                rss = rss_future.result()
            except Exception as exc:
                rss = {"error": f"worker process died: {exc}"}
    return runs, timings, rss, notes


def assemble(
    sets: dict[str, list[Page]],
    runs: dict[str, dict[str, RunResult]],
    timings: dict[str, list[TimingResult]],
    notes: list[str],
) -> dict[str, list[SetRun]]:
    """Score every system's texts and attach the interleaved CPU figures."""
    out: dict[str, list[SetRun]] = {}
    skipped: set[str] = set()
    for name, pages in sets.items():
        out[name] = []
        for system, result in runs[name].items():
            if result.unavailable:
                if system not in skipped:
                    notes.append(f"skipped {system}: {result.unavailable}")
                    skipped.add(system)
                continue
            unexpected = [
                pages[i].id[:16] for i, e in sorted(result.errors.items()) if e.startswith("UNEXPECTED")
            ]
            if unexpected:
                notes.append(f"{system} raised unexpected exceptions on {name}: {', '.join(unexpected)}")
            scores = [score(p, t) for p, t in zip(pages, result.outputs, strict=True)]
            run = SetRun(
                system,
                pages,
                result.outputs,
                result.errors,
                scores,
                summarize_set(pages, scores),
                result.peak_rss_mb,
            )
            for timing in timings[name]:
                if system in timing.systems and run.cpu_ms is None:
                    run.cpu_ms = timing.cpu_ms[system]
                    if system != "ours" and "ours" in timing.systems:
                        run.ours_cpu_ms = timing.cpu_ms["ours"]
            out[name].append(run)
    return out


# --------------------------------------------------------------------------- report


def _mean(values: Sequence[float] | None) -> float | None:
    return statistics.fmean(values) if values else None


def _fmt(value: float | None, spec: str = ".3f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def cpu_ratio(run: SetRun) -> float | None:
    """Ours/peer of the mean CPU ms per page, both from the same interleaved pass."""
    if not run.cpu_ms or not run.ours_cpu_ms:
        return None
    peer = sum(run.cpu_ms)
    return sum(run.ours_cpu_ms) / peer if peer else None


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def set_label(name: str, pages: int) -> str:
    """``fundus (50)``, with ``snippet F1`` for a snippet set."""
    return f"{name} ({pages}{', snippet F1' if name in SNIPPET_SETS else ''})"


def summary_table(results: dict[str, list[SetRun]], systems: Sequence[str]) -> str:
    """Sets down, systems across, F1 in the cells; the best of each set in bold."""
    header = ["set (pages)", *(system_label(s) for s in systems)]
    rows = []
    for name, runs in results.items():
        if not runs:
            continue
        by_system = {r.system: r for r in runs}
        best = max(r.summary.f1 for r in runs)
        cells = [set_label(name, len(runs[0].pages))]
        for s in systems:
            r = by_system.get(s)
            if r is None:
                cells.append("-")
            else:
                text = f"{r.summary.f1:.3f}"
                cells.append(f"**{text}**" if r.summary.f1 == best and len(runs) > 1 else text)
        rows.append(cells)
    return markdown_table(header, rows)


def set_table(runs: list[SetRun]) -> str:
    """One set, one row per system: quality, pages raising, CPU against ours, peak RSS."""
    snippets = bool(runs) and runs[0].pages[0].snippets
    header = [
        "system",
        "snippet F1" if snippets else "F1",
        "precision",
        "recall",
        "accuracy",
        "raising",
        "CPU ms/page",
        "ours/peer CPU",
        "peak RSS MB",
    ]
    rows = []
    for run in runs:
        s = run.summary
        rows.append(
            [
                system_label(run.system),
                f"{s.f1:.3f}",
                f"{s.precision:.3f}",
                f"{s.recall:.3f}",
                f"{s.accuracy:.3f}" if isinstance(s, Summary) else "-",
                str(len(run.errors)),
                _fmt(_mean(run.cpu_ms), ".1f"),
                _fmt(cpu_ratio(run), ".2f", "x"),
                f"{run.peak_rss_mb:.0f}",
            ]
        )
    return markdown_table(header, rows)


def cpu_table(results: dict[str, list[SetRun]]) -> str | None:
    """Per set and overall: ours and each peer's mean CPU ms from their interleaved pass, and the ratio."""
    peers: list[str] = []
    for runs in results.values():
        peers.extend(r.system for r in runs if r.ours_cpu_ms and r.system not in peers)
    if not peers:
        return None
    header = ["set"]
    for p in peers:
        header += [f"ours / {p} ms", "ratio"]
    rows = []
    totals: dict[str, list[float]] = {p: [0.0, 0.0, 0.0] for p in peers}  # ours ms, peer ms, pages
    for name, runs in results.items():
        by_system = {r.system: r for r in runs}
        row = [name]
        for p in peers:
            run = by_system.get(p)
            if run is None or not run.ours_cpu_ms or not run.cpu_ms:
                row += ["-", "-"]
                continue
            row += [
                f"{_mean(run.ours_cpu_ms):.1f} / {_mean(run.cpu_ms):.1f}",
                _fmt(cpu_ratio(run), ".2f", "x"),
            ]
            totals[p][0] += sum(run.ours_cpu_ms)
            totals[p][1] += sum(run.cpu_ms)
            totals[p][2] += len(run.cpu_ms)
        rows.append(row)
    if len(rows) > 1:
        row = ["all pages"]
        for p in peers:
            ours_ms, peer_ms, n = totals[p]
            row += [
                f"{ours_ms / n:.1f} / {peer_ms / n:.1f}" if n else "-",
                f"{ours_ms / peer_ms:.2f}x" if peer_ms else "-",
            ]
        rows.append(row)
    return markdown_table(header, rows)


def report(
    results: dict[str, list[SetRun]],
    systems: Sequence[str],
    *,
    repeat: int,
    rss: dict[str, Any] | None,
    notes: Sequence[str],
) -> None:
    """Print the tables: the summary, the CPU ratios, then one table per set."""
    pages = sum(len(runs[0].pages) for runs in results.values() if runs)
    print(f"\nExtraction benchmark: {pages} pages in {len(results)} set(s)\n")
    print(summary_table(results, systems))
    cpu = cpu_table(results)
    if cpu:
        print(
            f"\nCPU ms per page, ours beside each peer in one process, page by page, min of {repeat} call(s):\n"
        )
        print(cpu)
    for name, runs in results.items():
        if runs:
            print(f"\n### {set_label(name, len(runs[0].pages))}\n")
            print(set_table(runs))
    print(
        "\nBody sets: F1 of mean per-page precision and recall (shingle metric); trafeval: micro-averaged "
        "snippet F1. raising: pages where the system raised (an empty text). CPU ms/page: mean, from the "
        "interleaved pass (ours: beside the first peer); peak RSS: the system alone in a fresh process per set."
    )
    if rss is not None:
        if "error" in rss:
            print(f"\n10 MB page: ours failed: {rss['error']}")
        else:
            print(
                f"\n10 MB page ({rss['bytes'] / 1e6:.1f} MB, synthetic): ours peak RSS {rss['peak_rss_mb']:.0f} MB "
                f"(before the call {rss['baseline_rss_mb']:.0f} MB), CPU {rss['cpu_ms']:.0f} ms, "
                f"{rss['words']} words out"
            )
    for note in notes:
        print(note)


# --------------------------------------------------------------------------- failures


def _units(text: str) -> list[str]:
    """Lines of ``text`` split further into sentences, the grain at which lost/leaked text is shown."""
    units: list[str] = []
    for line in text.splitlines():
        units.extend(s.strip() for s in SENTENCE_END_RE.split(line) if s.strip())
    return units


def _ngram_pools(tokens: Sequence[str]) -> dict[int, Counter[tuple[str, ...]]]:
    return {n: Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)) for n in range(1, 5)}


def missing_segments(
    source: str, other: str, threshold: float = 0.5
) -> tuple[list[tuple[float, int, str]], int]:
    """Runs of ``source`` sentences mostly absent from ``other``: ``(position 0-1, tokens, text)``.

    A sentence is absent when under ``threshold`` of its 4-token shingles (its whole token tuple,
    if shorter) are found in ``other``. Found shingles are used up, in reading order, so that text
    repeated in ``source`` but given once in ``other`` shows as missing, as the metric counts it.
    Consecutive absent sentences are merged into one run. Returns the runs and their token count.
    """
    pools = _ngram_pools(tokenize(other))
    units = _units(source)
    runs: list[tuple[float, int, str]] = []
    current: list[str] = []
    start = 0
    run_tokens = 0
    missing_tokens = 0
    for i, unit in enumerate([*units, ""]):
        tokens = tokenize(unit)
        absent = False
        if tokens:
            n = min(4, len(tokens))
            pool = pools[n]
            found = 0
            grams = [tuple(tokens[j : j + n]) for j in range(len(tokens) - n + 1)]
            for gram in grams:
                if pool.get(gram, 0) > 0:
                    pool[gram] -= 1
                    found += 1
            absent = found < threshold * len(grams)
        if absent:
            if not current:
                start, run_tokens = i, 0
            current.append(unit)
            run_tokens += len(tokens)
            missing_tokens += len(tokens)
        elif current:
            runs.append((start / max(1, len(units)), run_tokens, " ".join(current)))
            current = []
    return runs, missing_tokens


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def describe_segments(runs: list[tuple[float, int, str]], width: int = 300) -> str:
    """Largest runs first, as ``[@40% 812w] text | [@3% 9w] text``, clipped to ``width`` characters.

    ``@`` is where the run starts in its text (share of sentences), ``w`` its size in tokens.
    """
    if not runs:
        return "-"
    ordered = sorted(runs, key=lambda run: (-run[1], run[0]))
    text = " | ".join(f"[@{pos:.0%} {size}w] {seg}" for pos, size, seg in ordered)
    return _clip(text, width)


def describe_snippets(snippets: Sequence[str], width: int) -> str:
    """Snippets as ``"a" | "b"``, clipped to ``width`` characters; ``-`` for none."""
    return _clip(" | ".join(f'"{s}"' for s in snippets), width) if snippets else "-"


def print_failures(run: SetRun, count: int, width: int) -> None:
    """The ``count`` worst pages of ``run`` by page F1, with what was lost and what leaked."""
    order = sorted(range(len(run.pages)), key=lambda i: (run.scores[i].f1, run.pages[i].id))[:count]
    name = run.pages[0].set if run.pages else "?"
    print(f"\n## {name}: {system_label(run.system)}, {len(order)} worst pages\n")
    for rank, i in enumerate(order, 1):
        page, page_score, text = run.pages[i], run.scores[i], run.outputs[i]
        print(
            f"{rank}. {page.id[:24]}  P={page_score.precision:.3f} R={page_score.recall:.3f} F1={page_score.f1:.3f}"
        )
        print(f"   url:     {page.url}")
        if i in run.errors:
            print(f"   error:   {run.errors[i]}")
        if isinstance(page_score, SnippetScore):
            print(
                f"   snippets: {page_score.tp}/{page_score.tp + page_score.fn} with found, "
                f"{page_score.fp}/{page_score.fp + page_score.tn} without found; {len(tokenize(text))} tokens out"
            )
            print(f"   missed:  {describe_snippets(page_score.missed, width)}")
            print(f"   leaked:  {describe_snippets(page_score.leaked, width)}")
        else:
            truth = page.body or ""
            lost, lost_tok = missing_segments(truth, text)
            leaked, leaked_tok = missing_segments(text, truth)
            print(
                f"   tokens:  truth {len(tokenize(truth))}, ours {len(tokenize(text))}; "
                f"lost ~{lost_tok} in {len(lost)} run(s), leaked ~{leaked_tok} in {len(leaked)} run(s)"
            )
            print(f"   lost:    {describe_segments(lost, width)}")
            print(f"   leaked:  {describe_segments(leaked, width)}")
            if not text:
                print(f"   truth starts: {_clip(' '.join(truth.split()), 120)}")
        print()


# --------------------------------------------------------------------------- saved runs


def score_to_json(page_score: Score) -> dict[str, Any]:
    """One page's score as JSON (every field needed to rebuild it for ``--compare``)."""
    if isinstance(page_score, SnippetScore):
        return {
            "tp": page_score.tp,
            "fp": page_score.fp,
            "fn": page_score.fn,
            "tn": page_score.tn,
            "f1": page_score.f1,
            "missed": list(page_score.missed),
            "leaked": list(page_score.leaked),
        }
    return {
        "tp": page_score.tp,
        "fp": page_score.fp,
        "fn": page_score.fn,
        "precision": page_score.precision,
        "recall": page_score.recall,
        "exact": page_score.exact,
        "f1": page_score.f1,
    }


def score_from_json(data: dict[str, Any]) -> Score:
    """The inverse of ``score_to_json``."""
    if "tn" in data:
        return SnippetScore(
            data["tp"],
            data["fp"],
            data["fn"],
            data["tn"],
            tuple(data.get("missed", ())),
            tuple(data.get("leaked", ())),
        )
    return PageScore(data["tp"], data["fp"], data["fn"], data["precision"], data["recall"], data["exact"])


def summary_to_json(summary: SetSummary) -> dict[str, Any]:
    """The set's figures as JSON."""
    data = {
        "f1": summary.f1,
        "precision": summary.precision,
        "recall": summary.recall,
        "pages": summary.pages,
    }
    if isinstance(summary, Summary):
        data["accuracy"] = summary.accuracy
    return data


def write_json(path: Path, results: dict[str, list[SetRun]]) -> None:
    """Per set and system: the summary, and per page its score, error and CPU ms."""
    data: dict[str, Any] = {"version": 1, "sets": {}}
    for name, runs in results.items():
        entry: dict[str, Any] = {"snippets": name in SNIPPET_SETS, "systems": {}}
        for run in runs:
            cpu = run.cpu_ms or [None] * len(run.pages)
            entry["systems"][run.system] = {
                "summary": {
                    **summary_to_json(run.summary),
                    "raising": len(run.errors),
                    "cpu_ms_mean": _mean(run.cpu_ms),
                    "ours_cpu_ms_mean": _mean(run.ours_cpu_ms),
                    "peak_rss_mb": run.peak_rss_mb,
                },
                "pages": {
                    page.id: {**score_to_json(s), "error": run.errors.get(i), "cpu_ms": cpu[i]}
                    for i, (page, s) in enumerate(zip(run.pages, run.scores, strict=True))
                },
            }
        data["sets"][name] = entry
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_json(path: Path) -> dict[str, Any]:
    """A file written by ``--json``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != 1 or "sets" not in data:
        raise BenchError(f"{path} is not a file written by --json")
    return data


def compare(results: dict[str, list[SetRun]], saved: dict[str, Any], top: int) -> None:
    """Per set and system: the change of the figures over the pages both runs scored, and the pages that moved most."""
    print("\n## Against the saved run\n")
    rows = []
    moved: list[tuple[str, str, list[tuple[float, str, Score, Score]]]] = []
    for name, runs in results.items():
        old_set = saved["sets"].get(name)
        if old_set is None:
            continue
        for run in runs:
            old = old_set["systems"].get(run.system)
            if old is None:
                continue
            common = [i for i, p in enumerate(run.pages) if p.id in old["pages"]]
            if not common:
                continue
            pages = [run.pages[i] for i in common]
            new_scores = [run.scores[i] for i in common]
            old_scores = [score_from_json(old["pages"][p.id]) for p in pages]
            new_sum, old_sum = summarize_set(pages, new_scores), summarize_set(pages, old_scores)
            old_raising = sum(1 for p in pages if old["pages"][p.id].get("error"))
            new_raising = sum(1 for i in common if i in run.errors)
            rows.append(
                [
                    name,
                    system_label(run.system),
                    str(len(common)),
                    f"{old_sum.f1:.3f} -> {new_sum.f1:.3f} ({new_sum.f1 - old_sum.f1:+.3f})",
                    f"{new_sum.precision - old_sum.precision:+.3f}",
                    f"{new_sum.recall - old_sum.recall:+.3f}",
                    f"{old_raising} -> {new_raising}",
                ]
            )
            deltas = [
                (n.f1 - o.f1, p.id, o, n) for p, o, n in zip(pages, old_scores, new_scores, strict=True)
            ]
            moved.append((name, run.system, [d for d in deltas if abs(d[0]) > 1e-9]))
    if not rows:
        print("no set and system in common with the saved run")
        return
    print(markdown_table(["set", "system", "pages", "F1", "precision", "recall", "raising"], rows))
    for name, system, deltas in moved:
        if system != "ours" and any(m[1] == "ours" for m in moved):
            continue  # the pages that moved are listed for ours, when ours was run
        if not deltas:
            print(f"\n{name} {system_label(system)}: no page changed")
            continue
        gained = sorted((d for d in deltas if d[0] > 0), key=lambda d: -d[0])[:top]
        lost = sorted((d for d in deltas if d[0] < 0), key=lambda d: d[0])[:top]
        print(
            f"\n{name} {system_label(system)}: {sum(d[0] > 0 for d in deltas)} page(s) up, "
            f"{sum(d[0] < 0 for d in deltas)} down"
        )
        for title, items in (("lost most", lost), ("gained most", gained)):
            for delta, page_id, o, n in items:
                print(
                    f"  {title}: {page_id[:24]:24} F1 {o.f1:.3f} -> {n.f1:.3f} ({delta:+.3f})  "
                    f"P {o.precision:.3f} -> {n.precision:.3f}  R {o.recall:.3f} -> {n.recall:.3f}"
                )


# --------------------------------------------------------------------------- CI guard sample


def guard_truth(page: Page) -> dict[str, Any]:
    """What the metric needs of a page's truth: the URL, and the body or the snippets."""
    if page.snippets:
        return {"url": page.url, "with": list(page.with_), "without": list(page.without)}
    return {"url": page.url, "body": page.body}


def update_guard(bench: Path, guard_dir: Path = GUARD_DIR, margin: float = GUARD_MARGIN) -> int:
    """Rescore the guard pages with ours and rewrite their minimum scores (score - margin, floored at 0).

    ``guard.json`` lists the pages per set; a page listed there whose sample is not yet in
    ``guard_dir/SET/`` is copied from ``bench`` first, and its truth added to ``SET/truth.json``.
    """
    guard_file = guard_dir / "guard.json"
    guard = json.loads(guard_file.read_text(encoding="utf-8"))
    _quiet()
    extractor, _ = make_extractor("ours")
    low: list[str] = []
    for name, entries in guard["pages"].items():
        folder = guard_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        truth_file = folder / "truth.json"
        truth = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else {}
        wanted = [
            page_id
            for page_id in entries
            if page_id not in truth or not (folder / f"{page_id}.html.gz").exists()
        ]
        if wanted:
            for page in load_set(name, bench, wanted):
                if page.id not in wanted:
                    continue
                (folder / f"{page.id}.html.gz").write_bytes(page.path.read_bytes())
                truth[page.id] = guard_truth(page)
        missing = [page_id for page_id in entries if page_id not in truth]
        if missing:
            raise BenchError(f"guard pages not found in set {name}: {', '.join(missing)}")
        truth = {k: truth[k] for k in sorted(entries)}  # pages dropped from guard.json leave the truth file
        truth_file.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        for stale in folder.glob("*.html.gz"):
            if stale.name.removesuffix(".html.gz") not in truth:
                stale.unlink()
        for page_id, entry in entries.items():
            t = truth[page_id]
            path = folder / f"{page_id}.html.gz"
            page = Page(
                name,
                page_id,
                t["url"],
                path,
                t.get("body"),
                _as_tuple(t.get("with")),
                _as_tuple(t.get("without")),
            )
            try:
                text = extractor(read_html(page.path), page.url)
            except Exception:  # a page that raises scores as an empty text
                text = ""
            value = score(page, text).f1
            entry["score"] = round(value, 4)
            entry["min"] = math.floor(max(0.0, value - margin) * 1000) / 1000
            if entry["min"] <= 0:
                low.append(f"{name}/{page_id}")
    guard["margin"] = margin
    guard_file.write_text(json.dumps(guard, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    total = sum(len(v) for v in guard["pages"].values())
    print(f"rewrote {guard_file} ({total} pages, margin {margin})")
    for name, entries in guard["pages"].items():
        print(f"  {name}: " + ", ".join(f"{k[:12]} {v['min']:.3f}" for k, v in entries.items()))
    if low:
        print(f"warning: these pages score {margin} or less, so their guard cannot fail: {', '.join(low)}")
    return 0


# --------------------------------------------------------------------------- command line


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sets", default=",".join(ALL_SETS), help=f"comma-separated, from {', '.join(ALL_SETS)}"
    )
    parser.add_argument(
        "--systems", default=",".join(DEFAULT_SYSTEMS), help=f"comma-separated, from {', '.join(ALL_SYSTEMS)}"
    )
    parser.add_argument(
        "--bench", type=Path, default=DEFAULT_BENCH, help=f"folder of the sets (default {DEFAULT_BENCH})"
    )
    parser.add_argument("--failures", type=int, default=0, metavar="N", help="per set, our N worst pages")
    parser.add_argument("--width", type=int, default=300, help="characters of lost/leaked text shown")
    parser.add_argument(
        "--repeat", type=int, default=3, metavar="K", help="CPU: min of K calls per page (default 3)"
    )
    parser.add_argument("--jobs", type=int, default=2, metavar="J", help="processes at a time (default 2)")
    parser.add_argument(
        "--no-cpu", action="store_true", help="skip the interleaved CPU pass (quality and RSS only)"
    )
    parser.add_argument(
        "--only", default="", metavar="ID[,ID]", help="only pages whose id starts with one of these"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write per-page scores to FILE")
    parser.add_argument("--compare", type=Path, metavar="FILE", help="print the change against a --json FILE")
    parser.add_argument(
        "--top", type=int, default=8, metavar="N", help="with --compare: pages that moved most"
    )
    parser.add_argument(
        "--rss-page", action="store_true", help="only measure ours on a synthetic ~10 MB page"
    )
    parser.add_argument("--update-guard", action="store_true", help="rewrite the CI guard's minimum scores")
    args = parser.parse_args(argv)
    args.sets = _split(args.sets)
    args.systems = _split(args.systems)
    if unknown := [s for s in args.sets if s not in ALL_SETS]:
        parser.error(f"unknown set(s) {', '.join(unknown)}; known: {', '.join(ALL_SETS)}")
    if unknown := [s for s in args.systems if s not in ALL_SYSTEMS]:
        parser.error(f"unknown system(s) {', '.join(unknown)}; known: {', '.join(ALL_SYSTEMS)}")
    if not args.sets or not args.systems:
        parser.error("--sets and --systems need at least one name each")
    if args.repeat < 1 or args.jobs < 1 or args.failures < 0:
        parser.error("--repeat and --jobs must be at least 1, --failures at least 0")
    args.systems.sort(key=lambda s: s != "ours")  # ours first; peers in the order given
    return args


def run_rss_only() -> int:
    """``--rss-page``: the synthetic page in a fresh process, one line."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        rss = pool.submit(run_rss_page).result()
    if "error" in rss:
        print(f"10 MB page: ours failed: {rss['error']}", file=sys.stderr)
        return 1
    print(
        f"10 MB page ({rss['bytes'] / 1e6:.1f} MB, synthetic): ours peak RSS {rss['peak_rss_mb']:.0f} MB "
        f"(before the call {rss['baseline_rss_mb']:.0f} MB), CPU {rss['cpu_ms']:.0f} ms, {rss['words']} words out"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the tables; returns the exit code."""
    args = parse_args(argv)
    bench = args.bench if args.bench.is_absolute() else Path.cwd() / args.bench
    try:
        if args.update_guard:
            return update_guard(bench)
        if args.rss_page:
            return run_rss_only()
        saved = load_json(args.compare) if args.compare else None
        only = _split(args.only)
        sets = {name: load_set(name, bench, only) for name in args.sets}
    except BenchError as exc:
        print(f"extraction.py: {exc}", file=sys.stderr)
        return 2
    sets = {name: pages for name, pages in sets.items() if pages}
    if not sets:
        print(f"extraction.py: no page id starts with any of {', '.join(only)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    runs, timings, rss, notes = run_all(
        sets,
        args.systems,
        cpu=not args.no_cpu,
        repeat=args.repeat,
        jobs=args.jobs,
        rss_page=not args.no_cpu and "ours" in args.systems and not only,
    )
    results = assemble(sets, runs, timings, notes)
    report(results, args.systems, repeat=args.repeat, rss=rss, notes=notes)
    print(f"wall time {time.perf_counter() - started:.0f} s")
    if args.failures:
        for runs_of_set in results.values():
            for run in runs_of_set:
                if run.system == "ours":
                    print_failures(run, args.failures, args.width)
    if saved is not None:
        compare(results, saved, args.top)
    if args.json:
        write_json(args.json, results)
        print(f"per-page scores written to {args.json}")
    return 0 if any(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
