"""The faster steps give the results of the code they replace: readability-lxml's primitives
(``readable.py``), the scrub test on bytes, the styling-attribute test.

Each is held beside its original, on the bundled pages and on generated text. No timing here.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement
from readability import Document
from readability.cleaners import htmlstrip

from scraper import readable, scrub
from scraper.figures import collect_figures
from scraper.parse import parse_html
from scraper.prune import prune_tree
from tests.conftest import REPO_ROOT

PAGES = sorted((REPO_ROOT / "fixtures" / "pages").glob("*.html"))


class _Original(Document):  # type: ignore[misc]
    """readability-lxml's own steps, fed a copy of our tree as TreeDocument is (its link density too)."""

    def _parse(self, input: HtmlElement) -> HtmlElement:  # noqa: A002 - readability's name
        return copy.deepcopy(input)

    def get_link_density(self, elem: HtmlElement) -> float:
        links = sum(readable.squashed_length(a) for a in elem.iterdescendants("a"))
        return links / max(readable.squashed_length(elem), 1)


def _summary(cls: Any, tree: HtmlElement) -> str:
    try:
        return str(cls(tree, url="https://news.example.org/a").summary(html_partial=True))
    except Exception as exc:  # both must fail alike
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_tree_document_summarises_as_readability_does(path: Path) -> None:
    tree = parse_html(path.read_bytes())
    assert _summary(readable.TreeDocument, tree) == _summary(_Original, tree)  # the page as parsed
    collect_figures(tree, None)
    prune_tree(tree)
    assert _summary(readable.TreeDocument, tree) == _summary(_Original, tree)  # as extraction scores it


def test_tree_document_on_misused_divs_comments_and_scripts() -> None:
    page = (
        "<html><body><div id='main'>"
        + "".join(
            f"<div class='row{i}'>Loose text, of a paragraph that has no tag around it, number {i}."
            f"<span>inline<!-- <p> in a comment --></span><b>bold</b><br>tail text after a break"
            f"<div><img src='x{i}.jpg'><p>A nested paragraph, with commas, commas, and more {i}.</p></div>"
            f"<span><script>var a = '<p>';</script>after</span></div>"
            for i in range(6)
        )
        + "<div class='sidebar'>Menu</div><div style='width: 3px'>Styled, with commas, a, b, c.</div>"
        + "</div></body></html>"
    )
    tree = parse_html(page)
    assert _summary(readable.TreeDocument, tree) == _summary(_Original, tree)


_MARKUP = st.lists(
    st.sampled_from(
        [
            "<p",
            ">",
            " ",
            "=",
            " width",
            "HEIGHT",
            " Style",
            "bgcolor",
            "-Color",
            "background-x",
            " o",
            "n",
            "x",
            '"v"',
        ]
    ),
    max_size=12,
).map("".join)


@given(_MARKUP)
@settings(max_examples=400)
def test_the_styling_test_misses_nothing_clean_attributes_would_change(html: str) -> None:
    if htmlstrip.search(html):
        assert readable._STYLING_ATTRIBUTE.search(html)


@given(st.text(max_size=40), st.integers(min_value=0, max_value=5000))
@settings(max_examples=300)
def test_unsafe_on_bytes_agrees_with_the_pattern(insert: str, at: int) -> None:
    text = "x" * 3000 + "é €\n" * 400
    text = text[:at] + insert + text[at:]
    assert scrub._unsafe(text) == bool(scrub._UNSAFE.search(text))
