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

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from .documents import HTML_TAIL, article_html, html_head, markdown
from .errors import OutputError
from .record import Article

__all__ = [
    "FORMATS",
    "DATASET_FORMATS",
    "OUTPUT_FORMATS",
    "CSV_COLUMNS",
    "ArticleStream",
    "OutputFormat",
    "RenderOptions",
    "csv_header",
    "csv_row",
    "output_format",
    "record_json",
    "render",
]

# CSV: one row per article; the record's fields, lists joined with LIST_SEPARATOR, images as their URLs
CSV_COLUMNS = (
    "id",
    "url",
    "final_url",
    "canonical_url",
    "title",
    "description",
    "authors",
    "published",
    "modified",
    "section",
    "tags",
    "language",
    "site_name",
    "images",
    "body",
    "word_count",
    "content_hash",
    "fetched_at",
    "extractor",
)
LIST_SEPARATOR = "; "
_SURROGATE = re.compile("[\ud800-\udfff]")

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
        OutputFormat(
            "jsonl", ".jsonl", _jsonl_document, _json_item, row=_json_line, whole_lines=True, dataset=True
        ),
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

    def __init__(
        self,
        out: TextIO,
        fmt: str,
        *,
        several: bool,
        indent: int = 2,
        links: bool = False,
        images: bool = False,
    ) -> None:
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
