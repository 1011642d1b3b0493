"""Tree pruning before scoring: set figures and captions aside, drop what cannot be article text.

Works on the parsed page in place, in one pass over the elements, skipping the subtrees it drops.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml.etree import XPath
from lxml.html import HtmlElement

from . import rules as R
from .config import SiteRules
from .record import Image
from .text import caption_key, normalize_text

log = logging.getLogger(__name__)

__all__ = ["Figure", "collect_figures", "prune_tree", "select_images"]

_SUBSTANTIAL = XPath("count(.//p[string-length(normalize-space(.)) >= 80])")
# An inline element inside a paragraph that holds a picture and several links: a hover card.
# (written "//span[...][ancestor::p]": libxml2 takes seconds on "//p//span[...]" with many paragraphs)
_HOVER_CARDS = XPath("//span[.//img and count(.//a) >= 2][not(.//span[.//img and count(.//a) >= 2])][ancestor::p]")
_EMBED_QUOTES = XPath("//blockquote[@class]")
# A paragraph of prose: long enough, and no link takes half of it.
_PROSE = (
    f"string-length(normalize-space(.)) >= {R.PROSE_PARAGRAPH_CHARS}"
    f" and not(.//a[string-length(normalize-space(.)) > {R.PROSE_PARAGRAPH_CHARS // 2}])"
)
_PROSE_PARAGRAPH = XPath(_PROSE)
_PROSE_INSIDE = XPath(f"boolean(.//p[{_PROSE}])")
_HAS_PARAGRAPH = XPath("string-length(normalize-space(.)) >= 200")
_HOLDS_ARTICLE = XPath(
    "boolean(.//h1 | .//article | .//main | .//*[@itemprop='articleBody'] | .//blockquote[@class='embedded-quote'])"
)
_IMG_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-url", "src")
_CREDIT_TOKENS = frozenset({"credit", "credits", "copyright", "source", "attribution", "photographer", "byline"})
_NAMED_BOXES = XPath("//*[self::div or self::span or self::p or self::table][@class or @id or @data-component]")
_CAPTION_ACTION_TOKENS = frozenset({
    "purchase", "licensing", "license", "licence", "buy", "reprint", "reprints", "enlarge", "expand", "zoom",
    "fullscreen", "share", "download",
})
_CAPTION_TOKENS = frozenset({"caption", "figcaption", "description", "desc"})
_FURNITURE_TOKENS = frozenset({
    "related", "promo", "teaser", "teasers", "card", "cards", "recommended", "trending", "popular",
    "sidebar", "widget", "footer", "header", "nav", "navigation", "menu", "ad", "ads", "advert", "sponsor",
})


@dataclass(slots=True)
class Figure:
    """An image of the page with the texts that describe it (set aside from the body)."""

    url: str | None
    caption: str | None
    credit: str | None
    texts: frozenset[str]  # caption keys of every text this figure shows or announces
    furniture: bool  # inside page furniture (related rail, header, footer): not the article's


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


def _image_url(fig: HtmlElement, base: str | None) -> str | None:
    for img in [*fig.iter("img"), *fig.iter("source")]:
        for attr in _IMG_ATTRS:
            value = img.get(attr)
            if value and not value.startswith("data:"):
                return _join(base, value)
        srcset = img.get("srcset") or img.get("data-srcset")
        if srcset:
            first = srcset.strip().split(",")[0].split()
            if first and not first[0].startswith("data:"):
                return _join(base, first[0])
    return None


def _join(base: str | None, url: str) -> str:
    url = url.strip()
    if base:
        try:
            return urljoin(base, url)
        except ValueError:
            return url
    return url


def _text(el: HtmlElement) -> str:
    return normalize_text(el.text_content())


def _split_credit(caption: str) -> tuple[str, str | None]:
    """'A caption. (AAP)' -> ('A caption.', 'AAP'); 'A caption. Photo: Reuters' -> (..., 'Reuters')."""
    m = R.CAPTION_CREDIT_SUFFIX.search(caption)
    if m and m.start() > 0:
        return caption[: m.start()].rstrip(" |-"), (m.group(1) or m.group(2)).strip()
    m = R.PAREN_CREDIT.search(caption)
    if m and m.start() > 0:
        return caption[: m.start()].rstrip(), m.group(1).strip()
    return caption, None


def _in_furniture(el: HtmlElement) -> bool:
    for anc in el.iterancestors():
        toks = tokens(anc)
        if toks & R.CONTENT_TOKENS:
            return False
        if anc.tag in ("nav", "footer", "aside", "header") or anc.get("role") in R.DROP_ROLES:
            return True
        if toks & _FURNITURE_TOKENS:
            return True
    return False


def _figure_from(el: HtmlElement, base: str | None) -> Figure | None:
    has_media = any(True for _ in el.iter("img", "picture", "video", "source"))
    caption_el = next(iter(el.iter("figcaption")), None)
    if caption_el is None:
        caption_el = next((d for d in el.iterdescendants() if isinstance(d.tag, str) and tokens(d) & _CAPTION_TOKENS), None)
    if not has_media and (caption_el is None or el.find(".//blockquote") is not None):
        return None
    texts: set[str] = set()
    credit_parts: list[str] = []
    hidden_parts: list[str] = []
    for d in el.iterdescendants():
        if not isinstance(d.tag, str):
            continue
        toks = tokens(d)
        if toks & _CREDIT_TOKENS:
            credit_parts.append(_text(d))
        elif R.SCREEN_READER_CLASSES.search(d.get("class") or "") or toks & _CAPTION_ACTION_TOKENS:
            hidden_parts.append(_text(d))  # not caption text: screen-reader copies, "buy this photo" links
    caption = None
    if caption_el is not None:
        full = _text(caption_el)
        texts.add(caption_key(full))
        visible = full
        for part in credit_parts + hidden_parts:
            if part:
                visible = visible.replace(part, " ")
        caption = normalize_text(_COUNTER.sub("", visible, count=1)) or None
    credit = next((c for c in credit_parts if c), None)
    if caption and not credit:
        caption, credit = _split_credit(caption)
    if credit:
        credit = credit.strip("() ").removeprefix("Credit:").strip() or None
    for t in (caption, credit, *credit_parts, *hidden_parts):
        if t:
            texts.add(caption_key(t))
    for img in el.iter("img"):
        for attr in ("alt", "title"):
            if img.get(attr):
                texts.add(caption_key(img.get(attr)))
    if caption and credit:
        texts.add(caption_key(f"{caption} ({credit})"))
        texts.add(caption_key(f"{caption} {credit}"))
    if not caption:
        caption = next((normalize_text(p) for p in hidden_parts if p), None)
    texts.discard("")
    return Figure(_image_url(el, base), caption or None, credit, frozenset(texts), _in_furniture(el))


def collect_figures(tree: HtmlElement, base: str | None) -> list[Figure]:
    """Take every image figure (and caption container) out of the tree, returning what it showed."""
    found: list[Figure] = []
    candidates = list(tree.iter("figure"))
    for el in _NAMED_BOXES(tree):
        toks = tokens(el)
        if not toks:
            continue
        if "caption" in toks and toks & {"wp", "image", "photo", "img"}:
            candidates.append(el)
        elif toks & _PHOTO_BOX_TOKENS and _PHOTO_BOX(el):
            candidates.append(el)  # a box holding one picture and its caption, as old table layouts have
    for el in candidates:
        if el.getparent() is None:
            continue  # already removed with an enclosing figure
        fig = _figure_from(el, base)
        if fig is None:
            continue
        found.append(fig)
        if fig.url and not fig.furniture:
            _leave_placeholder(el, fig.url)
        else:
            el.drop_tree()
    found.extend(_loose_image_captions(tree, base))
    # Stray captions (a caption element outside any figure) are captions too.
    for el in list(tree.iter("figcaption")):
        text = _text(el)
        if text:
            caption, credit = _split_credit(text)
            found.append(Figure(None, caption, credit, frozenset({caption_key(text), caption_key(caption)}), True))
        el.drop_tree()
    return found


FIGURE_MARK = "data-scraper-figure"  # on the empty <span> left where an image of the article stood


def _leave_placeholder(el: HtmlElement, url: str) -> None:
    """Replace a figure by an empty inline mark naming its image, so the body can place it in position.

    Inline and empty, the mark changes nothing that scoring reads: no text, and a <div> around it still
    counts as a paragraph."""
    mark = el.makeelement("span", {FIGURE_MARK: url})
    mark.tail = el.tail
    el.getparent().replace(el, mark)


_PHOTO_BOX_TOKENS = frozenset({"photo", "image", "img", "picture", "pic", "figure", "media"})
_PHOTO_BOX = XPath(
    "count(.//img) = 1 and string-length(normalize-space(.)) < 400 and .//*[contains(@class, 'caption')]"
)
# A gallery's position counter glued before the caption: "1/4", "2 of 12".
_COUNTER = re.compile(r"^\s*\d{1,3}\s*(?:/|of)\s*\d{1,3}(?!\d)\s*", re.I)
_EMPHASIS = frozenset({"em", "i", "small", "cite"})
_CAPTION_HOLDERS = frozenset({"p", "div", "center", "span", "em", "i", "small"})


def _emphasised_only(el: HtmlElement) -> bool:
    """Text set entirely in emphasis, as image captions often are: <p><em>...</em></p>."""
    if (el.text or "").strip() or len(el) != 1:
        return el.tag in _EMPHASIS
    child = el[0]
    return child.tag in _EMPHASIS | {"center"} and not (child.tail or "").strip() and (
        child.tag in _EMPHASIS or _emphasised_only(child)
    )


def _loose_image_captions(tree: HtmlElement, base: str | None) -> list[Figure]:
    """Images outside figures: their alt text, and a short emphasised line right below them, are captions."""
    found: list[Figure] = []
    for img in list(tree.iter("img")):
        alt = normalize_text(img.get("alt") or "")
        texts = {caption_key(alt)} if len(alt.split()) >= 2 else set()
        caption_el = None
        holder = img.getparent()
        for candidate in (img.getnext(), holder.getnext() if holder is not None else None):
            if candidate is None or candidate.tag not in _CAPTION_HOLDERS:
                continue
            text = _text(candidate)
            if 0 < len(text.split()) <= 25 and _emphasised_only(candidate):
                caption_el = candidate
                break
        if caption_el is None and not texts:
            continue
        caption = _text(caption_el) if caption_el is not None else None
        credit = None
        if caption:
            texts.add(caption_key(caption))
            caption, credit = _split_credit(caption)
        url = _image_url(img, base)
        found.append(Figure(url, caption, credit, frozenset(t for t in texts if t),
                            caption is None or _in_furniture(img)))
        if caption_el is not None:
            caption_el.drop_tree()
    return found


def _protected(el: HtmlElement) -> bool:
    """Holds the article or article-like text. Never dropped by a class/id token."""
    return _SUBSTANTIAL(el) >= 3 or bool(_HOLDS_ARTICLE(el))


def _wraps_article(el: HtmlElement) -> bool:
    """Page furniture by tag or role that holds the article: an unclosed <button> or banner around the page."""
    return bool(_HOLDS_ARTICLE(el)) and _SUBSTANTIAL(el) >= 3


def _hidden_prose(el: HtmlElement) -> bool:
    """Hidden text that reads as an article: subscriber copy shipped in the page, shown by script.

    Either it holds an article's worth of paragraphs itself, or it holds a paragraph and sits among
    the article's paragraphs (one hidden box per paragraph, as metered sites ship them).
    """
    n = _SUBSTANTIAL(el)
    if n >= 3:
        return True
    parent = el.getparent()
    return n >= 1 and parent is not None and parent.tag not in ("body", "html") and _SUBSTANTIAL(parent) >= 3


def _drop_reason(el: HtmlElement, class_words: bool = True) -> str | None:
    tag = el.tag
    if tag in R.DROP_TAGS:
        # a form control or landmark that holds the article is a parsing accident (an unclosed <button>)
        return None if tag in R.WRAPPING_TAGS and _wraps_article(el) else f"tag <{tag}>"
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return None if _hidden_prose(el) else "hidden"
    role = el.get("role")
    if role and role.lower() in R.DROP_ROLES:
        return None if _wraps_article(el) else f"role {role.lower()}"
    style = el.get("style")
    if style and R.DISPLAY_NONE.search(style):
        return None if _hidden_prose(el) else "hidden (style)"
    cls = el.get("class")
    if cls and R.SCREEN_READER_CLASSES.search(cls):
        return "screen-reader copy"
    if tag in ("body", "html", "article", "main"):
        return None
    if tag == "p" and _PROSE_PARAGRAPH(el):
        return None  # a paragraph of prose is article text whatever its class says ("paywall", "widget")
    toks = tokens(el) if class_words else tokens(el) & R.RESCUE_TOKENS
    if not (tag == "header" or toks & R.BOILERPLATE_TOKENS):
        return None
    # a content word in the name ("post", "article") protects only what holds a real paragraph
    if toks & R.CONTENT_TOKENS and _HAS_PARAGRAPH(el):
        return None
    if _protected(el):
        return None
    if not toks & R.FURNITURE_ONLY_TOKENS and _PROSE_INSIDE(el) and _in_article(el):
        return None  # within the article's landmark, a box named for its layout that holds prose is article
    words = sorted(toks & R.BOILERPLATE_TOKENS)
    return "class word " + ", ".join(words) if words else f"tag <{tag}>"



def _in_article(el: HtmlElement) -> bool:
    """Inside <article>, <main> or itemprop=articleBody."""
    return any(a.tag in ("article", "main") or a.get("itemprop") == "articleBody" for a in el.iterancestors())


_DATA_TABLES = XPath("//table[not(.//table) and not(.//p or .//div or .//ul or .//ol or .//img)]")
ROW_CLASS = "scraper-table-row"  # rows of a data table, kept as paragraphs through scoring


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
) -> int:
    """Drop page furniture in place; returns how many subtrees were dropped.

    ``on_drop(element, reason)`` is called before each drop (``scraper extract --explain`` records them).
    ``class_words=False`` drops by tag, role and hidden state only: the rescue pass, for pages whose
    class names cover the article itself.
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
    for footer in tree.iterfind(".//blockquote/footer"):
        footer.tag = "p"  # a quotation's attribution, not page furniture
    for el in _HOVER_CARDS(tree):
        if el.getparent() is not None:
            el.drop_tree()
    for el in _EMBED_QUOTES(tree):
        if tokens(el) & R.EMBED_QUOTE_TOKENS:
            el.set("class", "embedded-quote")
    body = tree.find("body")
    stack = list(reversed(body if body is not None else tree))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        reason = _drop_reason(el, class_words)
        if reason is not None:
            if on_drop is not None:
                on_drop(el, reason)
            el.drop_tree()
            dropped += 1
            continue
        stack.extend(reversed(el))
    return dropped


def select_images(figures: list[Figure], *, lead_image: str | None = None) -> tuple[Image, ...]:
    """The article's images, each caption once; page furniture left out."""
    out: list[Image] = []
    seen_captions: set[str] = set()
    seen_urls: set[str] = set()
    for fig in figures:
        if fig.furniture or (fig.url is None and fig.caption is None):
            continue
        key = caption_key(fig.caption) if fig.caption else None
        if (key and key in seen_captions) or (not key and fig.url in seen_urls):
            continue
        if key:
            seen_captions.add(key)
        if fig.url:
            seen_urls.add(fig.url)
        out.append(Image(url=fig.url, caption=fig.caption, credit=fig.credit))
    if not out and lead_image:
        out.append(Image(url=lead_image, caption=None, credit=None))
    return tuple(out)
