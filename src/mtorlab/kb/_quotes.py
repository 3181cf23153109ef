"""Compare quotes with the PDF-extracted review text, modulo whitespace and line breaks."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Drop all whitespace and fold compatibility forms (full-width letters, digits, spaces).

    The review text was extracted from a PDF: it breaks lines mid-sentence and spreads
    some words letter by letter (``m T O R C 2``), so only the sequence of non-space
    characters is meaningful. NFKC folding is applied to both sides alike.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def quote_in_text(quote: str, text: str) -> bool:
    """Whether ``quote`` occurs verbatim in ``text`` once whitespace is ignored."""
    return normalise(quote) in normalise(text)
