"""Main-content choice: which element of the pruned page holds the article.

Two pickers look at the same pruned tree and the cleaner judges their output:

* readability-lxml's scoring (precise: it weighs class names and sanitises its pick), and
* a prose-density pick: the element that holds the most paragraph prose net of everything else it holds
  (recall: it spans an article split over sibling containers, and does not care what the classes say).

Readability's pick is kept unless the prose pick gives a body several times longer after cleaning: then
readability has taken a scrap of the article (a teaser, one chunk of several, a standfirst) or nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from lxml.etree import XPath
from lxml.html import HtmlElement, fragment_fromstring
from readability.readability import Unparseable

from . import rules as R
from .clean import Cleaned
from .config import SiteRules
from .markup import TEXT_LENGTH, tokens
from .parse import html_parser
from .prune import furniture_kind, holds_article
from .readable import TreeDocument as _TreeDocument
from .readable import squashed_length as _squashed_length
from .record import FIGURE_BLOCK
from .text import caption_key, normalize_text

log = logging.getLogger(__name__)

__all__ = [
    "Candidate",
    "body_chars",
    "choose",
    "huge_page_pick",
    "lead_candidates",
    "lead_paragraphs",
    "may_win",
    "prose_pick",
    "readability_pick",
    "rescue_picks",
    "selector_pick",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An element that may hold the article, and which picker proposed it (with why, for --explain)."""

    element: HtmlElement
    source: str
    why: str


_PARAGRAPHS = XPath("count(//p)")
_CONTAINERS = XPath(R.ARTICLE_CONTAINERS)


def selector_pick(tree: HtmlElement, rules: SiteRules | None) -> Candidate | None:
    """The site's ``body_selector`` where it matches an element with text."""
    if rules is None or not rules.body_selector:
        return None
    try:
        chosen = tree.cssselect(rules.body_selector)
    except Exception as exc:  # cssselect raises its own SelectorError family
        log.warning("bad site body_selector %r: %s", rules.body_selector, exc)
        return None
    if chosen and chosen[0].text_content().strip():
        return Candidate(chosen[0], "site-rule", f"body_selector {rules.body_selector!r}")
    return None


def huge_page_pick(tree: HtmlElement) -> Candidate | None:
    """Past ``R.HUGE_PAGE_PARAGRAPHS`` paragraphs, the article (or main, or body) element as it is."""
    if _PARAGRAPHS(tree) <= R.HUGE_PAGE_PARAGRAPHS:
        return None
    counts = [(int(el.xpath("count(.//p)")), el) for el in _CONTAINERS(tree)]
    if not counts:
        return None
    most = max(n for n, _ in counts)
    element = [el for n, el in counts if n == most][-1]  # the innermost of equals
    return Candidate(element, "huge-page", f"{most} paragraphs: the container holding most of them")


def readability_pick(tree: HtmlElement, url: str | None) -> Candidate | None:
    """readability-lxml's summary of the pruned tree, as a fragment (None when it finds nothing)."""
    try:
        summary = _TreeDocument(tree, url=url).summary(html_partial=True)
    except (Unparseable, ValueError, TypeError) as exc:
        log.debug("readability failed: %s", exc)
        return None
    if not summary or not summary.strip():
        return None
    try:
        element = fragment_fromstring(summary, create_parent="div", parser=html_parser())
    except Exception as exc:  # lxml raises several types for odd fragments
        log.debug("cannot parse readability output: %s", exc)
        return None
    return Candidate(element, "readability", "readability-lxml's highest-scoring container and its siblings")


# Prose: block elements whose text is a run of sentences, not a link or a label.
def _link_length(el: HtmlElement) -> int:
    return sum(_squashed_length(a) for a in el.iter("a"))


_TEXT_ELEMENTS = XPath(R.TEXT_BLOCKS)  # the prose blocks, and headings and terms of any length


def density_picks(tree: HtmlElement) -> tuple[Candidate | None, Candidate | None]:
    """The prose pick and the text pick, from one pass over the page's text blocks.

    Prose pick: the element with the most prose net of its other text (argmax prose - other). Prose is
    the text of paragraph-like blocks (``R.PROSE_BLOCKS``) at least ``R.PROSE_MIN_CHARS`` long with at most
    ``R.PROSE_MAX_LINK_SHARE`` of it in links (characters, so it holds for unspaced scripts too). Each
    prose block credits its length to every ancestor; an ancestor's other text (menus, teasers, link
    lists that pruning left) counts against it, so the pick grows over sibling chunks of one article
    and stops where the page around the article begins.

    Text pick: the same over text blocks of any length from ``R.RESCUE_BLOCK_MIN_CHARS`` (headings, list
    items, short paragraphs): a list article, a page of categories and names, has little prose.
    """
    prose: dict[HtmlElement, int] = {}
    text: dict[HtmlElement, int] = {}
    for el in _TEXT_ELEMENTS(tree):
        length = int(TEXT_LENGTH(el))
        if length < R.RESCUE_BLOCK_MIN_CHARS or _link_length(el) > R.PROSE_MAX_LINK_SHARE * length:
            continue
        is_prose = length >= R.PROSE_MIN_CHARS and el.tag not in R.TEXT_ONLY_TAGS
        if el.tag == "div" and not is_prose:
            continue  # a <div> of text counts as a paragraph, not as a label
        for node in (el, *el.iterancestors()):
            text[node] = text.get(node, 0) + length
            if is_prose:
                prose[node] = prose.get(node, 0) + length
    lengths: dict[HtmlElement, int] = {}
    best_prose = _densest(prose, lengths)
    best_text = _densest(text, lengths)
    prose_why = f"most paragraph prose net of other text ({prose.get(best_prose, 0)} prose characters)"
    text_why = f"most text net of other text ({text.get(best_text, 0)} characters in blocks)"
    return (
        None if best_prose is None else Candidate(best_prose, "prose", prose_why),
        None if best_text is None else Candidate(best_text, "text", text_why),
    )


def _densest(credited: dict[HtmlElement, int], lengths: dict[HtmlElement, int]) -> HtmlElement | None:
    """argmax over ``credited`` of credited - (all text - credited); ``lengths`` caches each element's text length."""
    best: HtmlElement | None = None
    best_net = 0
    for el, length in credited.items():
        # net is at most the credited length: an element credited no more than the best net so far
        # cannot beat it, and its text need not be measured
        if length <= best_net or el.tag == "html":
            continue
        total = lengths.get(el)
        if total is None:
            total = lengths[el] = int(TEXT_LENGTH(el))
        net = length - max(0, total - length)
        if net > best_net:
            best, best_net = el, net
    return best


def prose_pick(tree: HtmlElement) -> Candidate | None:
    """The prose pick alone (see ``density_picks``)."""
    return density_picks(tree)[0]


def rescue_picks(tree: HtmlElement, url: str | None) -> list[Candidate]:
    """readability's, the prose and the text pick of a tree pruned by tag, role and hidden state only."""
    picks = [readability_pick(tree, url), *density_picks(tree)]
    return [
        Candidate(p.element, "rescue " + p.source, p.why + ", on the page pruned without class words")
        for p in picks
        if p is not None
    ]


_HEADLINE = XPath("(//h1)[1]")
# boolean(): the answer alone, not a list of every block found
_HOLDS_BLOCKS = XPath("boolean(" + " | ".join(f".//{tag}" for tag in sorted(R.LEAD_BLOCK_CHILDREN)) + ")")


def _text_block(el: HtmlElement) -> bool:
    """A <p>, or a heading or <div> that holds no block of its own: one block of text."""
    if el.tag == "p":
        return True
    return not any(child.tag in R.LEAD_BLOCK_CHILDREN for child in el) and not _HOLDS_BLOCKS(el)


def _after(headline: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after ``headline`` (and outside it) in document order."""
    node: HtmlElement | None = headline
    while node is not None:
        for sibling in node.itersiblings():
            yield sibling
            yield from sibling.iterdescendants()
        node = node.getparent()


def _furniture(el: HtmlElement, known: dict[HtmlElement, bool]) -> bool:
    """In or under page furniture that the pruner drops whatever it holds: a furniture tag or role,
    hidden, a script, or a box named with a furniture-only class word (author bios, sharing, forms).
    ``known`` remembers the answer per element across calls."""
    if el in known:
        return known[el]
    parent = el.getparent()
    if el.tag in ("body", "html") or parent is None:
        answer = False
    else:
        answer = bool(
            furniture_kind(el)
            or el.tag in R.NOT_STANDFIRST_TAGS
            # a box that holds the article is not furniture whatever its name ("tag-x category-y" on posts)
            or (tokens(el) & R.FURNITURE_ONLY_TOKENS and not holds_article(el))
        ) or _furniture(parent, known)
    known[el] = answer
    return answer


def lead_candidates(tree: HtmlElement) -> list[tuple[str, bool]]:
    """The text blocks that follow the page's first <h1>, in order, each with whether it reads as prose.

    Taken before pruning: sites set the standfirst in the article's <header> beside the headline, as a
    <p>, an <h2> or a bare <div>, apart from the body container. The walk ends after ``R.LEAD_SEARCH``
    prose blocks (the body has begun by then).
    """
    headline = _HEADLINE(tree)
    if not headline:
        return []
    blocks: list[tuple[str, bool]] = []
    prose_seen = 0
    seen = 0
    known: dict[HtmlElement, bool] = {}
    for el in _after(headline[0]):
        if el.tag not in R.LEAD_TAGS:
            continue
        seen += 1
        if seen > R.LEAD_WALK:
            break
        if not _text_block(el):
            continue
        text = normalize_text(el.text_content())
        if not text or _furniture(el, known):
            continue
        length = len(text)
        prose = length >= R.PROSE_MIN_CHARS and _link_length(el) <= R.PROSE_MAX_LINK_SHARE * length
        blocks.append((text, prose))
        prose_seen += prose
        if prose_seen >= R.LEAD_SEARCH:
            break
    return blocks


def lead_paragraphs(candidates: list[tuple[str, bool]], first_body_text: str) -> list[str]:
    """The standfirst: prose blocks between the headline and the body's first paragraph (from
    ``lead_candidates``), at most ``R.LEAD_MAX`` of them, the last ones. None when the body's first
    paragraph is not among the blocks: the body does not follow the headline closely."""
    target = caption_key(first_body_text)
    leads: list[str] = []
    for text, prose in candidates:
        if caption_key(text) == target:
            return leads[-R.LEAD_MAX :]
        if prose:
            leads.append(text)
    return []


def body_chars(cleaned: Cleaned) -> int:
    """Characters of a cleaned body (figure blocks are not text)."""
    return sum(len(b.text) for b in cleaned.blocks if b.kind != FIGURE_BLOCK)


def _row_share(cleaned: Cleaned) -> float:
    rows = sum(len(b.text) for b in cleaned.blocks if b.kind == "row")
    return rows / max(1, body_chars(cleaned))


def choose(results: list[tuple[Candidate, Cleaned]]) -> int:
    """Which pick's cleaned body is the article (an index into ``results``): readability's pick, the
    first, unless another gives a body ``R.PROSE_PICK_RATIO`` times longer, or readability took a table."""
    best = 0
    for i in range(1, len(results)):
        mine, other = results[best][1], results[i][1]
        mine_table, other_table = (_row_share(c) >= R.TABLE_BODY_SHARE for c in (mine, other))
        if (body_chars(other) > R.PROSE_PICK_RATIO * body_chars(mine) and other_table <= mine_table) or (
            mine_table and not other_table and body_chars(other) >= R.TABLE_PROSE_MIN * body_chars(mine)
        ):
            best = i  # a scrap of the article, or a data table that outscored the prose beside it
    return best


def may_win(pick: Candidate, first: Cleaned) -> bool:
    """Whether ``choose`` could take ``pick`` over the first pick: its raw text bounds its cleaned body."""
    return (
        int(TEXT_LENGTH(pick.element)) > R.PROSE_PICK_RATIO * body_chars(first)
        or _row_share(first) >= R.TABLE_BODY_SHARE
    )
