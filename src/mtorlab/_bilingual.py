"""A message in English that carries its Chinese version (the dashboard is bilingual).

A :class:`Bilingual` is the English ``str`` itself, so every place that prints, joins or
stores a warning keeps working; ``zh`` holds the Chinese text, which the dashboard shows
when its language is Chinese.
"""

from __future__ import annotations

from typing import Any

#: Species names as the Chinese messages write them.
SPECIES_ZH = {"human": "人", "mouse": "小鼠", "rat": "大鼠"}


class Bilingual(str):
    """English text with its Chinese version in ``zh``."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Bilingual:
        obj = super().__new__(cls, en)
        obj.zh = zh
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # keeps ``zh`` through pickling (worker processes)
        return (Bilingual, (str(self), self.zh))


def where_zh(where: str) -> str:
    """A message's place (``interventions #2``) as the Chinese messages write it."""
    return where.replace("interventions #", "干预 #")


def chinese(message: str) -> str:
    """The Chinese version of a message, or the message itself where it has none."""
    return getattr(message, "zh", None) or str(message)
