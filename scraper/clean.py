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
from .figures import Figure
from .markup import FIGURE_MARK, ROW_CLASS
from .metadata import Metadata
from .record import FIGURE_BLOCK
from .text import caption_key, normalize_text

log = logging.getLogger(__name__)

__all__ = ["Block", "Cleaned", "html_to_blocks", "clean_blocks"]

_KIND_OF = {
    "li": "li",
    "dt": "li",
    "dd": "li",
    "blockquote": "quote",
    "pre": "pre",
    "h1": "h1",
    "h2": "h",
    "h3": "h",
    "h4": "h",
    "h5": "h",
    "h6": "h",
}


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

    def __init__(self, *, links: bool = False, owners: list[HtmlElement] | None = None) -> None:
        self.want_links = links
        self.owners = owners  # when given, the block-level element each block came from, in step
        self.current: HtmlElement | None = None
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
                text = text.replace(
                    "\n", " "
                )  # a line break in the source is a space; only <br> breaks a line
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
        if raw.isspace():
            return  # the white space between two blocks: every line of it normalises to nothing
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
        if self.owners is not None and self.current is not None:
            self.owners.extend([self.current] * (len(self.blocks) - len(self.owners)))

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
            if self.owners is not None:
                self.owners.append(el)
            self.add(el.tail, in_link)
            return
        if tag == "tr":
            self.flush(kind)
            cells = [normalize_text(c.text_content()) for c in el if c.tag in ("td", "th")]
            row = " | ".join(c for c in cells if c)
            if row:
                self.blocks.append(Block("row", row))
                if self.owners is not None:
                    self.owners.append(el)
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
        outer = self.current
        if block and self.owners is not None:
            self.current = el
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
        self.current = outer
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


def html_to_blocks(
    root: HtmlElement, *, links: bool = False, owners: list[HtmlElement] | None = None
) -> list[Block]:
    """The fragment's text as blocks, in document order; with ``links``, where each link stands; with
    ``owners`` (a list to fill), the block-level element each block came from."""
    builder = _Builder(links=links, owners=owners)
    builder.current = root
    builder.walk(root, "p", False)
    builder.flush("p")
    return builder.blocks


def is_sentence(text: str) -> bool:
    """The text ends as a sentence does (``R.SENTENCE_END``), in any script."""
    return text.rstrip().endswith(R.SENTENCE_END)


def _looks_like_dateline(block: Block) -> bool:
    """A short line that is mostly a date or time: 'Updated 20 January 2019, 8:13 am'."""
    if block.words > R.DATELINE_MAX_WORDS:
        return False
    return R.DATELINE.search(block.text) is not None or R.YEAR_AND_TIME.search(block.text) is not None


def _is_byline(block: Block) -> bool:
    """A credit line ("By Jane Roe and John Doe"), not a sentence that opens with "By"."""
    return block.words <= R.BYLINE_MAX_WORDS and R.BYLINE.match(block.text) is not None


def _mentions_author(block: Block, authors: Iterable[str]) -> bool:
    key = caption_key(block.text)
    return any(caption_key(a) and caption_key(a) in key for a in authors)


def _opens_with_author(block: Block, authors: Iterable[str]) -> bool:
    """The block starts with an author's full name (two words or more)."""
    key = caption_key(block.text)
    for author in authors:
        name = caption_key(author)
        if " " in name and key.startswith(name + " "):
            return True
    return False


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
    drop = _BlockRules(meta, figures, rules)
    seen: dict[str, int] = {}  # each kept text's key, and where it last stood
    kept: list[Block] = []
    for i, b in enumerate(blocks):
        key = caption_key(b.text)
        reason = "repeat" if key in seen and _repeat(b, i - seen[key]) else drop.reason(b, key)
        if reason:
            out.dropped.append((reason, b.text))
            continue
        seen[key] = i
        kept.append(b)
    _trim_head(kept, meta, out)
    _trim_tail(kept, meta, out)
    out.blocks = kept
    return out


def _repeat(b: Block, gap: int) -> bool:
    """A second copy to drop: a text said again, unless a short line recurs apart from its last copy,
    as a listicle's field labels and an interview's questions do ("Location: ...", once per item)."""
    return b.words > R.REPEAT_LABEL_MAX_WORDS or gap <= R.REPEAT_NEAR_BLOCKS


class _BlockRules:
    """Why one block, on its own, is not the article's text (None when it may be)."""

    def __init__(self, meta: Metadata, figures: list[Figure], rules: SiteRules | None) -> None:
        self.caption_keys: set[str] = set()
        for fig in figures:
            self.caption_keys |= fig.texts
        self.title_key = caption_key(meta.title) if meta.title else None
        self.phrases = [caption_key(p) for p in rules.drop_phrases] if rules else []

    def reason(self, b: Block, key: str) -> str | None:
        if not key:
            return "empty"
        if key in self.caption_keys or (
            self.caption_keys
            and R.PAREN_CREDIT.search(b.text)
            and caption_key(R.PAREN_CREDIT.sub("", b.text)) in self.caption_keys
        ):
            return "caption"
        if self.title_key and key == self.title_key:
            return "title"
        if self.phrases and any(key.startswith(p) for p in self.phrases):
            return "site-phrase"
        if _looks_like_dateline(b):
            return "dateline"
        if b.words <= R.CREDIT_MAX_WORDS and R.CREDIT_LINE.match(b.text):
            return "credit"
        if b.words <= R.COPYRIGHT_MAX_WORDS and R.COPYRIGHT_SIGN in b.text:
            return "credit"
        if (b.words <= R.PROMO_LINKED_MAX_WORDS and b.link_ratio > 0 and R.PROMO_LINE.search(b.text)) or (
            b.words <= R.PROMO_MAX_WORDS and R.PROMO_LINE.match(b.text)
        ):
            return "promo"
        if b.link_ratio >= R.LINK_LINE_SHARE and b.words <= R.LINK_LINE_MAX_WORDS:
            return "links"
        return None


def _trim_head(kept: list[Block], meta: Metadata, out: Cleaned) -> None:
    """The head of the body: section label, bylines and datelines before the first real paragraph."""
    section_key = caption_key(meta.section) if meta.section else None
    description_key = caption_key(meta.description) if meta.description else None
    while kept:
        b = kept[0]
        if b.kind != "h1" and (
            b.words > R.HEAD_MAX_WORDS
            or (b.kind == "p" and b.words > R.HEAD_SENTENCE_WORDS and is_sentence(b.text))
        ):
            break
        key = caption_key(b.text)
        if b.kind == "h1":
            pass  # the headline: it has its own field
        elif section_key and key == section_key:
            out.section = meta.section
        elif (
            b.kind != "h"
            and b.words <= R.LABEL_MAX_WORDS
            and not is_sentence(b.text)
            and len(kept) > 1
            and out.section is None
        ):
            out.section = b.text  # a short label on top, such as a section link
        elif _is_byline(b) or _mentions_author(b, meta.authors) or _looks_like_dateline(b):
            pass
        elif description_key == key and not is_sentence(b.text):
            pass  # the standfirst, which the description field holds
        else:
            break
        out.dropped.append(("head", b.text))
        kept.pop(0)


def _tail_list_run(kept: list[Block]) -> int:
    """How many short list items end ``kept``."""
    run = 0
    while run < len(kept) and kept[-1 - run].kind == "li" and kept[-1 - run].words <= R.TAIL_ITEM_MAX_WORDS:
        run += 1
    return run


def _tail_furniture(b: Block, meta: Metadata) -> bool:
    return (
        b.kind in ("h", "h1")
        or _is_byline(b)
        or (b.words <= R.TAIL_LINK_MAX_WORDS and b.link_ratio > R.TAIL_LINK_SHARE)
        or (b.words <= R.SIGN_OFF_MAX_WORDS and R.SIGN_OFF.search(b.text) is not None)
        or (b.words <= R.TAIL_PROMO_MAX_WORDS and R.PROMO_LINE.search(b.text) is not None)
        or (b.words <= R.TAIL_AUTHOR_MAX_WORDS and _mentions_author(b, meta.authors))
    )


def _trim_tail(kept: list[Block], meta: Metadata, out: Cleaned) -> None:
    """The tail: the author's biography and what follows it, promo lists, link lists, sign-offs, dangling
    headings."""
    for i in range(max(1, len(kept) - R.TAIL_BIO_WINDOW), len(kept)):
        b = kept[i]
        if b.words <= R.TAIL_BIO_MAX_WORDS and _opens_with_author(b, meta.authors):
            out.dropped += [("author-bio", b.text) for b in kept[i:]]
            del kept[i:]
            break
    while kept:
        b = kept[-1]
        if b.kind == "li" and b.words <= R.TAIL_ITEM_MAX_WORDS:
            run = _tail_list_run(kept)
            if run < R.TAIL_LIST_MIN_ITEMS:
                break
            for _ in range(run):
                out.dropped.append(("tail-list", kept.pop().text))
            if kept and kept[-1].words <= R.TAIL_LIST_LEAD_MAX_WORDS and not is_sentence(kept[-1].text):
                out.dropped.append(("tail-list-lead", kept.pop().text))
            continue
        if _tail_furniture(b, meta):
            out.dropped.append(("tail", kept.pop().text))
            continue
        break
