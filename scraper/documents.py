"""Readable documents of a record: Markdown and HTML, with links and images in position when asked for.

Pure rendering from ``Article.blocks`` (see ``formats.py`` for the block shapes); ``formats.py`` registers
both as output formats.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from .record import FIGURE_BLOCK, Article, Image

__all__ = ["HTML_TAIL", "article_html", "html_head", "markdown"]

_SAFE_SCHEMES = ("http://", "https://", "mailto:")  # links with any other scheme are shown as text

Block = tuple[str, str, tuple[tuple[int, int, str], ...]]


def _blocks(article: Article) -> list[Block]:
    """The article's blocks as (kind, text, links); a body without blocks as paragraphs."""
    raw: tuple[tuple[Any, ...], ...] = article.blocks or tuple(
        ("p", para) for para in article.body.split("\n\n") if para
    )
    out: list[Block] = []
    for block in raw:
        kind, text = block[0], block[1]
        links = tuple(block[2]) if len(block) > 2 and block[2] else ()
        out.append((kind, text, links))
    return out


def _safe_href(href: str) -> bool:
    return href.strip().lower().startswith(_SAFE_SCHEMES)


def _spans(text: str, links: tuple[tuple[int, int, str], ...]) -> Iterator[tuple[str, str | None]]:
    """``text`` cut into (piece, href or None); overlapping or out-of-range links are ignored."""
    pos = 0
    for start, end, href in sorted(links):
        if start < pos or end > len(text) or start >= end or not _safe_href(href):
            continue
        if start > pos:
            yield text[pos:start], None
        yield text[start:end], href
        pos = end
    if pos < len(text):
        yield text[pos:], None


def _images_by_url(article: Article) -> dict[str, Image]:
    return {img.url: img for img in article.images if img.url}


def _unplaced_images(article: Article, blocks: list[Block]) -> list[Image]:
    placed = {text for kind, text, _ in blocks if kind == FIGURE_BLOCK}
    return [img for img in article.images if not img.url or img.url not in placed]


# -- Markdown --------------------------------------------------------------------------------------


def _md_inline(text: str, links: tuple[tuple[int, int, str], ...], with_links: bool) -> str:
    if not with_links or not links:
        return text
    out = []
    for piece, href in _spans(text, links):
        if href is None:
            out.append(piece)
        else:
            label = piece.replace("[", "\\[").replace("]", "\\]")
            target = f"<{href}>" if any(c in href for c in " ()<>") else href
            out.append(f"[{label}]({target})")
    return "".join(out)


def _md_image(img: Image) -> str:
    lines = []
    caption = img.caption or ""
    if img.url:
        alt = caption.replace("[", "\\[").replace("]", "\\]")
        target = f"<{img.url}>" if any(c in img.url for c in " ()<>") else img.url
        lines.append(f"![{alt}]({target})")
    note = " ".join(x for x in (caption, f"({img.credit})" if img.credit else "") if x)
    if note:
        lines.append(f"*{note}*")
    return "\n".join(lines)


def markdown(article: Article, *, links: bool = False, images: bool = False) -> str:
    """The article as Markdown: headline, subheadings, lists, quotes, table rows, code; links and
    images when asked for."""
    blocks = _blocks(article)
    out: list[str] = []

    def add(line: str, sep: str = "\n\n") -> None:
        out.append(sep + line if out else line)

    if article.title:
        add(f"# {article.title}")
    if images:
        for img in _unplaced_images(article, blocks):
            add(_md_image(img))
    by_url = _images_by_url(article)
    previous = ""
    for kind, text, spans in blocks:
        if kind == FIGURE_BLOCK:
            if images and text in by_url:
                add(_md_image(by_url[text]))
                previous = kind
            continue
        inline = _md_inline(text, spans, links)
        if kind in ("h", "h1"):
            line = f"## {inline}"
        elif kind == "li":
            line = f"- {inline}"
        elif kind == "quote":
            line = f"> {inline}"
        elif kind == "row":
            line = "| " + inline + " |"
            if previous != "row":  # the first row is the header: Markdown needs the rule under it
                line += "\n|" + "---|" * (text.count(" | ") + 1)
        elif kind == "pre":
            line = f"```\n{text}\n```"
        else:
            line = inline
        # consecutive list items and table rows stay together; everything else is a paragraph
        add(line, "\n" if kind in ("li", "row") and previous == kind else "\n\n")
        previous = kind
    return "".join(out) + "\n"


# -- HTML ------------------------------------------------------------------------------------------


def _h(text: str) -> str:
    """Text content, escaped."""
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    """An attribute value, escaped (quotes too)."""
    return html.escape(text, quote=True)


def _html_inline(text: str, links: tuple[tuple[int, int, str], ...], with_links: bool) -> str:
    if not with_links or not links:
        return _h(text)
    return "".join(
        _h(piece) if href is None else f'<a href="{_attr(href)}">{_h(piece)}</a>'
        for piece, href in _spans(text, links)
    )


def _html_figure(img: Image) -> str:
    parts = ["<figure>"]
    if img.url:
        parts.append(f'<img src="{_attr(img.url)}" alt="{_attr(img.caption or "")}">')
    if img.caption or img.credit:
        credit = f" <small>{_h(img.credit)}</small>" if img.credit else ""
        parts.append(f"<figcaption>{_h(img.caption or '')}{credit}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)


def article_html(article: Article, *, links: bool = False, images: bool = False) -> str:
    """The clean article as one ``<article>`` element: headline, headings, paragraphs, lists, quotes,
    tables, code, and (``images``) figures with their captions."""
    blocks = _blocks(article)
    out = ["<article>"]
    if article.title:
        out.append(f"<h1>{_h(article.title)}</h1>")
    if images:
        out += [_html_figure(img) for img in _unplaced_images(article, blocks)]
    by_url = _images_by_url(article)
    open_group = ""  # the element a run of li / quote / row blocks is inside
    closers = {"ul": "</ul>", "blockquote": "</blockquote>", "table": "</table>"}
    first_row = False
    for kind, text, spans in blocks:
        group = {"li": "ul", "quote": "blockquote", "row": "table"}.get(kind, "")
        if group != open_group:
            if open_group:
                out.append(closers[open_group])
            if group:
                out.append(f"<{group}>")
                first_row = True
            open_group = group
        if kind == FIGURE_BLOCK:
            if images and text in by_url:
                out.append(_html_figure(by_url[text]))
            continue
        inline = _html_inline(text, spans, links)
        if kind in ("h", "h1"):
            out.append(f"<h2>{inline}</h2>")
        elif kind == "li":
            out.append(f"<li>{inline}</li>")
        elif kind == "quote":
            out.append(f"<p>{inline}</p>")
        elif kind == "row":
            cell = "th" if first_row else "td"
            cells = "".join(f"<{cell}>{_h(c)}</{cell}>" for c in text.split(" | "))
            out.append(f"<tr>{cells}</tr>")
            first_row = False
        elif kind == "pre":
            out.append(f"<pre>{_h(text)}</pre>")
        else:
            out.append(f"<p>{inline}</p>")
    if open_group:
        out.append(closers[open_group])
    out.append("</article>")
    return "\n".join(out)


def html_head(title: str | None, language: str | None = None) -> str:
    lang = f' lang="{_attr(language)}"' if language else ""
    return (
        f'<!DOCTYPE html>\n<html{lang}>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_h(title or '')}</title>\n</head>\n<body>\n"
    )


HTML_TAIL = "</body>\n</html>\n"
