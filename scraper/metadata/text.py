"""Small text helpers of the metadata sources: cleaning, comparison keys, URLs, short element text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

WS = re.compile(r"\s+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\xad\u200b-\u200d\u2060\ufeff]")


def clean(text: Any) -> str | None:
    """Unescape entities, drop control characters and collapse whitespace; None for empty text."""
    if text is None:
        return None
    if not isinstance(text, str):
        if isinstance(text, int | float) and not isinstance(text, bool):
            text = str(text)
        else:
            return None
    if "&" in text:
        text = html.unescape(text)
    text = WS.sub(" ", CONTROL.sub("", text)).strip()
    return text or None


def fold(text: str) -> str:
    """A comparison key: casefolded, typographic quotes and dashes made plain, spaces collapsed."""
    text = text.casefold()
    for src, dst in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("\xa0", " ")):
        text = text.replace(src, dst)
    return WS.sub(" ", text).strip()


def absolute(link: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL for ``link`` against ``base``, or None."""
    link = clean(link)
    if not link or link.startswith(("data:", "javascript:", "#")):
        return None
    if link.startswith("//"):
        scheme = urlsplit(base).scheme if base else ""
        link = f"{scheme or 'https'}:{link}"
    if base:
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    return link if link.startswith(("http://", "https://")) else None


def short_text(el: HtmlElement, limit: int) -> str | None:
    """The element's text when shorter than ``limit`` characters, else None (without reading it all)."""
    parts: list[str] = []
    size = 0
    for piece in el.itertext():
        size += len(piece.strip())
        if size >= limit:
            return None
        parts.append(piece)
    return "".join(parts)


def dedupe(values: Iterable[str], limit: int) -> tuple[str, ...]:
    """The values in order, each once (compared folded), at most ``limit`` of them."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = fold(value)
        if key and key not in seen:
            seen.add(key)
            out.append(value)
        if len(out) >= limit:
            break
    return tuple(out)
