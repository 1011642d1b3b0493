"""Language identification for pages that do not declare their language: the commonest function words.

A table of function words is enough for the long texts it sees (the body of an article) and costs nothing
to load; a statistical identifier (py3langid) was tried and needs about 120 MB and a second to load its
model, more than the rest of the extractor.
"""

from __future__ import annotations

import re

__all__ = ["guess_language"]

MIN_WORDS = 30
MIN_SHARE = 0.08  # of the words: below this the guess is not worth a field

_WORD = re.compile(r"[^\W\d_]+")
# The commonest function words of a few languages, for pages that do not declare theirs.
STOPWORDS = {
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "that",
            "for",
            "it",
            "on",
            "was",
            "with",
            "as",
            "are",
            "be",
            "by",
            "at",
            "this",
            "have",
            "from",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "und",
            "das",
            "ist",
            "nicht",
            "mit",
            "den",
            "von",
            "zu",
            "ein",
            "eine",
            "im",
            "sich",
            "auf",
            "für",
            "des",
            "dem",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "et",
            "des",
            "est",
            "une",
            "du",
            "que",
            "pour",
            "dans",
            "qui",
            "en",
            "sur",
            "pas",
            "au",
            "avec",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "de",
            "que",
            "y",
            "en",
            "los",
            "las",
            "del",
            "se",
            "por",
            "con",
            "una",
            "para",
            "es",
            "su",
            "al",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "de",
            "que",
            "e",
            "do",
            "da",
            "em",
            "um",
            "para",
            "com",
            "não",
            "uma",
            "os",
            "no",
            "se",
            "na",
            "por",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "di",
            "che",
            "e",
            "la",
            "per",
            "un",
            "non",
            "una",
            "sono",
            "del",
            "della",
            "con",
            "le",
            "si",
            "gli",
        ]
    ),
    "nl": frozenset(
        ["de", "het", "een", "en", "van", "is", "dat", "op", "te", "in", "zijn", "niet", "met", "voor", "die"]
    ),
    "id": frozenset(
        [
            "yang",
            "dan",
            "di",
            "ini",
            "itu",
            "dengan",
            "untuk",
            "tidak",
            "dari",
            "dalam",
            "akan",
            "pada",
            "ada",
            "juga",
        ]
    ),
}


def guess_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or None when unsure or too short."""
    words = _WORD.findall(text[:20_000].lower())
    if len(words) < MIN_WORDS:
        return None
    counts = {lang: sum(1 for w in words if w in stop) for lang, stop in STOPWORDS.items()}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] >= MIN_SHARE * len(words) else None
