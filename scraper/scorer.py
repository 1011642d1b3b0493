"""A small learned block scorer: which blocks of the page just outside the chosen container are article,
and which of the container's own last blocks are not.

The container picker takes one box; article text often lies next to it (a standfirst, a list after the
last paragraph, an item in a sibling box), and page furniture often closes it (a promo, a credit line).
The blocks of the pruned page that lie within ``WINDOW`` blocks before or after the container's kept
blocks, or between them and outside the container, and the container's last ``TAIL`` blocks, are
described by structural, language-independent features (``FEATURES``) and scored by models trained on
the development pages (``benchmarks/train_scorer.py``) and shipped as ``block_model.json``: a logistic
regression or a few small trees each, evaluated here in plain Python.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml.html import HtmlElement

from .clean import Block, is_sentence
from .record import FIGURE_BLOCK
from .text import caption_key

log = logging.getLogger(__name__)

__all__ = ["FEATURES", "WINDOW", "Model", "Outside", "load_model", "model", "outside_blocks", "use_model"]

WINDOW = 6  # blocks before the first and after the last kept block that are candidates
TAIL = 4  # the container's own last blocks that are candidates too (a closing promo, a credit line)

_KINDS = ("p", "h", "h1", "li", "quote", "row", "pre")

# Groups of class/id word stems, matched in the class and id of the boxes a block sits in below the box it
# shares with the nearest kept block: what the page's author called the box (the model weighs them).
_BOX_WORDS = {
    "comment": ("comment", "reply", "discuss", "forum", "thread", "review"),
    "related": (
        "related",
        "recommend",
        "more",
        "teaser",
        "promo",
        "popular",
        "trending",
        "widget",
        "sidebar",
    ),
    "lead": ("lead", "intro", "summary", "standfirst", "dek", "excerpt", "subtitle", "subhead", "abstract"),
    "meta": ("author", "byline", "bio", "meta", "date", "tag", "categor", "breadcrumb"),
    "caption": ("caption", "credit", "figure", "photo", "image", "media", "gallery"),
    "article": ("content", "article", "body", "text", "entry", "story", "post"),
    "nav": ("footer", "nav", "menu", "header", "share", "social", "subscribe", "newsletter"),
    "item": ("list", "item", "card", "product", "spec", "table", "step"),
}
_BOX_PATTERN = re.compile("|".join(f"(?P<{name}>{'|'.join(words)})" for name, words in _BOX_WORDS.items()))
_BOX_LEVELS = 6
_DIGIT = re.compile(r"\d")

FEATURES = (
    "log_words",
    "log_chars",
    "link_share",
    "sentence_end",
    "punct_per_word",
    "digit_share",
    "capital_share",
    *(f"kind_{k}" for k in _KINDS),
    "before",
    "after",
    "between",
    "log_distance",
    "page_position",
    "repeated",
    "in_description",
    "run_link_share",
    "run_headings",
    "log_run_words",
    "next_link_share",
    "next_log_words",
    "container_log_words",
    "words_vs_container",
    "container_page_share",
    "log_kept_blocks",
    "log_tree_hops",
    "box_depth",
    *(f"box_{name}" for name in _BOX_WORDS),
    "tail",  # last: the outside model's trees were grown before it
)


_DESCRIPTION = FEATURES.index("in_description")


@dataclass(slots=True)
class Outside:
    """A block of the page outside the container, where it stands, and its features."""

    index: int  # in the page's blocks
    side: str  # before, after, between; or tail: one of the container's own last blocks
    block: Block
    features: list[float]


def _block_stats(b: Block) -> tuple[float, ...]:
    text = b.text
    n = max(1, len(text))
    words = max(1, b.words)
    punct = text.count(",") + text.count(".") + text.count(";")
    digits = len(_DIGIT.findall(text))
    tokens = text.split(" ")
    capital = sum(1 for t in tokens if t[:1].isupper()) / max(1, len(tokens))
    return (
        math.log1p(b.words),
        math.log1p(len(text)),
        min(1.0, b.link_ratio),
        1.0 if is_sentence(text) else 0.0,
        punct / words,
        digits / n,
        capital,
    )


def _ancestors(el: HtmlElement) -> list[HtmlElement]:
    """``el`` and its ancestors, the root last."""
    return [el, *el.iterancestors()]


def _box(owner: HtmlElement, theirs: list[HtmlElement], shared: set[HtmlElement]) -> tuple[float, ...]:
    """Tree hops between a block's element and another's (given with its ancestors, also as a set), the
    depth of ``owner`` below the box they share, and the class/id word groups of the boxes between."""
    mine = _ancestors(owner)
    depth = next((d for d, el in enumerate(mine) if el in shared), len(mine))
    top = mine[depth] if depth < len(mine) else None
    hops = depth + (theirs.index(top) if top is not None else len(theirs))
    found: set[str] = set()
    for el in mine[: min(depth, _BOX_LEVELS)]:
        words = f"{el.get('class') or ''} {el.get('id') or ''}"
        if len(words) > 1:
            for m in _BOX_PATTERN.finditer(words.lower()):
                found.add(m.lastgroup or "")
    return (math.log1p(hops), float(depth), *(1.0 if name in found else 0.0 for name in _BOX_WORDS))


class _Around:
    """What the features of the blocks around one container read: the page's blocks and their elements,
    the container's kept blocks summed up, and the page's description."""

    def __init__(
        self,
        whole: list[Block],
        whole_keys: list[str],
        owners: list[HtmlElement],
        kept: list[Block],
        count: Counter[str],
        description: str | None,
    ) -> None:
        self.whole, self.keys, self.owners, self.count = whole, whole_keys, owners, count
        kept_words = sorted([b.words for b in kept if b.kind == "p"] or [b.words for b in kept])
        self.median = kept_words[len(kept_words) // 2] if kept_words else 1
        self.desc = caption_key(description) if description else ""
        # running totals over the page's blocks (characters, linked characters, words, headings): the
        # blocks between one outside and the container are summed in one step, however many they are
        self.sums = tuple(
            list(itertools.accumulate(column, initial=0))
            for column in zip(
                *((len(x.text), x.link_chars, x.words, x.kind in ("h", "h1")) for x in whole), strict=True
            )
        ) or ([0], [0], [0], [0])
        total_chars = max(1, self.sums[0][-1])
        self.shared = (
            math.log1p(self.median),
            min(1.0, sum(len(b.text) for b in kept) / total_chars),
            math.log1p(len(kept)),
        )
        # the ancestors of each kept block's element, as a list and a set, once
        self.lines: dict[int, tuple[list[HtmlElement], set[HtmlElement]]] = {}

    def line(self, j: int) -> tuple[list[HtmlElement], set[HtmlElement]]:
        if j not in self.lines:
            up = _ancestors(self.owners[j])
            self.lines[j] = (up, set(up))
        return self.lines[j]

    def features(self, i: int, side: str, nearest: int) -> list[float]:
        """Block ``i``'s features, on ``side`` of the container, whose kept block ``nearest`` is closest."""
        whole, b, key, n = self.whole, self.whole[i], self.keys[i], len(self.whole)
        step = 1 if nearest > i else -1
        lo, hi = (i + 1, nearest) if step == 1 else (nearest + 1, i)  # the blocks between, as a slice
        chars, links, words, heads = (column[hi] - column[lo] for column in self.sums)
        run_chars = chars + len(b.text)
        run_links = links + b.link_chars
        nxt = whole[i + step] if 0 <= i + step < n else b
        desc = self.desc
        return [
            *_block_stats(b),
            *(1.0 if b.kind == k else 0.0 for k in _KINDS),
            1.0 if side == "before" else 0.0,
            1.0 if side == "after" else 0.0,
            1.0 if side == "between" else 0.0,
            math.log(abs(nearest - i)),
            i / n,
            1.0 if self.count[key] > 1 else 0.0,
            1.0 if desc and len(key) > 20 and (key in desc or desc in key) else 0.0,
            min(1.0, run_links / max(1, run_chars)),
            float(heads),
            math.log1p(words),
            min(1.0, nxt.link_ratio),
            math.log1p(nxt.words),
            self.shared[0],
            b.words / max(1, self.median),
            self.shared[1],
            self.shared[2],
            *_box(self.owners[i], *self.line(nearest)),
            1.0 if side == "tail" else 0.0,
        ]


def outside_blocks(
    whole: list[Block],
    whole_keys: list[str],
    raw_keys: set[str],
    kept: list[Block],
    description: str | None,
    owners: list[HtmlElement],
) -> list[Outside]:
    """The page's blocks (``whole``, from the elements ``owners``) near the kept blocks and not in the
    container (``raw_keys``), with their features; empty when the kept blocks cannot be placed."""
    kept_keys = {caption_key(b.text) for b in kept if b.text}
    count = Counter(whole_keys)
    at = [i for i, k in enumerate(whole_keys) if k in kept_keys and count[k] == 1]
    if not at or len(owners) != len(whole):
        return []
    around = _Around(whole, whole_keys, owners, kept, count, description)
    out: list[Outside] = []

    def add(i: int, side: str, nearest: int) -> None:
        b, key = whole[i], whole_keys[i]
        if key and key not in raw_keys and b.kind != FIGURE_BLOCK:
            out.append(Outside(i, side, b, around.features(i, side, nearest)))

    lo, hi = at[0], at[-1]
    for i in range(max(0, lo - WINDOW), lo):
        add(i, "before", lo)
    at_set, prev = set(at), lo
    for i in range(lo + 1, hi):
        if i in at_set:
            prev = i
            continue
        nxt_at = at[bisect.bisect_right(at, i)]
        add(i, "between", prev if i - prev <= nxt_at - i else nxt_at)
    for i in range(hi + 1, min(len(whole), hi + 1 + WINDOW)):
        add(i, "after", hi)
    # the container's own last blocks, each weighed from the kept block before them
    anchor = at[max(0, len(at) - TAIL - 1)]
    for i in at[-TAIL:]:
        if i != anchor and whole[i].kind != FIGURE_BLOCK:
            out.append(Outside(i, "tail", whole[i], around.features(i, "tail", anchor)))
    return out


class Model:
    """A logistic regression or boosted trees over ``FEATURES``, read from JSON; ``score`` is a
    probability."""

    def __init__(self, data: dict[str, Any]) -> None:
        if list(data.get("features", ())) != list(FEATURES):
            raise ValueError("block model was trained on other features")
        self.kind: str = data["kind"]
        self.threshold: float = float(data["threshold"])
        self.contiguous: bool = bool(data.get("contiguous", False))
        self.sides: frozenset[str] = frozenset(data.get("sides", ("before", "after", "between")))
        # the container's own last blocks scoring under this are dropped, from the last one back; they are
        # scored by a model of their own, trained on them alone
        self.drop_below: float = float(data.get("drop_below", 0.0))
        self.tail: Model | None = Model(data["tail"]) if data.get("tail") else None
        # a block that is the page's description stays out, as the standfirst does (the record has it)
        self.skip_description: bool = bool(data.get("skip_description", False))
        if self.kind == "logreg":
            self.mean = [float(x) for x in data["mean"]]
            self.scale = [float(x) for x in data["scale"]]
            self.coef = [float(x) for x in data["coef"]]
            self.intercept = float(data["intercept"])
        elif self.kind == "trees":
            self.base = float(data["base"])
            self.rate = float(data["rate"])
            # each tree: parallel lists (feature, threshold, left, right, value); feature -1 is a leaf
            self.trees: list[tuple[list[int], list[float], list[int], list[int], list[float]]] = [
                (t["feature"], t["threshold"], t["left"], t["right"], t["value"]) for t in data["trees"]
            ]
        else:
            raise ValueError(f"unknown block model kind {self.kind!r}")

    def weighs(self, side: str, x: list[float]) -> bool:
        """Whether a candidate on ``side`` with features ``x`` is scored at all."""
        if side == "tail":
            return self.tail is not None and self.drop_below > 0
        return side in self.sides and not (self.skip_description and x[_DESCRIPTION] > 0)

    def score_on(self, side: str, x: list[float]) -> float:
        """The score of a candidate on ``side``: the tail's model for the container's own last blocks."""
        return self.tail.score(x) if side == "tail" and self.tail is not None else self.score(x)

    def decide(self, found: list[Outside], scores: list[float | None]) -> tuple[set[int], dict[int, float]]:
        """Of the candidates ``found`` (scored ``scores``, None where not weighed): the page indexes of the
        blocks outside the container to put back, and of the container's last blocks to drop, with their
        scores."""
        take = {
            o.index
            for o, s in zip(found, scores, strict=True)
            if o.side != "tail" and s is not None and s >= self.threshold
        }
        if take and self.contiguous:
            take = _contiguous(take, found)
        return take, _tail_drops(found, scores, self.drop_below)

    def score(self, x: list[float]) -> float:
        if self.kind == "logreg":
            z = self.intercept
            for v, m, s, c in zip(x, self.mean, self.scale, self.coef, strict=True):
                z += c * (v - m) / s
        else:
            total = 0.0
            for feature, threshold, left, right, value in self.trees:
                node = 0
                f = feature[0]
                while f >= 0:
                    node = left[node] if x[f] <= threshold[node] else right[node]
                    f = feature[node]
                total += value[node]
            z = self.base + self.rate * total
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _tail_drops(found: list[Outside], scores: list[float | None], below: float) -> dict[int, float]:
    """The container's own last blocks scoring under ``below``, from the last one back, with their scores."""
    drop: dict[int, float] = {}
    for o, s in reversed([(o, s) for o, s in zip(found, scores, strict=True) if o.side == "tail"]):
        if s is None or s >= below:
            break
        drop[o.index] = s
    return drop


def _contiguous(take: set[int], found: list[Outside]) -> set[int]:
    """Only the blocks taken whose every candidate between them and the container is taken too."""
    out: set[int] = set()
    before = sorted((o.index for o in found if o.side == "before"), reverse=True)
    after = sorted(o.index for o in found if o.side == "after")
    for run in (before, after):
        for i in run:
            if i not in take:
                break
            out.add(i)
    out |= {o.index for o in found if o.side == "between" and o.index in take}
    return out


_DEFAULT = Path(__file__).with_name("block_model.json")
_model: Model | None = None
_loaded = False


def load_model(path: Path | None = None) -> Model | None:
    """Read a model file (the shipped one by default); None when there is none or it cannot be read."""
    path = path or _DEFAULT
    try:
        return Model(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot read block model %s: %s", path, exc)
        return None


def model() -> Model | None:
    """The model in use: the shipped one, read once."""
    global _model, _loaded
    if not _loaded:
        _model, _loaded = load_model(), True
    return _model


def use_model(m: Model | None) -> None:
    """Replace the model in use (None: no scorer), for training and evaluation."""
    global _model, _loaded
    _model, _loaded = m, True
