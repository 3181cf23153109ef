"""The figure selections (``data/figures.yaml``): which entities each figure shows, grouped."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mtorlab.errors import DataFileError, UnknownIdError
from mtorlab.kb import KnowledgeBase

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Group(_Record):
    """A box of the figure: entities, and groups nested inside it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_en: str
    label_zh: str
    entities: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()

    def label(self, lang: Lang) -> str:
        """The group's title in ``lang``."""
        return self.label_zh if lang == "zh" else self.label_en

    def all_entities(self) -> Iterator[str]:
        """The entities of this group and of the groups inside it."""
        yield from self.entities
        for g in self.groups:
            yield from g.all_entities()


class FigureSpec(_Record):
    """One figure: title, groups of entities, mechanisms left out."""

    title_en: str
    title_zh: str
    groups: tuple[Group, ...] = Field(min_length=1)
    exclude: tuple[str, ...] = ()

    def title(self, lang: Lang) -> str:
        """The figure's title in ``lang``."""
        return self.title_zh if lang == "zh" else self.title_en

    def entities(self) -> list[str]:
        """All entity ids the figure shows, in group order."""
        return [e for g in self.groups for e in g.all_entities()]


class Label(_Record):
    """A short name for drawings, in both languages."""

    en: str
    zh: str


class FigureData(_Record):
    """All figures and the short labels they share."""

    labels: dict[str, Label] = {}
    figures: dict[str, FigureSpec]

    def label(self, kb: KnowledgeBase, entity_id: str, lang: Lang) -> str:
        """The short label of an entity, or its knowledge-base name in ``lang``."""
        short = self.labels.get(entity_id)
        if short is not None:
            return short.zh if lang == "zh" else short.en
        e = kb.entities[entity_id]
        return e.name_zh if lang == "zh" else e.name_en

    def figure(self, name: str) -> FigureSpec:
        """The figure called ``name``."""
        try:
            return self.figures[name]
        except KeyError:
            raise UnknownIdError("figure", name, tuple(self.figures)) from None

    def check(self, kb: KnowledgeBase, path: str = "figures.yaml") -> FigureData:
        """Check every id against the knowledge base; return self."""
        for eid in self.labels:
            if eid not in kb.entities:
                raise DataFileError(path, f"unknown entity {eid!r}", entry="labels")
        for name, fig in self.figures.items():
            seen: set[str] = set()
            for eid in fig.entities():
                if eid not in kb.entities:
                    raise DataFileError(path, f"unknown entity {eid!r}", entry=name)
                if eid in seen:
                    raise DataFileError(path, f"entity {eid!r} is in two groups", entry=name)
                seen.add(eid)
            for mid in fig.exclude:
                if mid not in kb.mechanisms:
                    raise DataFileError(
                        path, f"unknown mechanism {mid!r}", entry=name, field="exclude"
                    )
        return self


def default_figures_file() -> Path:
    """The figure selections shipped with the package."""
    return Path(str(resources.files("mtorlab.figures") / "data" / "figures.yaml"))


def load_figures(kb: KnowledgeBase, path: str | Path | None = None) -> FigureData:
    """Read and validate the figure selections against ``kb``."""
    p = Path(path) if path is not None else default_figures_file()
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(str(p), f"cannot read: {exc}") from None
    try:
        data = FigureData.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise DataFileError(str(p), f"{where}: {err['msg']}") from None
    return data.check(kb, str(p))
