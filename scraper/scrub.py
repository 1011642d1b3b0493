"""Scrubbing: no control characters, terminal escape sequences, lone surrogates or URL credentials in
anything built from a page. ``parse.py`` scrubs the page's text before parsing; ``scrub_record`` is the
last guard before a record leaves extraction.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

from .record import strip_credentials
from .text import C1_CONTROL_UTF8, CONTROL, CONTROL_BYTES, CONTROL_CHARS

__all__ = ["scrub_record", "scrub_text", "scrub_url"]

# Terminal escape sequences (CSI "ESC [ ... final", OSC "ESC ] ... BEL/ST", two-character escapes): the
# whole sequence goes, not only the ESC, so no "[31m" residue is left in the text.
_ANSI = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]?|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]?"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE = re.compile(f"[{CONTROL_CHARS}\ud800-\udfff]")  # what scrub_text removes or replaces
# From this length, _UNSAFE is looked for in the text's UTF-8 bytes (text.CONTROL_BYTES), faster; a lone
# surrogate does not encode.
_LONG_TEXT = 4096

T = TypeVar("T")


def _unsafe(text: str) -> bool:
    """Whether ``text`` holds anything scrub_text removes or replaces (``_UNSAFE``)."""
    if len(text) < _LONG_TEXT:
        return _UNSAFE.search(text) is not None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return len(data.translate(None, CONTROL_BYTES)) != len(data) or C1_CONTROL_UTF8.search(data) is not None


def scrub_text(text: str) -> str:
    """``text`` without terminal escape sequences, control characters (tab and newlines kept) or lone surrogates."""
    if not _unsafe(text):  # the usual case, checked in one pass
        return text
    if "\x1b" in text or "\x9b" in text:
        text = _ANSI.sub("", text)
    text = CONTROL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def scrub_url(url: str) -> str:
    """``url`` without a ``user:password@`` part and without control characters."""
    return strip_credentials(scrub_text(url))


def _scrub_value(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return scrub_url(value) if name.endswith("url") else scrub_text(value)
    if isinstance(value, tuple):
        if not name.endswith("url") and _plain_strings(value):
            return value  # the usual case, checked in one pass: e.g. the body's thousands of blocks
        return tuple(_scrub_value(name, v) for v in value)
    if isinstance(value, dict):
        return {k: _scrub_value(k, v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return scrub_record(value)
    return value


def _plain_strings(value: tuple[Any, ...]) -> bool:
    """A tuple of strings (or of tuples of strings) with nothing to scrub in any of them."""
    try:
        joined = "\n".join(v if isinstance(v, str) else "\n".join(v) for v in value)
    except TypeError:  # not only strings: scrub item by item
        return False
    return not _unsafe(joined)


def scrub_record(record: T) -> T:
    """A copy of a dataclass record with every string scrubbed; fields named ``*url`` lose credentials.

    The last guard before a record leaves extraction: values from JSON-LD, attributes or the caller's
    URL never carry escape sequences, control characters or passwords into records or terminals.
    """
    assert dataclasses.is_dataclass(record) and not isinstance(record, type)
    changes = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        scrubbed = _scrub_value(f.name, value)
        if scrubbed != value:
            changes[f.name] = scrubbed
    return dataclasses.replace(record, **changes) if changes else record
