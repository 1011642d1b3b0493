"""Figures: images of the page with their captions and credits, set aside before pruning.

Captions are found by markup (figure, figcaption, caption class words) and by structure (a short
emphasised line below a loose image, its alt text); each figure leaves an empty mark where it stood,
so the body can place its image in position. ``select_images`` picks the record's images.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from lxml.etree import XPath
from lxml.html import HtmlElement

from . import rules as R
from .markup import FIGURE_MARK, tokens
from .record import Image
from .text import caption_key, normalize_text

__all__ = ["Figure", "collect_figures", "select_images"]

_NAMED_BOXES = XPath(R.NAMED_BOXES)


@dataclass(slots=True)
class Figure:
    """An image of the page with the texts that describe it (set aside from the body)."""

    url: str | None
    caption: str | None
    credit: str | None
    texts: frozenset[str]  # caption keys of every text this figure shows or announces
    furniture: bool  # inside page furniture (related rail, header, footer): not the article's


def _image_url(fig: HtmlElement, base: str | None) -> str | None:
    for img in [*fig.iter("img"), *fig.iter("source")]:
        for attr in R.IMAGE_URL_ATTRIBUTES:
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
        if toks & R.FIGURE_FURNITURE_TOKENS:
            return True
    return False


def _figure_from(el: HtmlElement, base: str | None) -> Figure | None:
    has_media = any(True for _ in el.iter("img", "picture", "video", "source"))
    caption_el = next(iter(el.iter("figcaption")), None)
    if caption_el is None:
        caption_el = next(
            (d for d in el.iterdescendants() if isinstance(d.tag, str) and tokens(d) & R.CAPTION_TOKENS), None
        )
    if not has_media and (caption_el is None or el.find(".//blockquote") is not None):
        return None
    texts: set[str] = set()
    credit_parts: list[str] = []
    hidden_parts: list[str] = []
    for d in el.iterdescendants():
        if not isinstance(d.tag, str):
            continue
        toks = tokens(d)
        if toks & R.CREDIT_TOKENS:
            credit_parts.append(_text(d))
        elif R.SCREEN_READER_CLASSES.search(d.get("class") or "") or toks & R.CAPTION_ACTION_TOKENS:
            hidden_parts.append(_text(d))  # not caption text: screen-reader copies, "buy this photo" links
    caption = None
    if caption_el is not None:
        full = _text(caption_el)
        texts.add(caption_key(full))
        visible = full
        for part in credit_parts + hidden_parts:
            if part:
                visible = visible.replace(part, " ")
        caption = normalize_text(R.GALLERY_COUNTER.sub("", visible, count=1)) or None
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
        elif toks & R.PHOTO_BOX_TOKENS and _PHOTO_BOX(el):
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
            found.append(
                Figure(None, caption, credit, frozenset({caption_key(text), caption_key(caption)}), True)
            )
        el.drop_tree()
    return found


def _leave_placeholder(el: HtmlElement, url: str) -> None:
    """Replace a figure by an empty inline mark naming its image, so the body can place it in position.

    Inline and empty, the mark changes nothing that scoring reads: no text, and a <div> around it still
    counts as a paragraph."""
    mark = el.makeelement("span", {FIGURE_MARK: url})
    mark.tail = el.tail
    el.getparent().replace(el, mark)


_PHOTO_BOX = XPath(R.PHOTO_BOX)


def _emphasised_only(el: HtmlElement) -> bool:
    """Text set entirely in emphasis, as image captions often are: <p><em>...</em></p>."""
    if (el.text or "").strip() or len(el) != 1:
        return el.tag in R.EMPHASIS_TAGS
    child = el[0]
    return (
        child.tag in R.EMPHASIS_TAGS | {"center"}
        and not (child.tail or "").strip()
        and (child.tag in R.EMPHASIS_TAGS or _emphasised_only(child))
    )


def _pairs_with_image(el: HtmlElement) -> bool:
    """A box of two: the image's holder (an image and no text) and this line, as unnamed figures are
    built ("<div><div><img></div><div><span>caption</span></div></div>")."""
    parent = el.getparent()
    if (
        parent is None
        or parent.tag in ("body", "html", "a")
        or next(parent.iterancestors("a"), None) is not None
    ):
        return False  # a box that links elsewhere is a teaser card: its line is another story's title
    children = [c for c in parent if isinstance(c.tag, str)]
    if len(children) != 2 or (parent.text or "").strip():
        return False
    other = children[0] if children[1] is el else children[1]
    return other is not el and not _text(other) and next(other.iter("img"), None) is not None


def _loose_image_captions(tree: HtmlElement, base: str | None) -> list[Figure]:
    """Images outside figures: their alt text, and a short emphasised line right below them, are captions."""
    found: list[Figure] = []
    for img in list(tree.iter("img")):
        alt = normalize_text(img.get("alt") or "")
        texts = {caption_key(alt)} if len(alt.split()) >= 2 else set()
        caption_el = None
        holder = img.getparent()
        for candidate in (img.getnext(), holder.getnext() if holder is not None else None):
            if candidate is None or candidate.tag not in R.CAPTION_HOLDER_TAGS:
                continue
            text = _text(candidate)
            if 0 < len(text.split()) <= R.LOOSE_CAPTION_MAX_WORDS and (
                _emphasised_only(candidate) or _pairs_with_image(candidate)
            ):
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
        found.append(
            Figure(
                url, caption, credit, frozenset(t for t in texts if t), caption is None or _in_furniture(img)
            )
        )
        if caption_el is not None:
            caption_el.drop_tree()
    return found


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
