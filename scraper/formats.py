"""Output formats: one article, or a stream of them, as JSON, JSON Lines, CSV, text, Markdown or HTML.

Pure rendering, no files (``write.py`` does the I/O). One registry, ``FORMATS``: a format's name and the
file extension of a record written in it. Adding a format touches that entry, ``render`` and
``ArticleStream``.

Structure comes from ``Article.blocks``, one ``(kind, text)`` pair per paragraph, kinds ``p``, ``h``,
``h1``, ``li``, ``quote``, ``pre`` and ``row`` (table cells joined by " | "). Two optional extensions are
rendered when asked for (``links=True`` / ``images=True``) and present:

* a third element, ``links``: ``((start, end, href), ...)``, character offsets into the block's text;
* blocks of kind ``figure`` whose text is the URL of one of ``Article.images``, placed where the figure
  stood. Images that no ``figure`` block places are shown after the headline, in record order.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any, TextIO

from .record import FIGURE_BLOCK, Article, Image
from .write import record_json

__all__ = ["FORMATS", "CSV_COLUMNS", "ArticleStream", "csv_header", "csv_row", "render"]

# format -> extension of a file holding one record in it
FORMATS: dict[str, str] = {
    "json": ".json",
    "jsonl": ".jsonl",
    "csv": ".csv",
    "text": ".txt",
    "markdown": ".md",
    "html": ".html",
}

# CSV: one row per article; the record's fields, lists joined with LIST_SEPARATOR, images as their URLs
CSV_COLUMNS = (
    "id", "url", "final_url", "canonical_url", "title", "description", "authors", "published", "modified",
    "section", "tags", "language", "site_name", "images", "body", "word_count", "content_hash", "fetched_at",
    "extractor",
)
LIST_SEPARATOR = "; "
_SAFE_SCHEMES = ("http://", "https://", "mailto:")  # links with any other scheme are shown as text

Block = tuple[str, str, tuple[tuple[int, int, str], ...]]


def _blocks(article: Article) -> list[Block]:
    """The article's blocks as (kind, text, links); a body without blocks as paragraphs."""
    raw: tuple[tuple[Any, ...], ...] = article.blocks or tuple(
        ("p", para) for para in article.body.split("\n\n") if para)
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
    return "".join(_h(piece) if href is None else f'<a href="{_attr(href)}">{_h(piece)}</a>'
                   for piece, href in _spans(text, links))


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
    return (f'<!DOCTYPE html>\n<html{lang}>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_h(title or '')}</title>\n</head>\n<body>\n")


HTML_TAIL = "</body>\n</html>\n"


# -- CSV -------------------------------------------------------------------------------------------


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_flat(v.get("url") if isinstance(v, dict) else v) for v in value if v)
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v)
    return str(value)


def csv_header() -> str:
    """The CSV header line."""
    return _csv_line(list(CSV_COLUMNS))


def csv_row(article: Article) -> str:
    """One CSV line for ``article``: flat columns, lists joined with "; ", images as their URLs."""
    record = json.loads(record_json(article))  # the record as written (surrogates replaced)
    return _csv_line([_flat(record.get(column)) for column in CSV_COLUMNS])


def _csv_line(cells: list[str]) -> str:
    import csv  # here: the other formats do not need it at start-up
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


# -- one article, and several ----------------------------------------------------------------------


def render(article: Article, fmt: str, *, indent: int = 2, links: bool = False, images: bool = False) -> str:
    """``article`` as a whole document in ``fmt`` (see ``FORMATS``), without a trailing newline for
    json, jsonl and text."""
    if fmt == "json":
        return record_json(article, indent=indent)
    if fmt == "jsonl":
        return record_json(article)
    if fmt == "text":
        return f"{article.title}\n\n{article.body}" if article.title else article.body
    if fmt == "markdown":
        return markdown(article, links=links, images=images)
    if fmt == "html":
        return html_head(article.title, article.language) + article_html(article, links=links, images=images) \
            + "\n" + HTML_TAIL
    if fmt == "csv":
        return csv_header() + csv_row(article)
    raise ValueError(f"unknown format {fmt!r}")


class ArticleStream:
    """Articles written one by one to a text stream, each format keeping them apart its own way.

    One article (``several=False``) is written as ``render`` gives it. Several: JSON becomes one compact
    object per line (JSON Lines); CSV has one header line; text puts a ``==> SOURCE <==`` line before each
    article (as ``head`` does with several files); Markdown puts a ``---`` rule between articles; HTML is
    one document with one ``<article>`` per article.
    """

    def __init__(self, out: TextIO, fmt: str, *, several: bool, indent: int = 2, links: bool = False,
                 images: bool = False) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        self.out = out
        self.fmt = fmt
        self.several = several
        self.indent = indent
        self.links = links
        self.images = images
        self.count = 0

    def write(self, article: Article, *, source: str = "") -> None:
        """Write one article; ``source`` (its input) labels it in text output."""
        fmt, first = self.fmt, self.count == 0
        self.count += 1
        if not self.several:
            text = render(article, fmt, indent=self.indent, links=self.links, images=self.images)
            self.out.write(text if text.endswith("\n") else text + "\n")
        elif fmt in ("json", "jsonl"):
            self.out.write(record_json(article) + "\n")
        elif fmt == "csv":
            self.out.write((csv_header() if first else "") + csv_row(article))
        elif fmt == "text":
            body = render(article, "text")
            self.out.write(("" if first else "\n") + f"==> {source or article.url or article.id} <==\n{body}\n")
        elif fmt == "markdown":
            self.out.write(("" if first else "\n---\n\n") + markdown(article, links=self.links, images=self.images))
        else:  # html
            head = html_head("Articles") if first else ""
            self.out.write(head + article_html(article, links=self.links, images=self.images) + "\n")
        self.out.flush()

    def close(self) -> None:
        """End the stream (closes the HTML document of several articles)."""
        if self.several and self.fmt == "html" and self.count:
            self.out.write(HTML_TAIL)
            self.out.flush()
