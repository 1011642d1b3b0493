"""Tree pruning before scoring: drop what cannot be article text (figures are set aside before, in figures.py).

Works on the parsed page in place, in one pass over the elements, skipping the subtrees it drops.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from lxml.etree import XPath
from lxml.html import HtmlElement

from . import rules as R
from .config import SiteRules
from .markup import ROW_CLASS, TEXT_LENGTH, tokens
from .text import normalize_text

log = logging.getLogger(__name__)

__all__ = ["furniture_kind", "prune_tree"]

_SUBSTANTIAL = XPath(f"count(.//p[string-length(normalize-space(.)) >= {R.PROSE_PARAGRAPH_CHARS}])")
_HOVER_CARDS = XPath(R.HOVER_CARDS)
_EMBED_QUOTES = XPath(R.EMBED_QUOTES)
# A paragraph of prose: long enough, and no link takes half of it.
_PROSE = (
    f"string-length(normalize-space(.)) >= {R.PROSE_PARAGRAPH_CHARS}"
    f" and not(.//a[string-length(normalize-space(.)) > {R.PROSE_PARAGRAPH_CHARS // 2}])"
)
_PROSE_PARAGRAPH = XPath(_PROSE)
# Prose inside: a paragraph of prose, or a run of text that long outside links and list items (page
# builders put the text straight into a <div> named for its layout: "section-text").
_PROSE_INSIDE = XPath(
    f"boolean(.//p[{_PROSE}] or .//text()[not(ancestor::a or ancestor::li)]"
    f"[string-length(normalize-space(.)) >= {R.PROSE_PARAGRAPH_CHARS}])"
)
_HAS_PARAGRAPH = XPath(f"string-length(normalize-space(.)) >= {R.CONTENT_NAME_MIN_CHARS}")
_HOLDS_ARTICLE = XPath(R.HOLDS_ARTICLE)


def holds_article(el: HtmlElement) -> bool:
    """Holds the article or article-like text. Never dropped by a class/id token."""
    return _SUBSTANTIAL(el) >= R.ARTICLE_PARAGRAPHS or bool(_HOLDS_ARTICLE(el))


def _wraps_article(el: HtmlElement) -> bool:
    """Page furniture by tag or role that holds the article: an unclosed <button> or banner around the page."""
    return bool(_HOLDS_ARTICLE(el)) and _SUBSTANTIAL(el) >= R.ARTICLE_PARAGRAPHS


def _hidden_prose(el: HtmlElement) -> bool:
    """Hidden text that reads as an article: subscriber copy shipped in the page, shown by script.

    Either it holds an article's worth of paragraphs itself, or it holds a paragraph and sits among
    the article's paragraphs (one hidden box per paragraph, as metered sites ship them).
    """
    n = _SUBSTANTIAL(el)
    if n >= R.ARTICLE_PARAGRAPHS:
        return True
    parent = el.getparent()
    return (
        n >= 1
        and parent is not None
        and parent.tag not in ("body", "html")
        and _SUBSTANTIAL(parent) >= R.ARTICLE_PARAGRAPHS
    )


def furniture_kind(el: HtmlElement) -> str | None:
    """What makes ``el`` page furniture by its markup alone, before any exemption for article text:
    ``"tag"`` (R.DROP_TAGS), ``"hidden"`` (hidden, aria-hidden), ``"role"`` (R.DROP_ROLES) or ``"style"``
    (display:none); None when its markup says nothing of the kind."""
    if el.tag in R.DROP_TAGS:
        return "tag"
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return "hidden"
    role = el.get("role")
    if role and role.lower() in R.DROP_ROLES:
        return "role"
    style = el.get("style")
    if style and R.DISPLAY_NONE.search(style):
        return "style"
    return None


@functools.lru_cache(maxsize=4096)
def _screen_reader(cls: str) -> bool:
    # a page repeats its class strings: each distinct one is matched once
    return bool(R.SCREEN_READER_CLASSES.search(cls))


def _drop_reason(
    el: HtmlElement, class_words: bool = True, landmarks: bool = True, layout: bool = True
) -> str | None:
    tag = el.tag
    kind = furniture_kind(el)
    if not layout and tag in R.LAYOUT_TAGS:
        return None
    if kind == "tag":
        # a form control or landmark that holds the article is a parsing accident (an unclosed <button>)
        if tag == "noscript" and _SUBSTANTIAL(el) >= R.ARTICLE_PARAGRAPHS:
            return None  # like hidden prose: the article's copy for browsers without scripts (Blogger)
        return None if tag in R.WRAPPING_TAGS and _wraps_article(el) else f"tag <{tag}>"
    if kind == "hidden":
        return None if _hidden_prose(el) else "hidden"
    if kind == "role":
        return None if _wraps_article(el) else f"role {el.get('role', '').lower()}"
    if kind == "style":
        return None if _hidden_prose(el) else "hidden (style)"
    cls = el.get("class")
    if cls and _screen_reader(cls):
        return "screen-reader copy"
    if tag in ("body", "html", "article", "main"):
        return None
    toks = tokens(el) if class_words else tokens(el) & R.RESCUE_TOKENS
    if not (tag == "header" or toks & R.BOILERPLATE_TOKENS):
        return None
    if tag == "p" and _PROSE_PARAGRAPH(el):
        return None  # a paragraph of prose is article text whatever its class says ("paywall", "widget")
    # a content word in the name ("post", "article") protects what holds a real paragraph; named for the
    # article and a layout part only ("articleBodyText section"), any paragraph, however short (a quote)
    if toks & R.CONTENT_TOKENS and (
        _HAS_PARAGRAPH(el) or (not toks & R.FURNITURE_ONLY_TOKENS and next(el.iter("p"), None) is not None)
    ):
        return None
    if not toks & R.THREAD_TOKENS and holds_article(el):
        return None
    if tag in _SUBHEADINGS and _subheading(el):
        return None
    if not toks & R.FURNITURE_ONLY_TOKENS and _PROSE_INSIDE(el) and (not landmarks or _in_article(el)):
        # within the article's landmark (or anywhere, on a page without one), a box named for its layout
        # that holds prose is article: page builders name every box "section", "widget"...
        return None
    words = sorted(toks & R.BOILERPLATE_TOKENS)
    return "class word " + ", ".join(words) if words else f"tag <{tag}>"


_SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# An empty anchor (a heading's permalink icon) is no link.
_HAS_LINK = XPath("boolean(.//a[normalize-space()])")


def _subheading(el: HtmlElement) -> bool:
    """A heading without links set among the article's paragraphs, followed by text that reads on: a
    subheading, whatever its class (a heading over a box of teasers is followed by the box's links)."""
    parent, following = el.getparent(), el.getnext()
    return (
        parent is not None
        and parent.tag not in ("body", "html")
        and following is not None
        and _reads_on(following)
        and not _HAS_LINK(el)
        and _SUBSTANTIAL(parent) >= R.ARTICLE_PARAGRAPHS
    )


def _reads_on(el: HtmlElement) -> bool:
    """Text that is not mostly links (a paragraph, a list of facts, a table) nor a heading, or a figure."""
    if el.tag == "figure":
        return True
    if el.tag in _SUBHEADINGS or el.tag == "h1":
        return False
    length = TEXT_LENGTH(el)
    links = sum(TEXT_LENGTH(a) for a in el.iter("a"))
    return length > 0 and links <= R.SUBHEADING_NEXT_LINK_SHARE * length


def _in_article(el: HtmlElement) -> bool:
    """Inside <article>, <main> or itemprop=articleBody."""
    return any(a.tag in ("article", "main") or a.get("itemprop") == "articleBody" for a in el.iterancestors())


_DATA_TABLES = XPath(R.DATA_TABLES)
# The property is found from the attributes (libxml2 then tests one attribute, not every element), and
# only on a page without an <article> or <main>.
_LANDMARKS = XPath("boolean(//article | //main) or boolean(//@itemprop[. = 'articleBody'])")
_QUOTE_FOOTERS = XPath(".//blockquote/footer")


def _rows_as_paragraphs(tree: HtmlElement) -> None:
    """Data tables become one paragraph per row: readability drops short tables, the article needs them."""
    for table in _DATA_TABLES(tree):
        rows = [r for r in table.iter("tr")]
        if len(rows) < 2 or table.getparent() is None:
            continue
        holder = table.makeelement("div", {"class": "scraper-table"})
        caption = table.find("caption")
        if caption is not None:
            para = holder.makeelement("p", {})
            para.text = caption.text_content()
            holder.append(para)
        for row in rows:
            cells = [normalize_text(c.text_content()) for c in row if c.tag in ("td", "th")]
            cells = [c for c in cells if c]
            if not cells:
                continue
            para = holder.makeelement("p", {"class": ROW_CLASS})
            para.text = " | ".join(cells)
            holder.append(para)
        holder.tail = table.tail
        table.getparent().replace(table, holder)


def prune_tree(
    tree: HtmlElement,
    rules: SiteRules | None = None,
    *,
    on_drop: Callable[[HtmlElement, str], None] | None = None,
    class_words: bool = True,
    layout: bool = True,
) -> int:
    """Drop page furniture in place; returns how many subtrees were dropped.

    ``on_drop(element, reason)`` is called before each drop (``scraper extract --explain`` records them).
    ``class_words=False`` drops by tag, role and hidden state only: the rescue pass, for pages whose
    class names cover the article itself. ``layout=False`` keeps the layout landmarks (``R.LAYOUT_TAGS``:
    a page that sets its article in an <aside> or <header>), for the last resort before no article.
    """
    dropped = 0
    if rules is not None:
        for selector in rules.drop_selectors:
            try:
                matches = tree.cssselect(selector)
            except Exception as exc:  # cssselect raises its own SelectorError family
                log.warning("bad site selector %r: %s", selector, exc)
                continue
            for el in matches:
                if el.getparent() is not None:
                    if on_drop is not None:
                        on_drop(el, f"site rule {selector!r}")
                    el.drop_tree()
                    dropped += 1
    _rows_as_paragraphs(tree)
    for footer in _QUOTE_FOOTERS(tree):
        footer.tag = "p"  # a quotation's attribution, not page furniture
    for el in _HOVER_CARDS(tree):
        if el.getparent() is not None:
            el.drop_tree()
    for el in _EMBED_QUOTES(tree):
        if tokens(el) & R.EMBED_QUOTE_TOKENS:
            el.set("class", "embedded-quote")
    landmarks = bool(_LANDMARKS(tree))
    body = tree.find("body")
    # children reversed by a slice, which lxml builds in C: a reversed() iterator per element costs more
    stack = (body if body is not None else tree)[::-1]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        reason = _drop_reason(el, class_words, landmarks, layout)
        if reason is not None:
            if on_drop is not None:
                on_drop(el, reason)
            el.drop_tree()
            dropped += 1
            continue
        if el.tag not in R.VERBATIM_TAGS:  # a highlighter's spans name code, not furniture ("hljs-comment")
            stack.extend(el[::-1])
    return dropped
