"""Output formats: one article, or a stream of them, as JSON, JSON Lines, CSV, text, Markdown or HTML;
and the formats of a dataset (``scraper export``).

Pure rendering, no files (``write.py`` does the I/O, ``dataset.py`` writes datasets). One registry,
``OUTPUT_FORMATS``, that both the ``extract`` and the ``export`` verb read: a format's name, the extension
of a file in it, and how it renders one article, one of several on a stream, or a record appended to a
file. Adding a format touches its renderers here and its entry, nothing else.

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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from .errors import OutputError
from .record import FIGURE_BLOCK, Article, Image

__all__ = [
    "FORMATS", "DATASET_FORMATS", "OUTPUT_FORMATS", "CSV_COLUMNS", "ArticleStream", "OutputFormat",
    "RenderOptions", "csv_header", "csv_row", "output_format", "record_json", "render",
]

# CSV: one row per article; the record's fields, lists joined with LIST_SEPARATOR, images as their URLs
CSV_COLUMNS = (
    "id", "url", "final_url", "canonical_url", "title", "description", "authors", "published", "modified",
    "section", "tags", "language", "site_name", "images", "body", "word_count", "content_hash", "fetched_at",
    "extractor",
)
LIST_SEPARATOR = "; "
_SAFE_SCHEMES = ("http://", "https://", "mailto:")  # links with any other scheme are shown as text
_SURROGATE = re.compile("[\ud800-\udfff]")

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


# -- JSON ------------------------------------------------------------------------------------------


def _scrub(value: Any) -> Any:
    """Lone surrogates cannot be encoded as UTF-8: replace them rather than fail the record."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def record_json(record: Article | dict[str, Any], *, indent: int | None = None) -> str:
    """The record as JSON: UTF-8 text without ASCII escapes, no NaN, surrogates replaced."""
    data = record.to_dict() if isinstance(record, Article) else record
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, indent=indent)
        if not _SURROGATE.search(text):  # dumps keeps lone surrogates, which UTF-8 cannot encode
            return text
    except (UnicodeEncodeError, ValueError):
        pass
    try:
        return json.dumps(_scrub(data), ensure_ascii=False, allow_nan=False, indent=indent)
    except ValueError as exc:  # NaN or infinity: not JSON, never written
        raise OutputError(f"record is not valid JSON: {exc}") from exc


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


def csv_row(article: Article | dict[str, Any]) -> str:
    """One CSV line for ``article``: flat columns, lists joined with "; ", images as their URLs."""
    record = json.loads(record_json(article))  # the record as written (surrogates replaced)
    return _csv_line([_flat(record.get(column)) for column in CSV_COLUMNS])


def _csv_line(cells: list[str]) -> str:
    import csv  # here: the other formats do not need it at start-up
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


# -- the registry ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How an article is rendered: JSON indentation; links and images in Markdown and HTML."""

    indent: int = 2
    links: bool = False
    images: bool = False


Render = Callable[[Article, RenderOptions], str]
# (article, options, first of the stream, its input's name) -> its text among several on one stream
RenderItem = Callable[[Article, RenderOptions, bool, str], str]


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """An output format: what it is called, the extension of a file in it, and how records are written in it.

    ``document`` renders one article as a whole file (``extract`` to stdout, ``-o FILE``, ``-o DIR/``);
    ``item`` one article of several on one stream, and ``end`` closes that stream. A format with a ``row``
    is appended to (``-o FILE.jsonl``): ``header`` starts a new file, and ``whole_lines`` says each row is
    one line, so that a partial last line (left by a crash) can be cut before appending.
    ``links_and_images``: it shows the article's links and images when asked (``--links``, ``--images``).
    ``dataset``: the ``export`` verb writes datasets in it (``scraper.dataset``).
    """

    name: str
    extension: str  # "" for a folder
    document: Render | None = None
    item: RenderItem | None = None
    end: str = ""
    row: Callable[[Article | dict[str, Any]], str] | None = None
    header: Callable[[], str] | None = None
    whole_lines: bool = False
    links_and_images: bool = False
    dataset: bool = False


def _json_document(article: Article, options: RenderOptions) -> str:
    return record_json(article, indent=options.indent)


def _json_line(record: Article | dict[str, Any]) -> str:
    return record_json(record) + "\n"


def _json_item(article: Article, options: RenderOptions, first: bool, source: str) -> str:
    return _json_line(article)  # several JSON records are JSON Lines


def _csv_item(article: Article, options: RenderOptions, first: bool, source: str) -> str:
    return (csv_header() if first else "") + csv_row(article)


def _text(article: Article, options: RenderOptions) -> str:
    return f"{article.title}\n\n{article.body}" if article.title else article.body


def _text_item(article: Article, options: RenderOptions, first: bool, source: str) -> str:
    label = source or article.url or article.id
    return ("" if first else "\n") + f"==> {label} <==\n{_text(article, options)}\n"


def _markdown(article: Article, options: RenderOptions) -> str:
    return markdown(article, links=options.links, images=options.images)


def _markdown_item(article: Article, options: RenderOptions, first: bool, source: str) -> str:
    return ("" if first else "\n---\n\n") + _markdown(article, options)


def _html_document(article: Article, options: RenderOptions) -> str:
    body = article_html(article, links=options.links, images=options.images)
    return html_head(article.title, article.language) + body + "\n" + HTML_TAIL


def _html_item(article: Article, options: RenderOptions, first: bool, source: str) -> str:
    head = html_head("Articles") if first else ""
    return head + article_html(article, links=options.links, images=options.images) + "\n"


def _jsonl_document(article: Article, options: RenderOptions) -> str:
    return record_json(article)


def _csv_document(article: Article, options: RenderOptions) -> str:
    return csv_header() + csv_row(article)


# name -> format, in the order the command line lists them
OUTPUT_FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat("json", ".json", _json_document, _json_item),
        OutputFormat("jsonl", ".jsonl", _jsonl_document, _json_item, row=_json_line, whole_lines=True,
                     dataset=True),
        OutputFormat("csv", ".csv", _csv_document, _csv_item, row=csv_row, header=csv_header),
        OutputFormat("text", ".txt", _text, _text_item),
        OutputFormat("markdown", ".md", _markdown, _markdown_item, links_and_images=True),
        OutputFormat("html", ".html", _html_document, _html_item, end=HTML_TAIL, links_and_images=True),
        OutputFormat("parquet", "", dataset=True),  # a folder of Parquet files, see scraper.dataset
    )
}
# format -> extension of a file holding one record in it: the formats of one article (extract)
FORMATS: dict[str, str] = {f.name: f.extension for f in OUTPUT_FORMATS.values() if f.document is not None}
# the formats of a dataset (export)
DATASET_FORMATS: tuple[str, ...] = tuple(f.name for f in OUTPUT_FORMATS.values() if f.dataset)


def output_format(fmt: str) -> OutputFormat:
    """The registry entry of ``fmt``; ``ValueError`` for a name it does not have."""
    try:
        return OUTPUT_FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}") from None


def _document_renderer(fmt: str) -> Render:
    document = output_format(fmt).document
    if document is None:
        raise ValueError(f"unknown format {fmt!r} for one article (known: {', '.join(FORMATS)})")
    return document


# -- one article, and several ----------------------------------------------------------------------


def render(article: Article, fmt: str, *, indent: int = 2, links: bool = False, images: bool = False) -> str:
    """``article`` as a whole document in ``fmt`` (see ``FORMATS``), without a trailing newline for
    json, jsonl and text."""
    return _document_renderer(fmt)(article, RenderOptions(indent, links, images))


class ArticleStream:
    """Articles written one by one to a text stream, each format keeping them apart its own way.

    One article (``several=False``) is written as ``render`` gives it. Several: JSON becomes one compact
    object per line (JSON Lines); CSV has one header line; text puts a ``==> SOURCE <==`` line before each
    article (as ``head`` does with several files); Markdown puts a ``---`` rule between articles; HTML is
    one document with one ``<article>`` per article.
    """

    def __init__(self, out: TextIO, fmt: str, *, several: bool, indent: int = 2, links: bool = False,
                 images: bool = False) -> None:
        _document_renderer(fmt)  # refuses a format that has no rendering of one article
        self.out = out
        self.format = OUTPUT_FORMATS[fmt]
        self.fmt = fmt
        self.several = several
        self.options = RenderOptions(indent, links, images)
        self.count = 0

    def write(self, article: Article, *, source: str = "") -> None:
        """Write one article; ``source`` (its input) labels it in text output."""
        first = self.count == 0
        self.count += 1
        if not self.several:
            assert self.format.document is not None
            text = self.format.document(article, self.options)
            self.out.write(text if text.endswith("\n") else text + "\n")
        else:
            assert self.format.item is not None
            self.out.write(self.format.item(article, self.options, first, source))
        self.out.flush()

    def close(self) -> None:
        """End the stream (closes the HTML document of several articles)."""
        if self.several and self.count and self.format.end:
            self.out.write(self.format.end)
            self.out.flush()
