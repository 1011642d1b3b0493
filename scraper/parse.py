"""Bytes to text to one lxml tree: charset decoding and tolerant parsing, done once per page.

Pages are untrusted. Besides decoding and parsing, this module refuses what is not HTML (binary data,
oversized input), flattens pathological nesting that libxml2 and readability cannot handle, and keeps
control characters and terminal escape sequences out of the text it parses (``scrub.py`` holds the scrubbing).
"""

from __future__ import annotations

import codecs
import functools
import logging
import re

import charset_normalizer
import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from .errors import ExtractionError
from .scrub import scrub_text
from .text import C1_CONTROL_UTF8, CONTROL_BYTES, CONTROL_CHARS

log = logging.getLogger(__name__)

__all__ = ["decode_html", "html_parser", "parse_html", "lookup_charset"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I)
# Numeric character references to C0 controls: libxml2 turns "&#27;" into a real ESC.
_CONTROL_REF = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|127)(?![0-9])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])(?![0-9a-fA-F]));?"
)
# Browsers treat these labels as supersets (WHATWG Encoding Standard); decoding with the narrower
# codec would garble pages that rely on the superset's extra characters.
_SUPERSETS = {
    "iso-8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
    "iso-8859-9": "windows-1254",
    "tis-620": "windows-874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "utf8": "utf-8",
}
# How much more "chaos" (charset_normalizer's mess ratio) windows-1252 may show and still be preferred.
_WESTERN_MARGIN = 0.1
# Elements deeper than this are flattened before parsing goes on: libxml2 and readability give up at 255.
MAX_DEPTH = 200
# libxml2 stops parsing (dropping the rest of the page) past 2048 levels even with huge_tree; a page that
# reaches it loses the middle of its nesting at the source (all but this many levels at the top and at the
# bottom) and is parsed again.
_SOURCE_KEEP = 400
# The largest page parse_html accepts (bytes, or characters for text); extract() passes fetch.max_bytes.
MAX_PAGE_BYTES = 10_000_000
# Attribute values longer than this are cut (class, id) or dropped: a 5 MB class attribute makes every
# class/id regular expression of the pruner and of readability take seconds.
_MAX_ATTR = 10_000
_KEPT_ATTR = 1_000
_LONG_ATTRS = lxml.etree.XPath(f"//@*[string-length(.) > {_MAX_ATTR}]")
# libxml2 checks an element's attributes for duplicates in quadratic time: 200,000 attributes on one tag
# take minutes. Tags this long (no "<" or ">" inside) keep their first _MAX_ATTR_COUNT attributes.
_LONG_TAG = re.compile(r"<([A-Za-z][^\s/<>]*+)([^<>]{20000,}+)>")
_LONG_TAG_MIN = 20_000
_LONG_TAG_REST = re.compile(_LONG_TAG.pattern.removeprefix("<"))  # matched after a "<"
_ATTRIBUTE = re.compile(r"""[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
_MAX_ATTR_COUNT = 256
# Share of U+FFFD and control characters above which decoded "HTML" is taken for binary data.
_BINARY_SHARE = 0.05
_BINARY_SAMPLE = 65_536
_BINARY_MIN = 32  # fewer suspect characters than this never make a page "binary"
_BINARYISH = re.compile(f"[{CONTROL_CHARS}\ufffd]")
# U+FFFD in UTF-8 (EF BF BD), counted with the control characters' bytes (text.CONTROL_BYTES).
_REPLACEMENT_BYTES = "\ufffd".encode()
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"(\xb5/\xfd", "zstd"),
    (b"7z\xbc\xaf'\x1c", "7z"),
    (b"\x7fELF", "ELF"),
    (b"OggS", "Ogg"),
    (b"fLaC", "FLAC"),
    (b"wOFF", "WOFF"),
    (b"wOF2", "WOFF2"),
    (b"\x00\x00\x01\x00", "ICO"),
)
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "keygen",
        "frame",
        "basefont",
        "isindex",
    }
)
# Opening one of these while the same element is open closes the open one (HTML's implied end tags).
_SELF_CLOSING_SIBLINGS = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option", "a"})
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*>")
_BLOCKISH = frozenset(
    {
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "section",
        "article",
        "ul",
        "ol",
        "table",
        "dd",
        "dt",
        "figure",
        "header",
        "footer",
    }
)


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


def _decode_utf8_mixed(data: bytes) -> str:
    """UTF-8, with each byte that is not valid UTF-8 read as windows-1252.

    Pages that declare UTF-8 but paste in Windows-1252 text (or mix both) keep every character.
    """
    view = memoryview(data)
    parts: list[str] = []
    pos = 0
    while pos < len(data):
        try:
            text, _ = codecs.utf_8_decode(view[pos:], "strict", True)
        except UnicodeDecodeError as exc:
            parts.append(codecs.utf_8_decode(view[pos : pos + exc.start], "strict", True)[0])
            parts.append(bytes(view[pos + exc.start : pos + exc.end]).decode("windows-1252", "replace"))
            pos += exc.end
        else:
            parts.append(text)
            break
    return "".join(parts)


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode a page: BOM, then the HTTP charset, then ``<meta charset>``/XML declaration, then detection.

    Returns ``(text, codec_name)``. Never raises on bad bytes: a page declared UTF-8 reads stray bytes as
    windows-1252, other codecs turn undecodable bytes into U+FFFD. Unknown charset names are ignored.
    """
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, "replace").lstrip("\ufeff"), name
    http_codec = lookup_charset(http_charset)
    if (
        http_codec and http_codec.startswith("utf-16") and data[:4].count(0) >= 1
    ):  # said by the server, and true
        if http_codec == "utf-16":  # no BOM: the NUL half of the first character tells the byte order
            http_codec = "utf-16-be" if data[:1] == b"\x00" else "utf-16-le"
        return data.decode(http_codec, "replace"), http_codec
    candidates = [http_codec]
    head = data[:4096]
    match = _XML_DECL.search(head) or _META_CHARSET.search(head)
    if match:
        candidates.append(lookup_charset(match.group(1).decode("ascii", "replace")))
    for codec in candidates:
        if codec == "utf-8":
            return _decode_utf8_mixed(data), codec
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


def _control_char(m: re.Match[str]) -> str:
    """The control character a numeric reference names, so that scrub_text removes whole escape sequences."""
    ref = m.group(0)[2:].rstrip(";")
    return chr(int(ref[1:], 16) if ref[0] in "xX" else int(ref))


def _binary_kind(text: str, data: bytes | None) -> str | None:
    """Why the input is not HTML (a known binary signature, or mostly undecodable/control characters)."""
    if data is not None:
        for magic, kind in _MAGIC:
            if data.startswith(magic):
                return f"{kind} data"
    sample = text[:_BINARY_SAMPLE]
    encoded = sample.encode("utf-8", "surrogatepass")  # a lone surrogate is no suspect character
    suspect = (
        len(encoded)
        - len(encoded.translate(None, CONTROL_BYTES))
        + len(C1_CONTROL_UTF8.findall(encoded))
        + encoded.count(_REPLACEMENT_BYTES)
    )
    if suspect > _BINARY_MIN and suspect > _BINARY_SHARE * len(sample):
        return "binary data"
    return None


def _flatten_source(html: str, keep: int = _SOURCE_KEEP) -> str:
    """Drop the start and end tags of the middle of deep nesting from the source text, keeping all text.

    A tag stays when it is within ``keep`` levels of the top or within ``keep`` levels of the deepest
    element below it, so the page's outer layout and the article's own markup (paragraphs, headings)
    survive and the result nests at most ``2 * keep`` levels. An approximation of HTML tree building
    (void elements, implied ends of p/li/td...), used only when libxml2 has given up on a page.
    """
    levels: list[list[int]] = []  # per element: [its depth, the deepest depth below it]
    tags: list[tuple[int, int, int, str]] = []  # (start, end, element, name) of each start and end tag
    stack: list[tuple[str, int]] = []

    def close(to: int) -> None:
        while len(stack) > to:
            _, element = stack.pop()
            if stack:
                parent = levels[stack[-1][1]]
                parent[1] = max(parent[1], levels[element][1])

    for m in _TAG.finditer(html):
        closing, name = m.group(1), m.group(2).lower()
        if name in _VOID or m.group(0).endswith("/>"):
            continue
        if not closing:
            if name in _SELF_CLOSING_SIBLINGS and stack and stack[-1][0] == name:
                close(len(stack) - 1)
            levels.append([len(stack), len(stack)])
            stack.append((name, len(levels) - 1))
            tags.append((m.start(), m.end(), len(levels) - 1, name))
            continue
        for i in range(len(stack) - 1, max(-1, len(stack) - 65), -1):
            if stack[i][0] == name:
                tags.append((m.start(), m.end(), stack[i][1], name))
                close(i)
                break
    close(0)
    parts: list[str] = []
    pos = 0
    for start, end, element, name in tags:
        depth, deepest = levels[element]
        if depth >= keep and deepest - depth >= keep:
            parts.append(html[pos:start])
            parts.append("\n" if name in _BLOCKISH else "")
            pos = end
    parts.append(html[pos:])
    return "".join(parts)


def _limit_attributes(html: str) -> str:
    """Keep the first ``_MAX_ATTR_COUNT`` attributes of every very long tag."""

    def trim(m: re.Match[str]) -> str:
        attrs = _ATTRIBUTE.findall(m.group(2))
        if len(attrs) <= _MAX_ATTR_COUNT:
            return m.group(0)
        return f"<{m.group(1)} {' '.join(attrs[:_MAX_ATTR_COUNT])}>"

    # A long tag lies between one "<" and the next: only a page with such a stretch is searched.
    pieces = html.split("<")
    if max(map(len, pieces)) <= _LONG_TAG_MIN or not any(
        len(piece) > _LONG_TAG_MIN and _LONG_TAG_REST.match(piece) for piece in pieces
    ):
        return html
    return _LONG_TAG.sub(trim, html)


def _drop_tag(el: HtmlElement) -> None:
    """Unwrap ``el``; a block element's text stays a line of its own."""
    if el.tag in _BLOCKISH:
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    el.drop_tag()


@functools.cache
def _deeper_than(limit: int) -> lxml.etree.XPath:
    """An XPath telling whether any node sits more than ``limit`` levels below the root element."""
    return lxml.etree.XPath("boolean(" + "/*" * (limit + 2) + ")")


def _flatten_deep(root: HtmlElement, limit: int = MAX_DEPTH) -> None:
    """Bring every element within ``limit`` levels, keeping all text, its order and its paragraphs.

    First the useless nesting goes: elements that only wrap one element (no text of their own) and hold
    something too deep. If the page is still too deep (text at every level), the deepest elements are
    unwrapped, each block's text kept on a line of its own.
    """
    if not _deeper_than(limit)(root):  # the usual case, decided in C
        return
    elements = [root, *root.iterdescendants()]
    depth = {root: 0}
    for el in elements[1:]:
        depth[el] = depth[el.getparent()] + 1
    if max(depth.values()) <= limit:
        return
    deepest = dict(depth)  # deepest level below each element
    for el in reversed(elements[1:]):
        parent = el.getparent()
        if deepest[el] > deepest[parent]:
            deepest[parent] = deepest[el]
    wrappers = [
        el
        for el in elements[1:]
        if deepest[el] > limit
        and isinstance(el.tag, str)
        and el.tag not in ("body", "head")
        and len(el) == 1
        and not (el.text or "").strip()
        and not (el[0].tail or "").strip()
    ]
    for el in wrappers:
        if el.getparent() is not None:
            el.drop_tag()
    deep = [el for el in root.iterdescendants() if isinstance(el.tag, str)]
    depth = {root: 0}
    too_deep: list[HtmlElement] = []
    for el in deep:
        d = depth[el] = depth[el.getparent()] + 1
        if d > limit:
            too_deep.append(el)
    # shallowest first: each text moves up once (deepest first would carry the deepest text up every level)
    for el in too_deep:
        _drop_tag(el)
    # Flattened tables can leave text directly in a row or table, where the row-by-cells reading of the
    # cleaner would not see it: such an element is a plain block now.
    for el in root.iter("table", "thead", "tbody", "tfoot", "tr"):
        if (el.text or "").strip() or any((child.tail or "").strip() for child in el):
            el.tag = "div"
    log.debug("flattened deep nesting: %d wrappers, %d deep elements", len(wrappers), len(too_deep))


def _trim_attributes(root: HtmlElement) -> None:
    """Cut huge class/id values to their first words and drop other huge attribute values."""
    for value in _LONG_ATTRS(root):
        el, name = value.getparent(), value.attrname
        if name in ("class", "id"):
            el.set(name, value[:_KEPT_ATTR].rpartition(" ")[0] or value[:_KEPT_ATTR])
        else:
            del el.attrib[name]


# Every element is an lxml.html HtmlElement, as lxml.html's own lookup makes all but its form controls,
# chosen in C: lxml.html's lookup is a Python method, called for each element object Python touches.
# Nothing here uses the form controls' extra properties (value, checked, fields).
_CLASS_LOOKUP = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def html_parser(**options: bool | str) -> lxml.html.HTMLParser:
    """An lxml.html parser (``options`` as lxml's) whose elements get their class without a Python call.

    A new one per parse: an lxml parser must not be used by two threads at once."""
    parser = lxml.html.HTMLParser(**options)
    parser.set_element_class_lookup(_CLASS_LOOKUP)
    return parser


def _parse(data: bytes) -> tuple[HtmlElement | None, bool]:
    """Parse UTF-8 bytes; returns the root and whether libxml2 stopped at its depth limit."""
    parser = html_parser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from exc
    too_deep = any("Excessive depth" in e.message for e in parser.error_log)
    return root, too_deep


def parse_html(
    html: str | bytes, *, http_charset: str | None = None, max_bytes: int = MAX_PAGE_BYTES
) -> HtmlElement:
    """Parse a page into an lxml HTML tree, nested at most ``MAX_DEPTH`` levels.

    Raises ExtractionError for a page larger than ``max_bytes`` (characters for text), for binary data
    ("not HTML") and when nothing can be parsed.
    """
    size = len(html)
    if size > max_bytes:
        raise ExtractionError(
            f"page too large: {size} {'bytes' if isinstance(html, bytes) else 'characters'} "
            f"over the {max_bytes} cap (fetch.max_bytes)"
        )
    raw = html if isinstance(html, bytes) else None
    if isinstance(html, bytes):
        html, _ = decode_html(html, http_charset)
    kind = _binary_kind(html, raw)
    if kind is not None:
        raise ExtractionError(f"not HTML: the page is {kind}")
    html = scrub_text(_CONTROL_REF.sub(_control_char, html))
    html = html.lstrip("\ufeff")
    if html.lstrip().startswith("<?xml"):
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        raise ExtractionError("empty page: no article found")
    html = _limit_attributes(html)
    root, too_deep = _parse(html.encode("utf-8"))
    if too_deep:
        log.debug("page nests past libxml2's depth limit: flattening the source")
        root, too_deep = _parse(_flatten_source(html).encode("utf-8"))
        if too_deep:
            raise ExtractionError("no article found: the page nests too deeply to parse")
    if root is None:
        raise ExtractionError("unparseable HTML: no document")
    _trim_attributes(root)
    _flatten_deep(root)
    return root
