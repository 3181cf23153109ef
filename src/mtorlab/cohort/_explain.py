"""Why a strategy works in the model: the mechanistic readouts that move most against the
untreated arm, each with one or two knowledge-base mechanisms and their evidence."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    from mtorlab.cohort._rank import Strategy
    from mtorlab.interventions import Drug
    from mtorlab.kb import KnowledgeBase
    from mtorlab.kb._schema import Mechanism
    from mtorlab.ode import Model

TOP_READOUTS = 3
REL_FLOOR = 1e-9  # |untreated| below this: relative change undefined, patient skipped


def _entity_kind(kb: KnowledgeBase, entity: str) -> str:
    e = kb.entities.get(entity)
    return e.kind.value if e is not None else ""


def _evidence_summary(m: Mechanism) -> dict[str, Any]:
    """Where a mechanism's evidence comes from: review sections and references, or papers."""
    review = [e for e in m.evidence if e.source == "review"]
    if review:
        sections = list(dict.fromkeys(str(e.section) for e in review))
        refs = sorted({r for e in review for r in e.refs})
        text = "review " + ", ".join(f"§{x}" if x[:1].isdigit() else x for x in sections)
        if refs:
            text += f" [{', '.join(map(str, refs))}]"
        return {"source": "review", "sections": sections, "refs": refs, "text": text}
    cites = [str(e.citation) for e in m.evidence if e.citation]
    short = []
    for c in cites:  # "Wong DT, Bymaster FP, Engleman EA 1995, Life Sci …" → "Wong DT et al. 1995"
        found = re.match(r"^(.*?)\s*\b((?:19|20)\d{2}[a-z]?)\b", c)
        if found is None:
            short.append(c)
            continue
        authors = [a for a in found.group(1).split(",") if a.strip()]
        first = authors[0].strip() if authors else ""
        more = " et al." if len(authors) > 1 else ""
        short.append(f"{first}{more} {found.group(2)}".strip())
    return {"source": "literature", "citations": cites, "text": "; ".join(short)}


def _upstream_step(model: Model, steps: list[tuple[str, tuple[str, ...]]], name: str) -> int:
    """Index of the nearest trace step whose rate law or rule uses ``name`` (-1: none)."""
    from mtorlab.ode._formula import symbols

    for j, (element, _) in enumerate(steps):
        if element in model.assignments:
            formula = model.assignments[element].formula
        else:
            formula = model.reactions[element].rate
        if name in symbols(formula):
            return j
    return -1


def _strategy_drugs(strategy: Strategy) -> list[Drug]:
    from mtorlab._api import library
    from mtorlab.scenario._extension import extension_mechanisms

    lib = library()
    if strategy.drugs:  # new drugs the strategies file (or --library) brings; they may cite
        # the mechanisms of the strategy's model extensions
        lib = lib.extended(strategy.drugs, f"strategy {strategy.id!r}: drugs",
                           mechanisms=extension_mechanisms(strategy.extensions))  # fmt: skip
    out = []
    for iv in strategy.interventions:
        name = iv.get("drug", iv.get("intervention"))
        if name is None:
            continue
        try:
            out.append(lib.get(str(name)))
        except MtorlabError:  # a drug the scenario defines itself: no library targets
            continue
    return out


def _mechanisms_for(readout: str, strategy: Strategy) -> list[str]:
    """One or two knowledge-base mechanisms that explain a readout's change under a strategy.

    The mechanism nearest the readout in the model's trace (the step that sets it),
    skipping steps of other drugs, interventions or conditions: the one the strategy's
    entry point acts through if the readout's own step has it (e.g. SERT → serotonin
    under fluoxetine), else the first with review evidence. Then the strategy's entry point
    upstream of the readout (a drug target's mechanism, or a trace step the strategy's
    entity drives), the one nearest the readout.
    """

    model, kb = _model_and_kb(strategy)
    steps = model.trace(readout)
    drugs = _strategy_drugs(strategy)
    own_entities = {d.kb_entity for d in drugs if d.kb_entity} | {d.id for d in drugs}
    entries: list[tuple[int, int, str]] = []  # (trace step, order, mechanism)
    for j, (_, mids) in enumerate(steps):
        for m in mids:
            if m in kb.mechanisms and kb.mechanisms[m].subject in own_entities:
                entries.append((j, len(entries), m))
    for d in drugs:
        for t in d.targets:
            j = _upstream_step(model, steps, t.input)
            if j >= 0:
                entries.extend((j, len(entries), m) for m in t.mechanisms if m in kb.mechanisms)
    entry = min(entries)[2] if entries else None

    def usable(m: str) -> bool:
        return (
            m in kb.mechanisms
            and _entity_kind(kb, kb.mechanisms[m].subject)
            not in ("drug", "intervention", "condition")
            and kb.mechanisms[m].type.value != "complex_formation"
        )

    candidates = list(dict.fromkeys(m for _, mids in steps for m in mids if usable(m)))
    nearest = [m for m in (steps[0][1] if steps else ()) if usable(m)]
    target = kb.mechanisms[entry].object if entry is not None else None
    via_entry = [
        m for m in nearest if target not in (None, readout) and kb.mechanisms[m].subject == target
    ]
    reviewed = [
        m for m in candidates if any(e.source == "review" for e in kb.mechanisms[m].evidence)
    ]
    picked = (via_entry or reviewed or candidates)[:1]
    if entry is not None and entry not in picked:
        picked.append(entry)
    return picked


def format_change(x: float) -> str:
    """A relative change as a signed percentage, e.g. ``+35%``, ``-4.2%``, ``+0.12%``."""
    pct = 100.0 * x
    if abs(pct) >= 10:
        return f"{pct:+.0f}%"
    if abs(pct) >= 1:
        return f"{pct:+.1f}%"
    return f"{pct:+.2g}%"


def _model_and_kb(strategy: Strategy) -> tuple[Model, KnowledgeBase]:
    """The model and knowledge base a strategy runs on (with its model extensions)."""
    import mtorlab as mt
    from mtorlab.scenario._extension import extend

    if strategy.extensions:
        return extend(mt.model(), strategy.extensions, f"strategy {strategy.id!r}")
    return mt.model(), mt.knowledge_base()


def explain(strategy: Strategy, changes: dict[str, float]) -> list[dict[str, Any]]:
    """The top readouts by absolute weighted relative change, with their evidence."""
    kb = _model_and_kb(strategy)[1]
    ranked = sorted(
        ((r, c) for r, c in changes.items() if math.isfinite(c)),
        key=lambda rc: (-abs(rc[1]), rc[0]),
    )
    out = []
    for r, c in ranked[:TOP_READOUTS]:
        mechs = []
        for mid in _mechanisms_for(r, strategy):
            m = kb.mechanisms[mid]
            mechs.append(
                {
                    "id": mid,
                    "subject": m.subject,
                    "object": m.object,
                    "sign": m.sign.value,
                    "evidence": _evidence_summary(m),
                }
            )
        out.append({"readout": r, "change": c, "mechanisms": mechs})
    return out


def explanation_text(items: list[dict[str, Any]]) -> str:
    """One line: ``bdnf +35% (m_…: review §2.4 [30], m_…: review §3.1 [30]); …``."""
    parts = []
    for it in items:
        ev = ", ".join(f"{m['id']}: {m['evidence']['text']}" for m in it["mechanisms"])
        parts.append(f"{it['readout']} {format_change(it['change'])}" + (f" ({ev})" if ev else ""))
    return "; ".join(parts)


def relative_change(treated: np.ndarray, untreated: np.ndarray) -> np.ndarray:
    """(treated - untreated) / |untreated|, NaN where the untreated value is (nearly) 0."""
    den = np.abs(untreated)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > REL_FLOOR, (treated - untreated) / den, math.nan)


def weighted_changes(
    items: list[tuple[float, np.ndarray]], readouts: list[str]
) -> dict[str, float]:
    """Importance-weighted mean relative change per readout (patients with a value)."""
    if not items:
        return {}
    w = np.array([x[0] for x in items])[:, None]
    r = np.vstack([x[1] for x in items])
    have = np.isfinite(r)
    sw = (w * have).sum(axis=0)
    num = (w * np.where(have, r, 0.0)).sum(axis=0)
    return {ro: float(num[k] / sw[k]) for k, ro in enumerate(readouts) if sw[k] > 0}
