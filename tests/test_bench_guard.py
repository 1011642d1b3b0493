"""CI guard: a fixed sample of pages from each development set, each with a minimum score.

The pages, their truth and the minimums live in ``tests/data/bench-sample`` (see its README); the full
benchmark is ``benchmarks/extraction.py``, which also regenerates the minimums (``--update-guard``).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import scraper
from benchmarks.aeb_metric import score_page, score_snippets

SAMPLE = Path(__file__).resolve().parent / "data" / "bench-sample"
GUARD = json.loads((SAMPLE / "guard.json").read_text(encoding="utf-8"))
TRUTH = {
    name: json.loads((SAMPLE / name / "truth.json").read_text(encoding="utf-8")) for name in GUARD["pages"]
}
CASES = [(name, page_id) for name, pages in GUARD["pages"].items() for page_id in pages]


def _ours(name: str, page_id: str) -> str:
    html = gzip.decompress((SAMPLE / name / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
    try:
        return scraper.extract(html, TRUTH[name][page_id]["url"]).body or ""
    except scraper.ScraperError:
        return ""  # scored as an empty text, as the benchmark does


def test_sample_covers_every_set_and_every_guard_can_fail() -> None:
    assert set(GUARD["pages"]) == {"aeb", "fundus", "naeb", "wcxb", "trafeval"}
    for name, pages in GUARD["pages"].items():
        assert len(pages) >= 4, name
        assert sorted(TRUTH[name]) == sorted(pages), f"{name}: truth.json and guard.json list other pages"
        for page_id, entry in pages.items():
            assert (SAMPLE / name / f"{page_id}.html.gz").is_file()
            assert entry["min"] > 0, f"{name}/{page_id}: a minimum of 0 cannot fail"


@pytest.mark.parametrize(("name", "page_id"), CASES, ids=[f"{n}-{p[:12]}" for n, p in CASES])
def test_page_score_does_not_regress(name: str, page_id: str) -> None:
    truth, minimum = TRUTH[name][page_id], GUARD["pages"][name][page_id]["min"]
    text = _ours(name, page_id)
    if "body" in truth:
        score = score_page(text, truth["body"])
    else:
        score = score_snippets(text, truth["with"], truth["without"])
    kind = GUARD["pages"][name][page_id]["kind"]
    assert score.f1 >= minimum, (
        f"{name}/{page_id} ({kind}): F1 {score.f1:.3f} < {minimum} "
        f"(P {score.precision:.3f}, R {score.recall:.3f}); regenerate with "
        "`python benchmarks/extraction.py --update-guard` only if the change is meant"
    )
