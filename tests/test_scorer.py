"""The learned block scorer: the shipped model, its plain-Python evaluation, and what it changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scraper import extract, scorer
from scraper.explain import explain

_PARA = (
    "<p>Paragraph {i} of the story tells how the river rose over the old town walls during the night, and "
    "why the people who live beside it were ready for the flood this time, unlike {i} years ago.</p>"
)
_INTRO = (
    "The town council met in the morning to count the cost, which it puts at two million, and to ask the "
    "region for help with the repairs to the bridge and the quay."
)
_INTRO_2 = (
    "Insurers say most homes in the lower streets were covered, although shop owners on the quay fear "
    "that their stock will not be paid for in full this year."
)
_TEASER = "The weather service warns of more rain at the weekend, read the full story"
# Two paragraphs of the story sit in a box of their own before the box the container picker takes (no
# <h1>, so no standfirst rule applies); after the story, a box of linked teasers. Class names say
# nothing either way.
PAGE = f"""<html><head><title>The river rose</title></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main>
<h2 class="headline">The river rose</h2>
<div class="box-a"><div><p>{_INTRO}</p><p>{_INTRO_2}</p></div></div>
<div class="story">{"".join(_PARA.format(i=i) for i in range(1, 7))}</div>
<div class="box-b"><h3><a href="/a">Storm warnings for the coast</a></h3>
<p><a href="/b">{_TEASER}</a></p></div>
</main>
<footer><p>Copyright the town paper</p></footer>
</body></html>"""


@pytest.fixture
def no_model() -> Iterator[None]:
    saved = scorer.model()
    scorer.use_model(None)
    yield
    scorer.use_model(saved)


def test_shipped_model_loads() -> None:
    model = scorer.load_model()
    assert model is not None
    assert model.kind in ("logreg", "trees")
    assert 0.0 <= model.score([0.0] * len(scorer.FEATURES)) <= 1.0


def test_scorer_takes_back_paragraphs_beside_the_container_but_not_teasers() -> None:
    body = extract(PAGE, "https://example.org/river").body
    assert _INTRO in body and _INTRO_2 in body
    assert "Paragraph 6" in body
    assert _TEASER not in body and "Storm warnings" not in body


def test_without_the_scorer_they_stay_out(no_model: None) -> None:
    body = extract(PAGE, "https://example.org/river").body
    assert _INTRO not in body and _INTRO_2 not in body
    assert "Paragraph 1" in body


def test_explain_gives_the_scorer_reason() -> None:
    lines = explain(PAGE, "https://example.org/river").lines(width=400)
    taken = [line for line in lines if _INTRO in line]
    assert taken and taken[0].startswith("kept") and "block scorer" in taken[0]
    left = [line for line in lines if _TEASER in line]
    assert left and left[0].startswith("dropped") and "block scorer" in left[0]


def _features(**values: float) -> list[float]:
    x = [0.0] * len(scorer.FEATURES)
    for name, value in values.items():
        x[scorer.FEATURES.index(name)] = value
    return x


def test_logistic_model_in_plain_python() -> None:
    n = len(scorer.FEATURES)
    coef = [0.0] * n
    coef[scorer.FEATURES.index("link_share")] = -4.0
    model = scorer.Model(
        {
            "features": list(scorer.FEATURES),
            "kind": "logreg",
            "threshold": 0.5,
            "mean": [0.0] * n,
            "scale": [1.0] * n,
            "coef": coef,
            "intercept": 1.0,
        }
    )
    assert model.score(_features(link_share=0.0)) > 0.7
    assert model.score(_features(link_share=1.0)) < 0.1


def test_tree_model_in_plain_python() -> None:
    # one stump: link share <= 0.5 -> +2, else -2
    tree = {
        "feature": [scorer.FEATURES.index("link_share"), -1, -1],
        "threshold": [0.5, -2.0, -2.0],
        "left": [1, -1, -1],
        "right": [2, -1, -1],
        "value": [0.0, 2.0, -2.0],
    }
    model = scorer.Model(
        {
            "features": list(scorer.FEATURES),
            "kind": "trees",
            "threshold": 0.5,
            "base": 0.0,
            "rate": 1.0,
            "trees": [tree],
            "skip_description": True,
        }
    )
    assert model.score(_features(link_share=0.1)) > 0.8
    assert model.score(_features(link_share=0.9)) < 0.2
    assert not model.weighs("before", _features(in_description=1.0))
    assert model.weighs("after", _features())


def test_model_for_other_features_is_refused() -> None:
    with pytest.raises(ValueError):
        scorer.Model({"features": ["words"], "kind": "logreg", "threshold": 0.5})


def _stump(feature: str, limit: float, low: float, high: float) -> dict[str, object]:
    """One tree: ``feature`` <= ``limit`` scores ``low``, else ``high``."""
    return {
        "feature": [scorer.FEATURES.index(feature), -1, -1],
        "threshold": [limit, -2.0, -2.0],
        "left": [1, -1, -1],
        "right": [2, -1, -1],
        "value": [0.0, low, high],
    }


@pytest.fixture
def tail_model() -> Iterator[scorer.Model]:
    # outside: takes nothing; the container's own last blocks: article when they end a sentence
    never = _stump("log_words", -1.0, 5.0, -5.0)
    m = scorer.Model(
        {
            "features": list(scorer.FEATURES),
            "kind": "trees",
            "threshold": 0.5,
            "base": 0.0,
            "rate": 1.0,
            "trees": [never],
            "drop_below": 0.2,
            "tail": {
                "features": list(scorer.FEATURES),
                "kind": "trees",
                "threshold": 0.5,
                "base": 0.0,
                "rate": 1.0,
                "trees": [_stump("sentence_end", 0.5, -3.0, 3.0)],
            },
        }
    )
    saved = scorer.model()
    scorer.use_model(m)
    yield m
    scorer.use_model(saved)


def test_the_tail_model_drops_the_containers_last_lines_from_the_last_one_back(
    tail_model: scorer.Model,
) -> None:
    label = "<p>Pictures from the reader archive</p>"  # no sentence end, but the story goes on after it
    closing = "<p>The river at dawn from the old bridge</p><p>Town paper archive</p>"
    page = PAGE.replace("<p>Paragraph 6", f"{label}<p>Paragraph 6").replace(
        _PARA.format(i=6), _PARA.format(i=6) + closing
    )
    body = extract(page, "https://example.org/river").body
    assert body.endswith("unlike 6 years ago.")
    assert "reader archive" in body and "at dawn" not in body and "Town paper archive" not in body
    lines = explain(page, "https://example.org/river").lines(width=400)
    gone = [line for line in lines if "at dawn" in line]
    assert gone and gone[0].startswith("dropped") and "tail (block scorer 0.05)" in gone[0]
    scorer.use_model(None)
    assert "at dawn" in extract(page, "https://example.org/river").body  # without a model they stay


def test_the_shipped_model_weighs_the_containers_last_blocks() -> None:
    model = scorer.load_model()
    assert model is not None and model.tail is not None and 0.0 < model.drop_below < 0.5
    assert model.weighs("tail", _features(tail=1.0))
