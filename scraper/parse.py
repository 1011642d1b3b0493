"""Bytes to text to one lxml tree: charset decoding and tolerant parsing, done once per page."""

from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer
import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from .errors import ExtractionError

log = logging.getLogger(__name__)

__all__ = ["decode_html", "parse_html", "lookup_charset"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Browsers treat these labels as supersets (WHATWG Encoding Standard); decoding with the narrower
# codec would garble pages that rely on the superset's extra characters.
_SUPERSETS = {
    "iso-8859-1": "windows-1252", "latin-1": "windows-1252", "latin1": "windows-1252", "ascii": "windows-1252",
    "us-ascii": "windows-1252", "iso-8859-9": "windows-1254", "tis-620": "windows-874",
    "gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "utf8": "utf-8",
}
# How much more "chaos" (charset_normalizer's mess ratio) windows-1252 may show and still be preferred.
_WESTERN_MARGIN = 0.1
# Elements deeper than this are flattened before parsing goes on: libxml2 and readability give up at 255.
MAX_DEPTH = 200


def lookup_charset(label: str | None) -> str | None:
    """The Python codec for a charset label, browser supersets applied; None for an unknown label."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode a page: BOM, then the HTTP charset, then ``<meta charset>``/XML declaration, then detection.

    Returns ``(text, codec_name)``. Never raises on bad bytes: undecodable bytes become U+FFFD.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, "replace").lstrip("\ufeff"), name
    candidates = [lookup_charset(http_charset)]
    head = data[:4096]
    match = _XML_DECL.search(head) or _META_CHARSET.search(head)
    if match:
        candidates.append(lookup_charset(match.group(1).decode("ascii", "replace")))
    for codec in candidates:
        if codec and not codec.startswith("utf-16"):  # a page cannot announce UTF-16 in ASCII bytes
            return data.decode(codec, "replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    results = charset_normalizer.from_bytes(data[:200_000])
    best = results.best()
    if best is not None and best.encoding != "cp1252":
        # Short Western pages often score a hair "better" as cp1257/cp1250 (e.g. "è" read as "č");
        # like browsers, fall back to windows-1252 when it is nearly as plausible.
        western = next((m for m in results if m.encoding == "cp1252"), None)
        if western is not None and western.chaos <= best.chaos + _WESTERN_MARGIN:
            best = western
    codec = lookup_charset(best.encoding) if best is not None else None
    codec = codec or "windows-1252"
    return data.decode(codec, "replace"), codec


def _flatten_deep(root: HtmlElement, limit: int = MAX_DEPTH) -> None:
    """Unwrap elements nested deeper than ``limit``, keeping their text and children in order."""
    depth = {root: 0}
    deep: list[HtmlElement] = []
    for el in root.iterdescendants():
        parent = el.getparent()
        d = depth.get(parent, 0) + 1
        depth[el] = d
        if d > limit and isinstance(el.tag, str):
            deep.append(el)
    for el in reversed(deep):
        if el.getparent() is not None:
            el.drop_tag()


def parse_html(html: str | bytes, *, http_charset: str | None = None) -> HtmlElement:
    """Parse a page into an lxml HTML tree. Raises ExtractionError when nothing can be parsed."""
    if isinstance(html, bytes):
        html, _ = decode_html(html, http_charset)
    html = _CONTROL.sub("", html.replace("\x00", ""))
    html = html.lstrip("\ufeff")
    if html.lstrip().startswith("<?xml"):
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        raise ExtractionError("empty page: no article found")
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from exc
    if root is None:
        raise ExtractionError("unparseable HTML: no document")
    _flatten_deep(root)
    return root
