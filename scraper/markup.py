"""How pages name their parts, and the marks pruning leaves in the tree for cleaning to read.

Class and id words are split once per distinct attribute string (pages repeat them element after element).
"""

from __future__ import annotations

import functools

from lxml.etree import XPath
from lxml.html import HtmlElement

from . import rules as R

__all__ = ["FIGURE_MARK", "ROW_CLASS", "TEXT_LENGTH", "tokens"]

FIGURE_MARK = "data-scraper-figure"  # on the empty <span> left where an image of the article stood
ROW_CLASS = "scraper-table-row"  # rows of a data table, kept as paragraphs through scoring
TEXT_LENGTH = XPath("string-length(normalize-space(.))")  # an element's characters, white space squashed


def tokens(el: HtmlElement) -> frozenset[str]:
    """Lowercased words of an element's class and id, split on punctuation and camelCase."""
    # data-component and data-module name a page's building blocks as plainly as class and id do
    get = el.get
    raw = f"{get('class') or ''} {get('id') or ''} {get('data-component') or ''} {get('data-module') or ''}"
    return _EMPTY if raw.isspace() else _split_tokens(raw)


_EMPTY: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=8192)
def _split_tokens(raw: str) -> frozenset[str]:
    # a page repeats its class names element after element: each distinct string is split once
    return frozenset(t.lower() for t in R.TOKEN_SPLIT.split(raw) if t)
