"""Article-body benchmark: score our extractor and its peers on the aeb pages, print one table.

Usage::

    python benchmarks/aeb.py [DATADIR] [--systems ours,trafilatura,...] [--failures N]
                             [--repeat K] [--only ID[,ID]] [--json FILE]

Pages are read and gunzipped once and decoded as UTF-8 (errors replaced); every system gets the same
``str``. Each system runs in its own fresh spawned process, one after the other, so that its peak RSS
is its own and no two systems compete for the CPU. CPU time is ``time.process_time()`` around the one
extraction call (the minimum over ``--repeat`` runs). The metric lives in ``aeb_metric.py``.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import logging
import multiprocessing
import re
import resource
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:  # run as a script or imported from tests
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from aeb_metric import PageScore, Summary, score_page, summarize, tokenize  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATADIR = REPO_ROOT.parent / "shared" / "bench" / "aeb-dev"
ALL_SYSTEMS = ("ours", "trafilatura", "trafilatura-precision", "readability", "newspaper4k")
DEFAULT_SYSTEMS = ("ours", "trafilatura", "readability", "newspaper4k")

# Elements after which readability's summary HTML gets a line break in its plain-text conversion.
BLOCK_TAGS = frozenset(
    (  # noqa: SIM905 - a word list reads better than forty quoted strings
        "address article aside blockquote body br dd details div dl dt figcaption figure footer form h1 h2 "
        "h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul"
    ).split()
)
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")

Extractor = Callable[[str, str], str]


class SystemUnavailable(Exception):
    """The system's package cannot be imported here; the system is skipped with a note."""


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: id, URL, decoded HTML and the ground-truth article body."""

    id: str
    url: str
    html: str
    truth: str


@dataclass(slots=True)
class RunResult:
    """What one system's worker process sends back."""

    system: str
    outputs: list[str] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    baseline_rss_mb: float = 0.0
    unavailable: str | None = None


# --------------------------------------------------------------------------- pages


def load_pages(datadir: Path, only: Sequence[str] = ()) -> list[Page]:
    """Read the ground truth and the gzipped pages once; ``only`` restricts to ids (or id prefixes)."""
    truth = json.loads((datadir / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    if only:
        ids = [i for i in ids if any(i.startswith(o) for o in only)]
        if not ids:
            raise SystemExit(f"no page id starts with any of {', '.join(only)}")
    pages = []
    for page_id in ids:
        raw = gzip.decompress((datadir / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(Page(page_id, entry["url"], raw.decode("utf-8", errors="replace"), entry["articleBody"]))
    return pages


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

    Any exception makes the page an empty prediction and a failure; others than these are flagged.

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
        if system in ("trafilatura", "trafilatura-precision"):
            import trafilatura

            precise = system == "trafilatura-precision"

            def traf(html: str, url: str) -> str:
                return trafilatura.extract(html, url=url, favor_precision=precise) or ""

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


def _maxrss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> float:
    """Restart the peak-RSS count from the current RSS where Linux allows it; return the baseline MB.

    Unpickling the pages leaves a transient peak that would otherwise hide the extractor's own.
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


def run_system(system: str, pages: Sequence[tuple[str, str]], repeat: int = 1) -> RunResult:
    """Run one system over ``(html, url)`` pairs; meant to be the whole life of a fresh process."""
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)  # peers log per-page warnings; the table is the output
    result = RunResult(system)
    try:
        extractor, expected = make_extractor(system)
    except SystemUnavailable as exc:
        result.unavailable = str(exc)
        return result
    result.baseline_rss_mb = _reset_peak_rss()
    for index, (html, url) in enumerate(pages):
        best = float("inf")
        text = ""
        for attempt in range(max(1, repeat)):
            start = time.process_time()
            try:
                out = extractor(html, url)
            except Exception as exc:  # one bad page must not lose the whole run; it is reported
                out = ""
                if attempt == 0:
                    tag = "" if isinstance(exc, expected) else "UNEXPECTED "
                    result.errors[str(index)] = f"{tag}{type(exc).__name__}: {exc}"[:200]
            best = min(best, time.process_time() - start)
            if attempt == 0:
                text = out
        result.outputs.append(text)
        result.cpu_ms.append(best * 1000)
    result.peak_rss_mb = _maxrss_mb()
    return result


def run_in_fresh_process(system: str, pages: Sequence[Page], repeat: int) -> RunResult:
    """Run ``run_system`` in a new spawned interpreter, so memory and imports start clean."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        try:
            return pool.submit(run_system, system, [(p.html, p.url) for p in pages], repeat).result()
        except BrokenProcessPool as exc:  # the interpreter died (crash, out of memory)
            return RunResult(system, unavailable=f"worker process died: {exc}")


# --------------------------------------------------------------------------- diagnostics


def _units(text: str) -> list[str]:
    """Lines of ``text`` split further into sentences, the grain at which dropped/extra text is shown."""
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


def print_failures(
    pages: Sequence[Page], result: RunResult, scores: Sequence[PageScore], count: int, width: int
) -> None:
    """Our ``count`` worst pages by F1, with what we dropped and what we added, for the extractor's author."""
    order = sorted(range(len(pages)), key=lambda i: (scores[i].f1, pages[i].id))[:count]
    print(f"\n## {result.system}: {len(order)} worst pages by F1\n")
    for rank, i in enumerate(order, 1):
        page, score, ours = pages[i], scores[i], result.outputs[i]
        dropped, dropped_tok = missing_segments(page.truth, ours)
        extra, extra_tok = missing_segments(ours, page.truth)
        n_truth, n_ours = len(tokenize(page.truth)), len(tokenize(ours))
        print(f"{rank}. {page.id[:16]}  P={score.precision:.3f} R={score.recall:.3f} F1={score.f1:.3f}")
        print(f"   url:     {page.url}")
        print(
            f"   tokens:  truth {n_truth}, ours {n_ours}; "
            f"dropped ~{dropped_tok} in {len(dropped)} run(s), extra ~{extra_tok} in {len(extra)} run(s)"
        )
        if str(i) in result.errors:
            print(f"   error:   {result.errors[str(i)]}")
        print(f"   dropped: {describe_segments(dropped, width)}")
        print(f"   extra:   {describe_segments(extra, width)}")
        if not ours:
            print(f"   truth starts: {_clip(' '.join(page.truth.split()), 120)}")
        print()


# --------------------------------------------------------------------------- report


def table(rows: list[tuple[RunResult, Summary]]) -> str:
    """The results as a Markdown table, one row per system."""
    header = (
        "system",
        "F1",
        "precision",
        "recall",
        "accuracy",
        "pages",
        "failures",
        "CPU ms/page (median)",
        "CPU ms/page (mean)",
        "peak RSS MB",
        "RSS +MB",
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for result, s in rows:
        cells = (
            result.system,
            f"{s.f1:.3f}",
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.accuracy:.3f}",
            str(s.pages),
            str(len(result.errors)),
            f"{statistics.median(result.cpu_ms):.1f}",
            f"{statistics.fmean(result.cpu_ms):.1f}",
            f"{result.peak_rss_mb:.0f}",
            f"{result.peak_rss_mb - result.baseline_rss_mb:.0f}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_json(
    path: Path, pages: Sequence[Page], runs: list[tuple[RunResult, Summary, list[PageScore]]]
) -> None:
    """Per-page scores per system, plus each system's summary, for later comparison."""
    data: dict[str, Any] = {"pages": [p.id for p in pages], "systems": {}}
    for result, summary, scores in runs:
        data["systems"][result.system] = {
            "summary": {
                "f1": summary.f1,
                "precision": summary.precision,
                "recall": summary.recall,
                "accuracy": summary.accuracy,
                "pages": summary.pages,
                "failures": len(result.errors),
                "pooled_f1": summary.pooled_f1,
                "cpu_ms_median": statistics.median(result.cpu_ms),
                "cpu_ms_mean": statistics.fmean(result.cpu_ms),
                "peak_rss_mb": result.peak_rss_mb,
                "baseline_rss_mb": result.baseline_rss_mb,
            },
            "pages": {
                page.id: {
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                    "exact": s.exact,
                    "cpu_ms": ms,
                    "error": result.errors.get(str(i)),
                }
                for i, (page, s, ms) in enumerate(zip(pages, scores, result.cpu_ms, strict=True))
            },
        }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "datadir",
        nargs="?",
        type=Path,
        default=DEFAULT_DATADIR,
        help=f"benchmark folder (default: {DEFAULT_DATADIR})",
    )
    parser.add_argument(
        "--systems", default=",".join(DEFAULT_SYSTEMS), help=f"comma-separated, from {', '.join(ALL_SYSTEMS)}"
    )
    parser.add_argument("--failures", type=int, default=0, metavar="N", help="show our N worst pages")
    parser.add_argument("--width", type=int, default=300, help="characters of dropped/extra text shown")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="K",
        help="time each call K times and keep the fastest (default 1)",
    )
    parser.add_argument("--only", default="", metavar="ID[,ID]", help="run only these page ids (or prefixes)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write per-page scores per system")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table; returns the exit code."""
    args = parse_args(argv)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in ALL_SYSTEMS]
    if unknown:
        print(f"unknown system(s): {', '.join(unknown)}; known: {', '.join(ALL_SYSTEMS)}", file=sys.stderr)
        return 2
    datadir = args.datadir if args.datadir.is_absolute() else Path.cwd() / args.datadir
    only = [o.strip() for o in args.only.split(",") if o.strip()]
    pages = load_pages(datadir, only)

    runs: list[tuple[RunResult, Summary, list[PageScore]]] = []
    notes: list[str] = []
    for system in sorted(systems, key=lambda s: (s != "ours", systems.index(s))):
        print(f"running {system} on {len(pages)} pages ...", file=sys.stderr, flush=True)
        result = run_in_fresh_process(system, pages, args.repeat)
        if result.unavailable:
            notes.append(f"skipped {system}: {result.unavailable}")
            continue
        unexpected = [pages[int(i)].id[:16] for i, e in result.errors.items() if e.startswith("UNEXPECTED")]
        if unexpected:
            notes.append(
                f"{system} raised unexpected exceptions (counted as failures) on: {', '.join(unexpected)}"
            )
        scores = [score_page(out, p.truth) for out, p in zip(result.outputs, pages, strict=True)]
        runs.append((result, summarize(scores), scores))

    print(f"\nArticle-body benchmark: {len(pages)} pages from {datadir}\n")
    if runs:
        print(table([(r, s) for r, s, _ in runs]))
        print(
            "\nF1 from mean per-page P and R. Pooled F1 (sum TP / sum TP+FP over normalised pages): "
            + ", ".join(f"{r.system} {s.pooled_f1:.3f}" for r, s, _ in runs)
        )
        print(
            f"CPU: process_time per call, min of {max(1, args.repeat)} run(s). "
            "Peak RSS: during the extraction pass (imports and pages included); "
            "RSS +MB: that peak minus the RSS just before the pass."
        )
    for note in notes:
        print(note)
    if args.failures > 0:
        for result, _, scores in runs:
            if result.system == "ours":
                print_failures(pages, result, scores, args.failures, args.width)
    if args.json:
        write_json(args.json, pages, runs)
        print(f"per-page scores written to {args.json}")
    return 0 if runs else 1


if __name__ == "__main__":
    sys.exit(main())
