"""The article-body metric of the article extraction benchmark, written from its published definition.

Each text is split into tokens, the runs of ``\\w+`` (Unicode, case kept). Tokens form overlapping
4-token shingles, counted with multiplicity. Per page, TP is the overlap of the two multisets
(sum of the smaller counts), FP the predicted shingles left over, FN the truth shingles left over;
the three are normalised to sum to 1. Per-page precision is TP/(TP+FP) and recall TP/(TP+FN); the
benchmark figure averages each over pages and takes F1 = 2PR/(P+R) of the two means. Accuracy is the
share of pages whose token list equals the truth's token list exactly.

Edge cases, chosen here and documented because the definition leaves them open:

* a text with fewer than 4 tokens (but at least one) is a single shingle, its whole token tuple;
* both texts empty: P = R = 1 (normalised TP, FP, FN = 1, 0, 0);
* empty prediction, non-empty truth: P = 1 (nothing predicted, nothing wrong), R = 0;
* non-empty prediction, empty truth: P = 0, R = 1 (nothing to find, all of it noise).

``Summary`` also carries the pooled figures (sum of normalised TP over sum of TP+FP, and likewise for
recall), the other reading of "normalised per page, then aggregated"; both are reported so a
difference between them is visible rather than hidden.

The snippet metric of trafilatura's evaluation (for pages whose truth is snippets, not a body): after
whitespace is collapsed in the prediction and in each snippet, every ``with`` snippet that is a
substring of the prediction is a true positive (else a false negative), every ``without`` snippet found
is a false positive (else a true negative). A set's figures are micro-averaged: the counts are summed
over pages, then precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "SHINGLE_SIZE",
    "PageScore",
    "SnippetScore",
    "SnippetSummary",
    "Summary",
    "f1",
    "normalize_space",
    "score_page",
    "score_snippets",
    "shingles",
    "summarize",
    "summarize_snippets",
    "tokenize",
]

SHINGLE_SIZE = 4
TOKEN_RE = re.compile(r"\w+")

Shingle = tuple[str, ...]


def tokenize(text: str | None) -> list[str]:
    """The ``\\w+`` tokens of ``text``, case kept; ``None`` is the empty text."""
    return TOKEN_RE.findall(text) if text else []


def shingles(tokens: Sequence[str], size: int = SHINGLE_SIZE) -> Counter[Shingle]:
    """Overlapping ``size``-token shingles with counts; fewer than ``size`` tokens make one shingle."""
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall, 0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's normalised TP/FP/FN (summing to 1), its precision, recall, and exact-match flag."""

    tp: float
    fp: float
    fn: float
    precision: float
    recall: float
    exact: bool

    @property
    def f1(self) -> float:
        """F1 of this page alone (for ranking pages; the benchmark F1 is from the means)."""
        return f1(self.precision, self.recall)


def score_page(predicted: str | None, truth: str | None) -> PageScore:
    """Score one prediction against its ground truth (see the module docstring for edge cases)."""
    pred_tokens = tokenize(predicted)
    true_tokens = tokenize(truth)
    exact = pred_tokens == true_tokens
    pred_sh = shingles(pred_tokens)
    true_sh = shingles(true_tokens)
    n_pred = sum(pred_sh.values())
    n_true = sum(true_sh.values())
    overlap = sum((pred_sh & true_sh).values())
    tp, fp, fn = overlap, n_pred - overlap, n_true - overlap
    total = tp + fp + fn
    if total == 0:  # both empty
        return PageScore(1.0, 0.0, 0.0, 1.0, 1.0, exact)
    tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_true if n_true else 1.0
    return PageScore(tp_n, fp_n, fn_n, precision, recall, exact)


@dataclass(frozen=True, slots=True)
class Summary:
    """Benchmark figures over a set of pages."""

    precision: float
    recall: float
    f1: float
    accuracy: float
    pages: int
    pooled_precision: float
    pooled_recall: float
    pooled_f1: float


def summarize(scores: Iterable[PageScore]) -> Summary:
    """Mean precision and recall over pages, F1 of the means, exact-match accuracy, pooled variants."""
    items = list(scores)
    n = len(items)
    if n == 0:
        return Summary(0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, 0.0)
    precision = sum(s.precision for s in items) / n
    recall = sum(s.recall for s in items) / n
    accuracy = sum(s.exact for s in items) / n
    tp = sum(s.tp for s in items)
    fp = sum(s.fp for s in items)
    fn = sum(s.fn for s in items)
    pooled_p = tp / (tp + fp) if tp + fp else 1.0
    pooled_r = tp / (tp + fn) if tp + fn else 1.0
    return Summary(
        precision=precision,
        recall=recall,
        f1=f1(precision, recall),
        accuracy=accuracy,
        pages=n,
        pooled_precision=pooled_p,
        pooled_recall=pooled_r,
        pooled_f1=f1(pooled_p, pooled_r),
    )


# --------------------------------------------------------------------------- snippet metric


def normalize_space(text: str | None) -> str:
    """``text`` with every run of whitespace made one space, ends stripped; ``None`` is the empty text."""
    return " ".join(text.split()) if text else ""


@dataclass(frozen=True, slots=True)
class SnippetScore:
    """One page's snippet counts, and which snippets went wrong."""

    tp: int
    fp: int
    fn: int
    tn: int
    missed: tuple[str, ...] = ()
    leaked: tuple[str, ...] = ()

    @property
    def precision(self) -> float:
        """TP/(TP+FP) on this page; 1 when nothing was found."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP/(TP+FN) on this page; 1 when the page has no ``with`` snippet."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """2TP/(2TP+FP+FN) on this page (for ranking pages); 1 when there is nothing to get wrong."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 1.0


def score_snippets(predicted: str | None, with_: Iterable[str], without: Iterable[str]) -> SnippetScore:
    """Count the ``with`` snippets found in ``predicted`` and the ``without`` snippets found there too."""
    text = normalize_space(predicted)
    wanted = [normalize_space(s) for s in with_]
    unwanted = [normalize_space(s) for s in without]
    missed = tuple(s for s in wanted if s not in text)
    leaked = tuple(s for s in unwanted if s in text)
    return SnippetScore(
        tp=len(wanted) - len(missed),
        fp=len(leaked),
        fn=len(missed),
        tn=len(unwanted) - len(leaked),
        missed=missed,
        leaked=leaked,
    )


@dataclass(frozen=True, slots=True)
class SnippetSummary:
    """Micro-averaged snippet figures over a set of pages."""

    precision: float
    recall: float
    f1: float
    pages: int
    tp: int
    fp: int
    fn: int


def summarize_snippets(scores: Iterable[SnippetScore]) -> SnippetSummary:
    """Sum the counts over pages, then precision, recall and F1 = 2TP/(2TP+FP+FN)."""
    items = list(scores)
    tp = sum(s.tp for s in items)
    fp = sum(s.fp for s in items)
    fn = sum(s.fn for s in items)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    denominator = 2 * tp + fp + fn
    return SnippetSummary(
        precision=precision,
        recall=recall,
        f1=2 * tp / denominator if denominator else (1.0 if items else 0.0),
        pages=len(items),
        tp=tp,
        fp=fp,
        fn=fn,
    )
