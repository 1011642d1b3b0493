"""Unit tests of the article-body benchmark metric (benchmarks/aeb_metric.py) on hand-made texts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

from aeb_metric import (  # noqa: E402
    score_page,
    score_snippets,
    shingles,
    summarize,
    summarize_snippets,
    tokenize,
)


def test_tokens_are_word_runs_with_case_kept() -> None:
    assert tokenize("Hello, wörld! It's 2019—ok?") == ["Hello", "wörld", "It", "s", "2019", "ok"]
    assert tokenize("Привет, мир") == ["Привет", "мир"]
    assert tokenize("") == [] and tokenize(None) == []


def test_shingles_overlap_and_count() -> None:
    assert shingles(list("abcdab")) == {
        ("a", "b", "c", "d"): 1,
        ("b", "c", "d", "a"): 1,
        ("c", "d", "a", "b"): 1,
    }
    assert shingles(["a", "b"]) == {("a", "b"): 1}  # short text: one shingle, the whole tuple
    assert shingles([]) == {}


def test_exact_match_scores_one_and_counts_for_accuracy() -> None:
    text = "The quick brown fox jumps over the lazy dog."
    score = score_page(text, text)
    assert (score.precision, score.recall, score.f1, score.exact) == (1.0, 1.0, 1.0, True)
    assert (score.tp, score.fp, score.fn) == (1.0, 0.0, 0.0)


def test_exact_match_ignores_punctuation_and_spacing_but_not_case() -> None:
    assert score_page("Hello,   world!\n", "Hello world").exact
    lower = score_page("hello world", "Hello world")
    assert not lower.exact and lower.precision == 0.0 and lower.recall == 0.0


def test_partial_overlap_hand_computed() -> None:
    # truth a b c d e f -> abcd bcde cdef; prediction a b c d e x -> abcd bcde cdex: TP 2, FP 1, FN 1
    score = score_page("a b c d e x", "a b c d e f")
    assert score.precision == pytest.approx(2 / 3) and score.recall == pytest.approx(2 / 3)
    assert (score.tp, score.fp, score.fn) == pytest.approx((0.5, 0.25, 0.25))
    assert not score.exact


def test_extra_text_lowers_precision_only() -> None:
    # prediction has 5 shingles, 3 of them the truth's: P = 3/5, R = 1
    score = score_page("a b c d e f g h", "a b c d e f")
    assert score.precision == pytest.approx(0.6) and score.recall == 1.0
    assert (score.tp, score.fp, score.fn) == pytest.approx((0.6, 0.4, 0.0))


def test_repeated_shingles_count_with_multiplicity() -> None:
    # truth "x y z w x y z w": xyzw twice, yzwx, zwxy, wxyz -> 5 shingles; one xyzw predicted
    once = score_page("x y z w", "x y z w x y z w")
    assert once.precision == 1.0 and once.recall == pytest.approx(1 / 5)
    # predicting the text three times: 9 shingles, only one of which the truth (xyzw once) has
    thrice = score_page("x y z w x y z w x y z w", "x y z w")
    assert thrice.precision == pytest.approx(1 / 9) and thrice.recall == 1.0


def test_short_texts_are_one_shingle() -> None:
    assert score_page("Hello world", "Hello world").f1 == 1.0
    partial = score_page("Hello", "Hello world")
    assert (partial.precision, partial.recall) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("predicted", "truth", "precision", "recall"),
    [
        ("", "", 1.0, 1.0),
        (None, "", 1.0, 1.0),
        ("", "some article body text here", 1.0, 0.0),
        ("some menu and footer text", "", 0.0, 1.0),
        ("...", "!!", 1.0, 1.0),  # punctuation only is empty text
    ],
)
def test_empty_cases(predicted: str | None, truth: str, precision: float, recall: float) -> None:
    score = score_page(predicted, truth)
    assert (score.precision, score.recall) == (precision, recall)
    assert score.tp + score.fp + score.fn == pytest.approx(1.0)


def test_summary_is_f1_of_mean_precision_and_recall() -> None:
    scores = [score_page("a b c d e f", "a b c d e f"), score_page("a b c d e f g h", "a b c d e f")]
    summary = summarize(scores)
    assert summary.precision == pytest.approx(0.8) and summary.recall == 1.0
    assert summary.f1 == pytest.approx(2 * 0.8 / 1.8)
    assert summary.accuracy == 0.5 and summary.pages == 2
    # pooled: TP (1 + 0.6) over TP + FP (1 + 0.6 + 0.4)
    assert summary.pooled_precision == pytest.approx(0.8) and summary.pooled_recall == 1.0


def test_summary_of_nothing_is_zero() -> None:
    assert summarize([]).pages == 0 and summarize([]).f1 == 0.0


def test_readability_text_conversion_breaks_lines_at_blocks() -> None:
    from extraction import block_text

    html = "<div><h2>Title</h2><p>One <b>bold</b> word.</p><p>Two<br>lines</p><ul><li>a</li><li>b</li></ul></div>"
    assert block_text(html) == "Title\nOne bold word.\nTwo\nlines\na\nb"
    assert block_text("") == ""


def test_missing_segments_finds_dropped_and_repeated_text() -> None:
    from extraction import missing_segments

    truth = "First paragraph of the story here.\nSecond paragraph we will miss entirely.\nAd"
    ours = "First paragraph of the story here."
    runs, tokens = missing_segments(truth, ours)
    assert [run[2] for run in runs] == ["Second paragraph we will miss entirely. Ad"]
    assert tokens == 7
    # text given twice in the truth but once in ours is reported once as missing
    runs, _ = missing_segments("Eat every two hours.\nEat every two hours.", "Eat every two hours.")
    assert [run[2] for run in runs] == ["Eat every two hours."]
    assert missing_segments("same text in both", "same text in both") == ([], 0)


def test_snippets_match_after_whitespace_is_collapsed() -> None:
    text = "Le chlorothalonil\n  sera interdit dès 2020.\nAvez-vous apprécié cet article?"
    score = score_snippets(
        text,
        with_=["Le chlorothalonil sera interdit", "Les Suisses pourraient"],
        without=["Avez-vous  apprécié cet article?", "Plus de sujets"],
    )
    assert (score.tp, score.fn, score.fp, score.tn) == (1, 1, 1, 1)
    assert score.missed == ("Les Suisses pourraient",)
    assert score.leaked == ("Avez-vous apprécié cet article?",)
    assert score.f1 == pytest.approx(2 / 4) and score.precision == 0.5 and score.recall == 0.5


def test_snippets_of_an_empty_text_are_all_missed_and_none_leaked() -> None:
    score = score_snippets("", ["a b"], ["c"])
    assert (score.tp, score.fn, score.fp, score.tn) == (0, 1, 0, 1) and score.f1 == 0.0
    assert score_snippets("anything", [], []).f1 == 1.0  # nothing to find, nothing to avoid


def test_snippet_summary_is_micro_averaged() -> None:
    pages = [score_snippets("a b c", ["a b", "c"], ["x"]), score_snippets("x y", ["z"], ["x", "q"])]
    # counts summed: TP 2, FN 1, FP 1 -> F1 = 4 / 6, not the mean of the page F1s (1.0 and 0.0)
    summary = summarize_snippets(pages)
    assert (summary.tp, summary.fn, summary.fp, summary.pages) == (2, 1, 1, 2)
    assert summary.f1 == pytest.approx(4 / 6)
    assert summary.precision == pytest.approx(2 / 3) and summary.recall == pytest.approx(2 / 3)
    assert summarize_snippets([]).f1 == 0.0
