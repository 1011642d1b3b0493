"""Text normalisation shared by the cleaning stages."""

from __future__ import annotations

import functools
import re
import unicodedata

from .rules import INVISIBLE, SPACES

__all__ = [
    "CONTROL_CHARS",
    "CONTROL",
    "CONTROL_BYTES",
    "C1_CONTROL_UTF8",
    "normalize_text",
    "caption_key",
    "count_words",
]

# C0 and C1 control characters except tab, newline and carriage return: the body of a character class,
# for the patterns that add to it (parse.py's scrubbing and binary test). The terminal's set, which
# escapes tab and newlines too, is another on purpose (commands/_common.printable).
CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
CONTROL = re.compile(f"[{CONTROL_CHARS}]")
# The same characters in a text's UTF-8 bytes, where a long text is searched faster: a C0 control or DEL
# is its own byte (CONTROL_BYTES, for bytes.translate), a C1 control is 0xC2 and a byte from 0x80 to 0x9F
# (C1_CONTROL_UTF8). No other character's encoding holds either.
CONTROL_BYTES = bytes(c for c in range(0x80) if CONTROL.match(chr(c)))
C1_CONTROL_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_KEY_STRIP = re.compile(r"[\W_]+")


def normalize_text(text: str) -> str:
    """NFC, no invisible or control characters, runs of spaces collapsed, ends trimmed (newlines kept)."""
    return _normalize(text) if len(text) > _CACHED_MAX else _normalized(_plain(text))


def caption_key(text: str) -> str:
    """A comparison key: casefolded words only, so punctuation and spacing do not matter."""
    return _caption_key(text) if len(text) > _CACHED_MAX else _cached_caption_key(_plain(text))


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE.sub("", text)
    text = CONTROL.sub(" ", text)
    text = SPACES.sub(" ", text)  # carriage returns too
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _caption_key(text: str) -> str:
    return " ".join(_KEY_STRIP.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


# Both are asked again of the same strings: a paragraph is read for each content pick and for its caption
# and repeat tests. Cached per distinct string (pure functions of it), paragraph-sized ones only: the
# cache keeps its strings (a page asks for a few hundred).
_CACHED_MAX = 2000
_normalized = functools.lru_cache(maxsize=1024)(_normalize)
_cached_caption_key = functools.lru_cache(maxsize=1024)(_caption_key)


def _plain(text: str) -> str:
    # an lxml "smart" string (a str subclass) would keep its whole page alive in the cache
    return text if type(text) is str else str(text)


_WORD = re.compile(r"\w+")
# Scripts written without spaces between words: Han, kana, Hangul, Thai.
_UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def count_words(text: str) -> int:
    """Words in ``text``; in scripts written without spaces, one word per two characters."""
    if not _UNSPACED.search(text):
        return len(_WORD.findall(text))
    count = 0
    for token in _WORD.findall(text):
        unspaced = len(_UNSPACED.findall(token))
        count += 1 if not unspaced else max(1, (unspaced + 1) // 2 + (1 if unspaced < len(token) else 0))
    return count
