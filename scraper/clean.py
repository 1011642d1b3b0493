"""Cleaning: the main-content fragment becomes paragraphs, and what is not the article goes.

Site-agnostic rules about how pages are built (position, repetition, link density, captions); per-site
phrases come from ``config.toml`` as data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from . import rules as R
from .config import SiteRules
from .metadata import Metadata
from .prune import FIGURE_MARK, ROW_CLASS, Figure
from .record import FIGURE_BLOCK
from .text import caption_key, normalize_text

log = logging.getLogger(__name__)

__all__ = ["Block", "Cleaned", "html_to_blocks", "clean_blocks"]

_KIND_OF = {"li": "li", "dt": "li", "dd": "li", "blockquote": "quote", "pre": "pre", "h1": "h1", "h2": "h",
            "h3": "h", "h4": "h", "h5": "h", "h6": "h"}
_SENTENCE_END = (".", "!", "?", "\"", "”", "’", "'", ":", ";", ")", "…", "。", "！", "？", "」", "』", "）")


@dataclass(slots=True)
class Block:
    """One paragraph of the body: its kind (p, h, li, quote, pre, row), text and linked characters."""

    kind: str
    text: str
    link_chars: int = 0
    links: tuple[tuple[int, int, str], ...] = ()  # (start, end, href) in ``text``, for --links output
    words: int = field(init=False)

    def __post_init__(self) -> None:
        self.words = self.text.count(" ") + 1 if self.text else 0  # text is normalised: single spaces

    @property
    def link_ratio(self) -> float:
        return self.link_chars / max(1, len(self.text))


@dataclass(slots=True)
class Cleaned:
    blocks: list[Block]
    section: str | None = None
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (reason, text), for debugging


class _Builder:
    """Walks a fragment once, cutting text into blocks at block-level elements and line breaks."""

    def __init__(self, *, links: bool = False) -> None:
        self.want_links = links
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.in_pre = False
        self.hrefs: list[str] = []  # of the links opened in the block being built, in order

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            if _LINK_OPEN in text or _LINK_CLOSE in text:  # the page's own (icon fonts): not our marks
                text = text.replace(_LINK_OPEN, "").replace(_LINK_CLOSE, "")
            if "\n" in text and not self.in_pre:
                text = text.replace("\n", " ")  # a line break in the source is a space; only <br> breaks a line
            self.parts.append(text)
            if in_link:
                self.link_chars += len(text.strip())

    def flush(self, kind: str) -> None:
        if not self.parts:
            return
        raw = "".join(self.parts)
        links = self.link_chars
        self.parts, self.link_chars = [], 0
        hrefs, self.hrefs = self.hrefs, []
        lines: list[tuple[str, tuple[tuple[int, int, str], ...]]] = []
        for line in raw.split("\n"):
            line = normalize_text(line)
            spans: tuple[tuple[int, int, str], ...] = ()
            if _LINK_OPEN in line or _LINK_CLOSE in line:
                line, spans = _link_spans(line, hrefs)
            if line:
                lines.append((line, spans))
        total = max(1, sum(len(x) for x, _ in lines))  # once, not per line: a block can hold 100,000 lines
        for line, spans in lines:
            share = links * len(line) // total
            self.blocks.append(Block(kind, line, min(share, len(line)), spans))

    def walk(self, el: HtmlElement, kind: str, in_link: bool) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comment or processing instruction: only its tail is text
            self.add(el.tail, in_link)
            return
        if tag == "br":
            self.parts.append("\n")
            self.add(el.tail, in_link)
            return
        if tag == "span" and el.get(FIGURE_MARK):
            self.flush(kind)
            self.blocks.append(Block(FIGURE_BLOCK, el.get(FIGURE_MARK) or ""))
            self.add(el.tail, in_link)
            return
        if tag == "tr":
            self.flush(kind)
            cells = [normalize_text(c.text_content()) for c in el if c.tag in ("td", "th")]
            row = " | ".join(c for c in cells if c)
            if row:
                self.blocks.append(Block("row", row))
            self.add(el.tail, in_link)
            return
        block = tag in R.BLOCK_TAGS
        inner = _KIND_OF.get(tag, kind) if block else kind
        if tag == "p" and el.get("class") == ROW_CLASS:
            inner = "row"
        if kind in ("quote", "li") and tag == "p":
            inner = kind
        if block:
            self.flush(kind)
        link = in_link or tag == "a"
        href = (el.get("href") or "").strip() if tag == "a" and not in_link and self.want_links else ""
        if href:
            self.parts.append(_LINK_OPEN)
            self.hrefs.append(href)
        was_pre = self.in_pre
        self.in_pre = was_pre or tag == "pre"
        self.add(el.text, link)
        for child in el:
            self.walk(child, inner, link)
        self.in_pre = was_pre
        if href:
            self.parts.append(_LINK_CLOSE)
        if block:
            self.flush(inner)
        self.add(el.tail, in_link)


# Where a link starts and ends in a block's raw text: private-use characters, which no normalisation touches.
_LINK_OPEN, _LINK_CLOSE = "\ue000", "\ue001"


def _link_spans(line: str, hrefs: list[str]) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """``line`` without its link marks, with the (start, end, href) of each link; ``hrefs`` is consumed in
    order. Spaces the marks leave doubled or at the ends are dropped, so the text is what it would be
    without them."""
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    href = ""
    for ch in line:
        if ch == _LINK_OPEN:
            start, href = len(out), hrefs.pop(0) if hrefs else ""
        elif ch == _LINK_CLOSE:
            if start is not None and href:
                spans.append((start, len(out), href))
            start = None
        elif ch != " " or (out and out[-1] != " "):
            out.append(ch)
    while out and out[-1] == " ":
        out.pop()
    text = "".join(out)
    clean: list[tuple[int, int, str]] = []
    for s, e, h in spans:
        e = min(e, len(text))
        while s < e and text[s] == " ":
            s += 1
        while e > s and text[e - 1] == " ":
            e -= 1
        if s < e:
            clean.append((s, e, h))
    return text, tuple(clean)


def html_to_blocks(root: HtmlElement, *, links: bool = False) -> list[Block]:
    """The fragment's text as blocks, in document order; with ``links``, where each link stands."""
    builder = _Builder(links=links)
    builder.walk(root, "p", False)
    builder.flush("p")
    return builder.blocks


def _is_sentence(text: str) -> bool:
    return text.rstrip().endswith(_SENTENCE_END)


def _looks_like_dateline(block: Block) -> bool:
    """A short line that is mostly a date or time: 'Updated 20 January 2019, 8:13 am'."""
    if block.words > 10:
        return False
    return R.DATELINE.search(block.text) is not None or R.YEAR_AND_TIME.search(block.text) is not None


def _mentions_author(block: Block, authors: Iterable[str]) -> bool:
    key = caption_key(block.text)
    return any(caption_key(a) and caption_key(a) in key for a in authors)


def clean_blocks(
    blocks: list[Block], *, meta: Metadata, figures: list[Figure], rules: SiteRules | None = None
) -> Cleaned:
    """Drop captions, repeats, promos, bylines, labels and credits; keep the article's paragraphs.

    Figure blocks (images in position) take no part in the rules: they are set aside and put back before
    the next text block that is kept; those after the last kept text block are dropped."""
    if not any(b.kind == FIGURE_BLOCK for b in blocks):
        return _clean_text_blocks(blocks, meta=meta, figures=figures, rules=rules)
    text_blocks = [b for b in blocks if b.kind != FIGURE_BLOCK]
    cleaned = _clean_text_blocks(text_blocks, meta=meta, figures=figures, rules=rules)
    kept = {id(b) for b in cleaned.blocks}
    placed: list[Block] = []
    pending: list[Block] = []  # figures waiting for the next kept text block
    for b in blocks:
        if b.kind == FIGURE_BLOCK:
            if all(p.text != b.text for p in pending):
                pending.append(b)
        elif id(b) in kept:
            placed += pending
            placed.append(b)
            pending = []
    cleaned.blocks = placed
    return cleaned


def _clean_text_blocks(
    blocks: list[Block], *, meta: Metadata, figures: list[Figure], rules: SiteRules | None = None
) -> Cleaned:
    out = Cleaned(blocks=[])
    caption_keys: set[str] = set()
    for fig in figures:
        caption_keys |= fig.texts
    title_key = caption_key(meta.title) if meta.title else None
    phrases = [caption_key(p) for p in rules.drop_phrases] if rules else []
    seen: set[str] = set()

    kept: list[Block] = []
    for b in blocks:
        key = caption_key(b.text)
        reason = None
        if not key:
            reason = "empty"
        elif key in caption_keys or (
            caption_keys and R.PAREN_CREDIT.search(b.text) and caption_key(R.PAREN_CREDIT.sub("", b.text)) in caption_keys
        ):
            reason = "caption"
        elif key in seen:
            reason = "repeat"
        elif title_key and key == title_key:
            reason = "title"
        elif phrases and any(key.startswith(p) for p in phrases):
            reason = "site-phrase"
        elif _looks_like_dateline(b):
            reason = "dateline"
        elif b.words <= 12 and R.CREDIT_LINE.match(b.text):
            reason = "credit"
        elif b.words <= 40 and R.PROMO_LINE.search(b.text) and b.link_ratio > 0 or (
            b.words <= 12 and R.PROMO_LINE.match(b.text)
        ):
            reason = "promo"
        elif b.link_ratio >= 0.8 and b.words <= 25:
            reason = "links"
        if reason:
            out.dropped.append((reason, b.text))
            continue
        seen.add(key)
        kept.append(b)

    # The head of the body: section label, bylines and datelines before the first real paragraph.
    section_key = caption_key(meta.section) if meta.section else None
    description_key = caption_key(meta.description) if meta.description else None
    while kept:
        b = kept[0]
        if b.kind != "h1" and (b.words > 15 or (b.kind == "p" and b.words > 8 and _is_sentence(b.text))):
            break
        key = caption_key(b.text)
        if b.kind == "h1":
            pass  # the headline: it has its own field
        elif section_key and key == section_key:
            out.section = meta.section
        elif b.kind != "h" and b.words <= 3 and not _is_sentence(b.text) and len(kept) > 1 and out.section is None:
            out.section = b.text  # a short label on top, such as a section link
        elif R.BYLINE.match(b.text) or _mentions_author(b, meta.authors) or _looks_like_dateline(b):
            pass
        elif description_key == key and not _is_sentence(b.text):
            pass  # the standfirst, which the description field holds
        else:
            break
        out.dropped.append(("head", b.text))
        kept.pop(0)

    # The tail: promo lists, link lists, sign-offs, dangling headings.
    while kept:
        b = kept[-1]
        short_item = b.kind == "li" and b.words <= 3
        if short_item:
            run = 0
            while run < len(kept) and kept[-1 - run].kind == "li" and kept[-1 - run].words <= 3:
                run += 1
            if run < 3:
                break
            for _ in range(run):
                out.dropped.append(("tail-list", kept.pop().text))
            if kept and kept[-1].words <= 10 and not _is_sentence(kept[-1].text):
                out.dropped.append(("tail-list-lead", kept.pop().text))
            continue
        if (
            b.kind in ("h", "h1")
            or R.BYLINE.match(b.text)
            or (b.words <= 6 and b.link_ratio > 0.5)
            or (b.words <= 80 and R.SIGN_OFF.search(b.text))
            or (b.words <= 60 and R.PROMO_LINE.search(b.text))
            or (b.words <= 25 and _mentions_author(b, meta.authors))
        ):
            out.dropped.append(("tail", kept.pop().text))
            continue
        break
    out.blocks = kept
    return out
