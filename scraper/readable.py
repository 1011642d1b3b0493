"""readability-lxml's ``Document`` on our parsed and pruned tree, with its primitives made cheaper.

readability's own steps (scoring, candidate choice, sanitising) run as they are; what is overridden
here is only what they call many times on the same inputs: the copy of the tree it scores, link density,
the lists of descendants by tag, the class/id weight (asked again of class strings a page repeats) and
the final attribute cleaning (skipped where the summary has no attribute it would remove). Each gives
the result of the method it replaces.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

from lxml.etree import tounicode
from lxml.html import HtmlElement
from readability import Document
from readability.cleaners import bad_attrs, clean_attributes

__all__ = ["TreeDocument", "squashed_length"]


def squashed_length(el: HtmlElement) -> int:
    """Characters of the element's text with each run of white space counted as one space, ends trimmed."""
    # Without children (most links) the element's text is all of it, read without the XPath evaluation
    # text_content() makes. len() counts every child node but text, so a childless element holds text only.
    text = (el.text or "") if len(el) == 0 else el.text_content()
    return len(" ".join(text.split()))


# Where readability's attribute cleaning could change a summary: an attribute it removes written
# " name=" (case-insensitive, as its own pattern). Without one, the cleaning leaves the markup as it is.
_STYLING_ATTRIBUTE = re.compile(" (?:{}) *=".format("|".join(bad_attrs)), re.I)


class TreeDocument(Document):  # type: ignore[misc]  # readability-lxml is untyped
    """readability's Document fed with our already parsed and pruned tree.

    readability re-parses and runs lxml's Cleaner on every attempt; our tree is already clean, so each
    attempt gets a copy of it instead (readability mutates the tree it scores).
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._weights: dict[tuple[str, str | None, str | None], int] = {}
        # each link's squashed length while readability scores paragraphs (None otherwise): scoring
        # measures the links of a paragraph's parent and again of its grandparent, and changes no text
        self._link_lengths: dict[HtmlElement, int] | None = None

    def _parse(self, input: HtmlElement) -> HtmlElement:  # noqa: A002 - readability's name
        return copy.deepcopy(input)

    def get_link_density(self, elem: HtmlElement) -> float:
        """readability's link density (linked characters over all), with whitespace squashed by
        ``str.split`` rather than three regular expressions per link: the same figure, a third of the time."""
        known = self._link_lengths
        if known is None:
            links = sum(squashed_length(a) for a in elem.iterdescendants("a"))
        else:
            links = 0
            for a in elem.iterdescendants("a"):
                length = known.get(a)
                if length is None:
                    length = known[a] = squashed_length(a)
                links += length
        return links / max(squashed_length(elem), 1)

    def score_paragraphs(self) -> dict[HtmlElement, dict[str, object]]:
        """readability's scoring as it is, with each link measured once for all the candidates holding it."""
        self._link_lengths = {}
        try:
            return super().score_paragraphs()  # type: ignore[no-any-return]
        finally:
            self._link_lengths = None

    def tags(self, node: HtmlElement, *tag_names: str) -> Iterator[HtmlElement]:
        """The descendants of each tag in turn, listed when reached (callers drop elements as they go),
        from lxml's own iterator rather than the Python ElementPath engine."""
        for tag_name in tag_names:
            yield from list(node.iterdescendants(tag_name))

    def reverse_tags(self, node: HtmlElement, *tag_names: str) -> Iterator[HtmlElement]:
        for tag_name in tag_names:
            yield from reversed(list(node.iterdescendants(tag_name)))

    def class_weight(self, e: HtmlElement) -> int:
        """readability's weight of an element's class and id, once per distinct pair on the page."""
        key = (e.tag, e.get("class"), e.get("id"))
        weight = self._weights.get(key)
        if weight is None:
            weight = self._weights[key] = int(super().class_weight(e))
        return weight

    def get_clean_html(self) -> str:
        html = tounicode(self._html(), method="html")
        return str(clean_attributes(html)) if _STYLING_ATTRIBUTE.search(html) else html
