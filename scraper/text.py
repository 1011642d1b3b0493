"""Text normalisation shared by the cleaning stages."""

from __future__ import annotations

import re
import unicodedata

from .rules import INVISIBLE, SPACES

__all__ = ["normalize_text", "caption_key"]

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_KEY_STRIP = re.compile(r"[\W_]+")


def normalize_text(text: str) -> str:
    """NFC, no invisible or control characters, runs of spaces collapsed, ends trimmed (newlines kept)."""
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE.sub("", text)
    text = _CONTROL.sub(lambda m: "\n" if m.group() in "\n" else " ", text)
    text = SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def caption_key(text: str) -> str:
    """A comparison key: casefolded words only, so punctuation and spacing do not matter."""
    return " ".join(_KEY_STRIP.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())
