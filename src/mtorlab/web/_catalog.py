"""Read-only catalogues: readouts, the intervention library, the review's figures."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from mtorlab._api import knowledge_base, model
from mtorlab.errors import MtorlabError
from mtorlab.web._errors import ApiError
from mtorlab.web._mapping import ENTITY_READOUT

router = APIRouter(prefix="/api", tags=["catalogue"])

FIGURES = ("fig1", "fig2")


@router.get("/readouts")
def readouts() -> list[dict[str, Any]]:
    """Every readout a scenario can ask for, with its scale, the entity it stands for and
    the species it is measured in (``None``: every species)."""
    m = model()
    entity_of = {r: e for e, r in ENTITY_READOUT.items()}
    kb = knowledge_base()
    out = []
    for rid in m.readout_ids:
        r = m.readout(rid)
        entity = rid if rid in kb.entities else entity_of.get(rid)
        species = list(r.species) if r.species else None  # None: every species
        out.append({"id": rid, "scale": r.scale, "description": r.description,
                    "entity": entity, "species": species})  # fmt: skip
    return out


@lru_cache(maxsize=1)
def _interventions() -> list[dict[str, Any]]:
    from mtorlab.interventions import load_library

    lib = load_library()
    return [
        {
            "id": d.id,
            "kind": d.kind,
            "name_en": d.name_en,
            "name_zh": d.name_zh,
            "routes": list(d.routes),
            "species": sorted(d.pk),
            "formulations": [f.id for f in d.formulations],
            "dose_unit": d.effect_compartment.dose_unit if d.effect_compartment else None,
        }
        for d in lib.entries.values()
    ]


@router.get("/interventions")
def interventions() -> list[dict[str, Any]]:
    """The drug and intervention library: ids, names, routes, species, formulations."""
    return _interventions()


@lru_cache(maxsize=4)
def _figure_svg(name: str, lang: str) -> bytes:
    from mtorlab.figures import figure_dot, load_figures, render

    kb = knowledge_base()
    lang_: Literal["en", "zh"] = "zh" if lang == "zh" else "en"
    return render(figure_dot(kb, load_figures(kb), name, lang=lang_), "svg")


@router.get(
    "/figures/{name}.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def figure(
    name: Annotated[str, Path(max_length=20)],
    lang: Annotated[Literal["en", "zh"], Query()] = "en",
) -> Response:
    """The review's Figure 1 or 2, drawn from the knowledge base (SVG)."""
    if name not in FIGURES:
        raise ApiError(404, f"unknown figure {name!r}; allowed: {', '.join(FIGURES)}", "name")
    try:
        svg = _figure_svg(name, lang)
    except MtorlabError as exc:  # Graphviz missing: the server works, the figure cannot
        raise ApiError(503, str(exc), "name") from None
    return Response(svg, media_type="image/svg+xml")
