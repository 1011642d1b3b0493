"""Content sniffing: whether bytes of unknown type are an HTML page.

One test for every place that meets bytes without a trustworthy type: a response without a
Content-Type (``fetch``), a WARC record without one (``warc``) and a saved page on disk (``inputs``).
After any byte order mark, XML declaration, comments and white space, the first thing must be an HTML
doctype or the start tag of an HTML element. The element list is lxml's (``lxml.html.defs.tags``) plus
the HTML5 elements it lacks. Feeds (``<rss>``, ``<feed>``), sitemaps, JSON, TOML, Markdown, plain text and
URL lists do not start that way.

Gzip-compressed bytes (a saved ``.html.gz``, a ``sitemap.xml.gz``) are unpacked by ``gunzip_capped``, never
past a cap: a gzip bomb stops there.
"""

from __future__ import annotations

import codecs
import re
import zlib

from lxml.html import defs

from .errors import ScraperError, TooLargeError

__all__ = [
    "GZIP_MAGIC",
    "HTML_ELEMENTS",
    "HTML_TYPES",
    "SNIFF_BYTES",
    "gunzip_capped",
    "header_charset",
    "looks_like_html",
    "media_type",
]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
HTML_ELEMENTS = frozenset(defs.tags) | {
    "main",
    "template",
    "dialog",
    "picture",
    "data",
    "slot",
    "frame",
    "noframes",
    "bdi",
    "search",
}
GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 4096  # the head looked at: enough for a long XML declaration and a comment or two

# UTF-32 marks first: the UTF-16 LE mark is a prefix of the UTF-32 LE one
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PREAMBLE = re.compile(r"\s*(?:(?:<\?xml[^>]*>|<!--.*?-->)\s*)*", re.S)
_FIRST_TAG = re.compile(r"<(!doctype\s+html\b|[a-z][a-z0-9]*)(?=[\s/>]|$)", re.I)


def looks_like_html(data: bytes) -> bool:
    """True if ``data`` starts like an HTML document (see the module docstring)."""
    head = data[:SNIFF_BYTES]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, "ignore")
            break
    else:
        text = head.decode("latin-1")  # ASCII-compatible: enough to read tags
    preamble = _PREAMBLE.match(text)  # never None: the pattern matches the empty string
    start = preamble.end() if preamble else 0
    match = _FIRST_TAG.match(text, start)
    if match is None:
        return text.startswith(
            "<!--", start
        )  # a comment longer than the head: give it the benefit of the doubt
    name = match.group(1).lower()
    return name.startswith("!doctype") or name in HTML_ELEMENTS


def gunzip_capped(data: bytes, *, max_bytes: int, allow_truncated: bool = False) -> bytes:
    """``data`` gunzipped if it starts with the gzip mark (else as it is), never more than ``max_bytes``.

    ``TooLargeError`` past the cap; ``ScraperError`` for bad gzip data (the ``zlib.error`` as its cause),
    or for a stream cut short, unless ``allow_truncated``: then what it holds is returned.
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)  # bounded: a gzip bomb stops at the cap
    except zlib.error as exc:
        raise ScraperError("bad gzip data") from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise TooLargeError(f"larger than {max_bytes} bytes decompressed")
    if not inflater.eof and not allow_truncated:
        raise ScraperError("bad gzip data (truncated)")
    return out


def media_type(content_type: str | None) -> str | None:
    """The media type of a Content-Type header, lowercased, without its parameters."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.I)


def header_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header names, as written."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None
