"""Metadata benchmark: our extract_metadata against hand-checked truth, with trafilatura as a peer.

Usage: python benchmarks/metadata.py [DATADIR] [--failures]

DATADIR holds ``html/ID.html.gz`` (default: ``../shared/bench/aeb-dev`` relative to the repo root).
Truth is ``fixtures/metadata/truth.json``: what each page shows a reader (headline, byline, dateline).
Prints one row per system: per-field accuracy and milliseconds per page.
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
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scraper.metadata import extract_metadata  # noqa: E402
from scraper.parse import parse_html  # noqa: E402

TRUTH = REPO / "fixtures" / "metadata" / "truth.json"
DEFAULT_DATA = REPO.parent / "shared" / "bench" / "aeb-dev"
FIELDS = ("title", "authors", "published", "language", "section")

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\xa0": " ", "…": "..."})


def norm_text(text: str | None) -> str:
    """Casefolded, NFKC, typographic quotes and dashes made plain, whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())


def day_matches(value: str | None, truth: dict[str, Any]) -> bool:
    """Same calendar day as the dateline (or the page's machine-readable day, when it differs)."""
    days = {d for d in (truth.get("published"), truth.get("published_alt")) if d}
    if not days:
        return not value
    if not value:
        return False
    return str(value)[:10] in days


def same_language(value: str | None, truth: str | None) -> bool:
    if not truth:
        return not value
    return bool(value) and re.split(r"[-_]", value.lower())[0] == truth.lower().split("-")[0]


def score(field: str, value: Any, truth: dict[str, Any]) -> bool:
    """Whether one extracted field matches the truth record."""
    if field == "title":
        return norm_text(value) == norm_text(truth["title"])
    if field == "authors":
        return {norm_text(a) for a in value or ()} == {norm_text(a) for a in truth["authors"]}
    if field == "published":
        return day_matches(value, truth)
    if field == "language":
        return same_language(value, truth.get("language"))
    if field == "section":
        return norm_text(value) == norm_text(truth.get("section"))
    raise ValueError(field)


def ours(html: bytes, url: str) -> tuple[dict[str, Any], float]:
    tree = parse_html(html)
    start = time.perf_counter()
    meta = extract_metadata(tree, url)
    elapsed = time.perf_counter() - start
    return _fields(meta), elapsed


def _fields(obj: Any) -> dict[str, Any]:
    """The scored fields of a Metadata or an Article (the two name them alike)."""
    return {f: list(getattr(obj, f)) if f == "authors" else getattr(obj, f) for f in FIELDS}


def ours_record(html: bytes, url: str) -> tuple[dict[str, Any], float]:
    """The fields of the record ``scraper.extract`` writes: metadata plus what the body adds (language)."""
    import scraper

    start = time.perf_counter()
    try:
        art = scraper.extract(html, url)
    except scraper.ScraperError:
        return {}, time.perf_counter() - start
    return _fields(art), time.perf_counter() - start


def trafilatura_system() -> Callable[[bytes, str], tuple[dict[str, Any], float]] | None:
    try:
        from trafilatura.metadata import extract_metadata as trafilatura_extract
    except ImportError:
        return None

    def run(html: bytes, url: str) -> tuple[dict[str, Any], float]:
        tree = parse_html(html)
        start = time.perf_counter()
        doc = trafilatura_extract(tree, default_url=url)
        elapsed = time.perf_counter() - start
        authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
        section = (doc.categories or [None])[0]
        return {
            "title": doc.title,
            "authors": authors,
            "published": doc.date,
            "language": getattr(doc, "language", None),
            "section": section,
        }, elapsed

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datadir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--failures", action="store_true", help="list our mismatches")
    args = parser.parse_args(argv)
    truth: dict[str, dict[str, Any]] = json.loads(TRUTH.read_text(encoding="utf-8"))
    pages = {pid: (args.datadir / "html" / f"{pid}.html.gz") for pid in sorted(truth)}
    pages = {pid: path for pid, path in pages.items() if path.exists()}
    if not pages:
        print(f"no pages found under {args.datadir}", file=sys.stderr)
        return 1
    systems: dict[str, Callable[[bytes, str], tuple[dict[str, Any], float]]] = {
        "scraper": ours,
        "scraper-record": ours_record,  # whole extract(): ms include the body
    }
    peer = trafilatura_system()
    if peer is not None:
        systems["trafilatura"] = peer
    html = {pid: gzip.decompress(path.read_bytes()) for pid, path in pages.items()}
    header = f"{'system':<14} {'pages':>5} " + " ".join(f"{f:>9}" for f in FIELDS) + f" {'ms/page':>8}"
    rows = [header, "-" * len(header)]
    failures: list[str] = []
    # one-off costs (imports, first-use caches) are not a page's cost
    from scraper.language import guess_language

    guess_language("a warm-up sentence long enough to load the language model once")
    for name, run in systems.items():
        first = next(iter(pages))
        run(html[first], truth[first]["url"])
        hits = dict.fromkeys(FIELDS, 0)
        counts = dict.fromkeys(FIELDS, 0)
        total = 0.0
        for pid in pages:
            result, elapsed = run(html[pid], truth[pid]["url"])
            total += elapsed
            result = {f: result.get(f) for f in FIELDS}  # a page that failed scores nothing
            result = {f: result.get(f) for f in FIELDS}
            for field in FIELDS:
                if field == "section" and not truth[pid].get("section"):
                    continue
                counts[field] += 1
                if score(field, result[field], truth[pid]):
                    hits[field] += 1
                elif name == "scraper":
                    want = truth[pid].get(field)
                    failures.append(f"{pid[:10]} {field:<9} got={result[field]!r} want={want!r}")
        cells = " ".join(f"{hits[f] / counts[f] if counts[f] else 0:>9.3f}" for f in FIELDS)
        rows.append(f"{name:<14} {len(pages):>5} {cells} {1000 * total / len(pages):>8.2f}")
    print(f"metadata benchmark, {len(pages)} pages, {dt.date.today().isoformat()}")
    print("section scored over pages whose truth names one; published = same day as the dateline")
    print("\n".join(rows))
    if args.failures and failures:
        print("\nour mismatches:")
        print("\n".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
