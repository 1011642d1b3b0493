"""What every metadata source shares: the page being read, the parts of it that are not the article's,
and named strategies.

A field is read by an ordered tuple of named strategies, ``(("og_title", fn), ...)``: each takes the
:class:`Page` and returns a value or nothing; the first that answers wins (:func:`first`), unless the
field's module combines them otherwise (titles, authors and the language weigh several answers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import lxml.etree
from lxml.html import HtmlElement

from .jsonld import JsonLd

T = TypeVar("T")

# Inside a reader's comment. Article and body elements are left out: blog themes mark them
# "comments-open" (seen on news, tech and blog sites), and that says nothing about what they hold.
IN_COMMENT = (
    "ancestor::*[not(self::article or self::main or self::body)]"
    "[contains(@class, 'comment') or contains(@id, 'comment')]"
)
# The article's own elements: one in an aside, nav or footer, a comment or "related" box, or a list
# item that links elsewhere (a teaser list) belongs to another article or a reply, not this one.
NOT_TEASER = (
    "[not(ancestor::aside or ancestor::nav or ancestor::footer or ancestor::li[.//a[@href]]"
    f" or {IN_COMMENT} or ancestor::*[contains(@class, 'related')])]"
)
# The page's headlines: h1s outside navigation, footers and asides.
XP_H1 = lxml.etree.XPath("//body//h1[not(ancestor::nav or ancestor::footer or ancestor::aside)]")


@dataclass(frozen=True, slots=True)
class Page:
    """What every strategy may read: the tree, its meta tags and JSON-LD, the page URL, the site's name."""

    tree: HtmlElement
    meta: dict[str, list[str]]
    ld: JsonLd
    url: str | None
    site_name: str | None = None
    # XPath results over the tree, for the queries several strategies make (see ``found``)
    _found: dict[lxml.etree.XPath, list[HtmlElement]] = field(default_factory=dict, compare=False, repr=False)

    def found(self, xpath: lxml.etree.XPath) -> list[HtmlElement]:
        """``xpath`` over the tree, evaluated once per page: the tree is not changed while metadata is read."""
        result = self._found.get(xpath)
        if result is None:
            result = self._found[xpath] = xpath(self.tree)
        return result


Strategy = Callable[[Page], T | None]
Strategies = tuple[tuple[str, Strategy[T]], ...]


def first(strategies: Strategies[T], page: Page) -> T | None:
    """The answer of the first strategy that gives one (not None, not empty)."""
    for _name, strategy in strategies:
        value = strategy(page)
        if value:
            return value
    return None
