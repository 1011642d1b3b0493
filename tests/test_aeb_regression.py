"""Regression guard: a few benchmark pages, each with a minimum F1 (the full benchmark is benchmarks/aeb.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import scraper
from benchmarks.aeb_metric import score_page

AEB = Path(__file__).resolve().parents[1] / "fixtures" / "aeb"
TRUTH = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
# Minimum F1 per page: the score when the guard was set, less a small margin. Raise them as we improve.
MIN_F1 = {
    "7f93c194": 0.99,  # plain news page: exact
    "57d46c9d": 0.96,  # wire copy with a sign-off
    "6ebac05f": 0.97,  # hover cards inside paragraphs, an embedded tweet
    "4219d096": 0.97,  # blog post with a recipe card
    "3f65af7b": 0.78,  # social embeds in a "social" container
    "702d1da6": 0.99,  # long newspaper article
    "16c30add": 0.97,  # explainer with a standfirst
}


def _page_id(prefix: str) -> str:
    return next(k for k in TRUTH if k.startswith(prefix))


@pytest.mark.parametrize("prefix", sorted(MIN_F1))
def test_page_f1_does_not_regress(prefix: str) -> None:
    page_id = _page_id(prefix)
    html = gzip.decompress((AEB / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
    article = scraper.extract(html, TRUTH[page_id]["url"])
    score = score_page(article.body, TRUTH[page_id]["articleBody"])
    f1 = 2 * score.precision * score.recall / max(1e-9, score.precision + score.recall)
    assert f1 >= MIN_F1[prefix], f"{prefix}: F1 {f1:.3f} < {MIN_F1[prefix]} (P {score.precision:.3f}, R {score.recall:.3f})"
