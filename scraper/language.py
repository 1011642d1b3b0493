"""Language identification for pages that do not declare their language (py3langid, a maintained
fork of langid.py, shipped with its model)."""

from __future__ import annotations

import functools
import logging
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["guess_language"]

MIN_PROBABILITY = 0.9  # below this the guess is not worth a field
MIN_CHARS = 40


@functools.cache
def _identifier() -> Any:
    # loading the model takes about a second: only pages without a declared language pay it, once
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def guess_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or None when unsure or too short."""
    text = text[:5000]
    if len(text.strip()) < MIN_CHARS:
        return None
    code, probability = _identifier().classify(text)
    log.debug("language guess %s (p=%.2f)", code, probability)
    return str(code) if probability >= MIN_PROBABILITY else None
