"""Metadata benchmark: our extract_metadata against page truth, per set, beside trafilatura and newspaper4k.

Usage: python benchmarks/metadata.py [--sets aeb-dev,naeb,wcxb,trafeval] [--systems ...] [--misses]

Sets (development halves, split by site; see ../shared/bench/news-dev/README.md):
- ``aeb-dev``: ``../shared/bench/aeb-dev``, truth ``fixtures/metadata/truth.json`` (headline, byline,
  dateline as the page shows them; also language and section).
- ``naeb``, ``wcxb``: ``../shared/bench/news-dev/SET``, truth in its ``truth.json``. Every page is scored on
  every field: an empty author list or date in the truth means the page credits no one / shows no date.
- ``trafeval``: the same layout; only pages whose truth gives a field are scored on it.

Comparison: titles case-folded with whitespace collapsed (and typographic quotes and dashes made plain),
authors as sets of such names, dates by their first ten characters (the day). CPU time (process time, ms
per page) excludes HTML parsing for ``scraper``, ``trafilatura`` and ``htmldate`` (each gets a parsed
tree); ``newspaper4k`` parses itself, so its ms include that. ``htmldate`` (date only, as trafilatura
calls it) and ``scraper-record`` (the whole ``scraper.extract``, body included) are available with
``--systems``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scraper.metadata import extract_metadata  # noqa: E402
from scraper.parse import parse_html  # noqa: E402

BENCH = REPO.parent / "shared" / "bench"
AEB_TRUTH = REPO / "fixtures" / "metadata" / "truth.json"
SETS = ("aeb-dev", "naeb", "wcxb", "trafeval")
CORE_FIELDS = ("title", "authors", "published")
AEB_FIELDS = (*CORE_FIELDS, "language", "section")
ALL_SYSTEMS = ("scraper", "scraper-record", "trafilatura", "newspaper4k", "htmldate")
DEFAULT_SYSTEMS = ("scraper", "trafilatura", "newspaper4k")

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\xa0": " ", "…": "...", "\xad": None}
)

Result = dict[str, Any]
System = Callable[[bytes, str], tuple[Result, float]]


@dataclass(frozen=True, slots=True)
class BenchSet:
    """One set of pages: where the HTML is, the truth per page id, which fields are scored, how."""

    name: str
    html_dir: Path
    truth: dict[str, dict[str, Any]]
    fields: tuple[str, ...]
    only_given: bool  # score a field only on pages whose truth gives it


def norm_text(text: str | None) -> str:
    """Casefolded, NFKC, typographic quotes and dashes made plain, whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())


def day_matches(value: str | None, truth: dict[str, Any]) -> bool:
    """Same calendar day as the dateline (or the page's machine-readable day, when it differs)."""
    days = {str(d)[:10] for d in (truth.get("published"), truth.get("published_alt")) if d}
    if not days:
        return not value
    if not value:
        return False
    return str(value)[:10] in days


def same_language(value: str | None, truth: str | None) -> bool:
    if not truth:
        return not value
    return bool(value) and re.split(r"[-_]", value.lower())[0] == truth.lower().split("-")[0]


def names(values: Any) -> set[str]:
    """A set of normalised names; nested lists (two trafeval records) are flattened."""
    out: set[str] = set()
    for value in values or ():
        if isinstance(value, list | tuple):
            out |= names(value)
        elif value:
            out.add(norm_text(str(value)))
    return out


def score(field: str, value: Any, truth: dict[str, Any]) -> bool:
    """Whether one extracted field matches the truth record."""
    if field == "title":
        return norm_text(value) == norm_text(truth["title"])
    if field == "authors":
        return names(value) == names(truth["authors"])
    if field == "published":
        return day_matches(value, truth)
    if field == "language":
        return same_language(value, truth.get("language"))
    if field == "section":
        return norm_text(value) == norm_text(truth.get("section"))
    raise ValueError(field)


def scored(bench: BenchSet, field: str, truth: dict[str, Any]) -> bool:
    """Whether this page counts for this field in this set."""
    if field == "section":
        return bool(truth.get("section"))
    if bench.only_given:
        return bool(truth.get(field))
    return True


def load_set(name: str) -> BenchSet:
    if name == "aeb-dev":
        truth = json.loads(AEB_TRUTH.read_text(encoding="utf-8"))
        return BenchSet(name, BENCH / "aeb-dev" / "html", truth, AEB_FIELDS, only_given=False)
    folder = BENCH / "news-dev" / name
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return BenchSet(name, folder / "html", truth, CORE_FIELDS, only_given=name == "trafeval")


# --- systems ------------------------------------------------------------------------------------------


def _fields(obj: Any) -> Result:
    """The scored fields of a Metadata or an Article (the two name them alike)."""
    return {f: list(getattr(obj, f)) if f == "authors" else getattr(obj, f) for f in AEB_FIELDS}


def ours(html: bytes, url: str) -> tuple[Result, float]:
    tree = parse_html(html)
    start = time.process_time()
    meta = extract_metadata(tree, url)
    return _fields(meta), time.process_time() - start


def ours_record(html: bytes, url: str) -> tuple[Result, float]:
    """The fields of the record ``scraper.extract`` writes: metadata plus what the body adds (language)."""
    import scraper

    start = time.process_time()
    try:
        art = scraper.extract(html, url)
    except scraper.ScraperError:
        return {}, time.process_time() - start
    return _fields(art), time.process_time() - start


def trafilatura_system() -> System:
    from trafilatura.metadata import extract_metadata as trafilatura_extract

    def run(html: bytes, url: str) -> tuple[Result, float]:
        tree = parse_html(html)
        start = time.process_time()
        doc = trafilatura_extract(tree, default_url=url)
        elapsed = time.process_time() - start
        authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
        return {
            "title": doc.title,
            "authors": authors,
            "published": doc.date,
            "language": getattr(doc, "language", None),
            "section": (doc.categories or [None])[0],
        }, elapsed

    return run


def newspaper_system() -> System:
    import newspaper

    def run(html: bytes, url: str) -> tuple[Result, float]:
        start = time.process_time()
        article = newspaper.Article(url, fetch_images=False)
        try:
            article.download(input_html=html.decode("utf-8", "replace"))
            article.parse()
        except Exception:  # e.g. a Korean page without nltk: the page scores nothing
            return {}, time.process_time() - start
        elapsed = time.process_time() - start
        published = article.publish_date
        return {
            "title": article.title,
            "authors": list(article.authors or ()),
            "published": published.isoformat() if published else None,
            "language": article.meta_lang or None,
            "section": None,
        }, elapsed

    return run


def htmldate_system() -> System:
    """htmldate alone, as trafilatura calls it (original date, extensive search); dates only."""
    from htmldate import find_date

    today = dt.date.today().isoformat()

    def run(html: bytes, url: str) -> tuple[Result, float]:
        tree = parse_html(html)
        start = time.process_time()
        day = find_date(tree, url=url, original_date=True, extensive_search=True, max_date=today)
        return {"published": day}, time.process_time() - start

    return run


def make_system(name: str) -> System:
    if name == "scraper":
        return ours
    if name == "scraper-record":
        return ours_record
    if name == "trafilatura":
        return trafilatura_system()
    if name == "newspaper4k":
        return newspaper_system()
    if name == "htmldate":
        return htmldate_system()
    raise ValueError(f"unknown system {name!r} (known: {', '.join(ALL_SYSTEMS)})")


# --- run ----------------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(str(v) for v in value) + "]"
    return repr(value)


def run_set(
    bench: BenchSet, systems: dict[str, System], misses: bool, fields: set[str] | None
) -> tuple[list[str], list[str]]:
    """The table rows and our misses for one set."""
    html: dict[str, bytes] = {}
    for pid in sorted(bench.truth):
        path = bench.html_dir / f"{pid}.html.gz"
        if path.exists():
            html[pid] = gzip.decompress(path.read_bytes())
    show = [f for f in bench.fields if fields is None or f in fields]
    header = f"{'system':<15} {'pages':>5} " + " ".join(f"{f:>9}" for f in show) + f" {'cpu ms':>8}"
    rows = [header, "-" * len(header)]
    failures: list[str] = []
    if not html:
        return [f"no pages under {bench.html_dir}"], []
    for name, run in systems.items():
        first = next(iter(html))
        run(html[first], bench.truth[first]["url"])  # one-off import and cache costs are not a page's
        hits = dict.fromkeys(show, 0)
        counts = dict.fromkeys(show, 0)
        total = 0.0
        for pid, page in html.items():
            truth = bench.truth[pid]
            result, elapsed = run(page, truth["url"])
            total += elapsed
            for field in show:
                if not scored(bench, field, truth):
                    continue
                if field not in result and name == "htmldate":
                    continue
                counts[field] += 1
                if score(field, result.get(field), truth):
                    hits[field] += 1
                elif name == "scraper" and misses:
                    failures.append(
                        f"{bench.name:<8} {pid[:10]} {field:<9} ours={_show(result.get(field))} "
                        f"truth={_show(truth.get(field))}  {truth['url'][:90]}"
                    )
        cells = " ".join(f"{hits[f] / counts[f]:>9.3f}" if counts[f] else f"{'-':>9}" for f in show)
        rows.append(f"{name:<15} {len(html):>5} {cells} {1000 * total / len(html):>8.2f}")
    scored_counts = ", ".join(
        f"{f} {sum(scored(bench, f, t) for pid, t in bench.truth.items() if pid in html)}" for f in show
    )
    rows.insert(0, f"{bench.name}: {len(html)} pages (scored: {scored_counts})")
    return rows, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, from {', '.join(SETS)}")
    parser.add_argument(
        "--systems", default=",".join(DEFAULT_SYSTEMS), help=f"comma-separated, from {', '.join(ALL_SYSTEMS)}"
    )
    parser.add_argument("--fields", default="", help="only these fields (comma-separated)")
    parser.add_argument("--misses", "--failures", action="store_true", help="list our misses: ours vs truth")
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in names if s not in SETS]
    if unknown:
        print(f"unknown set(s): {', '.join(unknown)} (known: {', '.join(SETS)})", file=sys.stderr)
        return 2
    systems: dict[str, System] = {}
    for name in (s.strip() for s in args.systems.split(",") if s.strip()):
        try:
            systems[name] = make_system(name)
        except ImportError as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    fields = {f.strip() for f in args.fields.split(",") if f.strip()} or None
    from scraper.language import guess_language

    guess_language("a warm-up sentence long enough to load the language model once")
    print(f"metadata benchmark, {dt.date.today().isoformat()}; published = same day as the truth")
    all_failures: list[str] = []
    for name in names:
        rows, failures = run_set(load_set(name), systems, args.misses, fields)
        print()
        print("\n".join(rows))
        sys.stdout.flush()
        all_failures.extend(failures)
    if args.misses and all_failures:
        print("\nour misses:")
        print("\n".join(all_failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
