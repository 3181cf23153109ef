"""``mtorlab report``: scenarios, plots, readout tables, evidence and provenance in one page.

The page is self-contained (images inline as data URIs, inline CSS): it can be mailed or
archived as one file. For each intervention it lists the model inputs it drives and the
knowledge-base mechanisms with the review's quotes; for each drug, the PK and potency
numbers with their provenance.
"""

from __future__ import annotations

import base64
import dataclasses
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CSS = (
    "body{font-family:sans-serif;max-width:1250px;margin:auto;padding:1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;"
    "font-size:13px;text-align:left}th{background:#f3f3f3}pre{background:#f7f7f7;padding:8px}"
    "img{max-width:100%}.q{color:#555}.meta{color:#666;font-size:13px}"
)


@dataclass
class Run:
    """One scenario of the report: its file, text, table and run id."""

    path: Path
    text: str
    scenario: Any
    frame: Any
    run_id: str


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _evidence(names: set[str], lib: Any, kb: Any) -> str:
    parts = []
    for name in sorted(names):
        drug = lib.get(name)
        parts.append(f"<h3>{html.escape(drug.name_en)} ({html.escape(drug.name_zh)})</h3>")
        for t in drug.targets:
            hill = f"Hill: EC50 {t.ec50.value:g} {t.ec50.unit}, Emax {t.emax:g}"
            parts.append(f"<p>drives model input <code>{t.input}</code> ({hill}) through:</p><ul>")
            for mid in t.mechanisms:
                m = kb.mechanisms[mid]
                ev = m.evidence[0]
                refs = f" [{', '.join(map(str, ev.refs))}]" if ev.refs else ""
                where = f"review §{ev.section}{refs}" if ev.source == "review" else ev.citation
                quote = (
                    f"<br><span class=q>「{html.escape(ev.quote_zh)}」</span>"
                    if ev.quote_zh
                    else ""
                )
                arrow = "→" if m.sign.value == "+" else "⊣"
                text = f"{html.escape(ev.text_en)} ({html.escape(str(where))})"
                parts.append(
                    f"<li><b>{mid}</b>: {m.subject} {arrow} {m.object} — {text}{quote}</li>"
                )
            parts.append("</ul>")
    return "".join(parts)


def _provenance(names: set[str], lib: Any, species: set[str]) -> str:
    from mtorlab.interventions import Quantity

    rows: list[list[object]] = []
    for name in sorted(names):
        drug = lib.get(name)
        blocks: list[tuple[str, Any]] = [
            (f"{sp} PK", drug.pk[sp]) for sp in sorted(species) if sp in drug.pk
        ]
        if drug.effect_compartment is not None:
            blocks.append(("effect compartment", drug.effect_compartment))
        blocks += [(f"target {t.input}", t) for t in drug.targets]
        for label, block in blocks:
            for field in type(block).model_fields:
                value = getattr(block, field)
                items = (
                    [(f"{field}.{k}", v) for k, v in value.items()]
                    if isinstance(value, dict)
                    else [(field, value)]
                )
                for key, q in items:
                    if isinstance(q, Quantity):
                        p = q.provenance
                        src = (
                            getattr(p, "source", None)
                            or getattr(p, "claim", None)
                            or getattr(p, "target", None)
                            or getattr(p, "reason", "")
                        )
                        rows.append(
                            [
                                name,
                                label,
                                key,
                                f"{q.value:g} {q.unit}",
                                f"[{q.range[0]:g}, {q.range[1]:g}]",
                                p.kind,
                                src,
                            ]
                        )
    return _table(
        rows, ["drug", "block", "quantity", "value", "range", "provenance", "source / reason"]
    )


def _extensions(extensions: Sequence[Any], kb: Any) -> str:
    """One table row per record a scenario's model extensions add, with its provenance or
    the mechanisms (and their first evidence) it implements."""
    rows: list[list[object]] = []
    seen: set[str] = set()
    for ext in extensions:
        source = str(ext.get("source", "(inline)"))
        for p in ext.get("parameters", ()):
            prov = p.get("provenance", {})
            why = (
                prov.get("source") or prov.get("claim") or prov.get("target") or prov.get("reason")
            )
            value = f"{p.get('value')} {p.get('unit')}"
            rows.append([source, "parameter", p.get("id"), value, prov.get("kind"), why])
        for kind in ("species", "reactions", "assignments"):
            for rec in ext.get(kind, ()):
                text = rec.get("rate") or rec.get("formula") or rec.get("description", "")
                mechs = ", ".join(rec.get("mechanisms", ()))
                rows.append([source, kind.rstrip("s"), rec.get("id"), text, "", mechs])
        for m in ext.get("mechanisms", ()):
            if m.get("id") in seen or m.get("id") not in kb.mechanisms:
                continue
            seen.add(m["id"])
            rec = kb.mechanisms[m["id"]]
            ev = rec.evidence[0]
            where = ev.citation if ev.source == "literature" else f"review §{ev.section}"
            arrow = "→" if rec.sign.value == "+" else "⊣"
            rows.append([source, "mechanism", rec.id, f"{rec.subject} {arrow} {rec.object}",
                         ev.source, f"{ev.text_en} ({where})"])  # fmt: skip
    return _table(rows, ["extension", "record", "id", "value / rate law", "provenance", "source"])


def build_report(runs: Sequence[Run], out: Path) -> Path:
    """Write ``out/index.html`` for ``runs``; return its path."""
    import roadrunner

    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.cli._output import write_atomic
    from mtorlab.cli._simulate import SUMMARY_HEADER, summary_rows
    from mtorlab.io import to_sbml
    from mtorlab.plots import time_courses
    from mtorlab.scenario import scenario_library
    from mtorlab.scenario._extension import scenario_kb
    from mtorlab.store import sha256

    kb = mt.knowledge_base()
    mechanisms = dict(kb.mechanisms)
    lib = library()
    for run in runs:  # drugs a scenario brings (its drugs: block, --library entries)
        lib = scenario_library(run.scenario, lib)
        mechanisms.update(scenario_kb(run.scenario.extensions).mechanisms)  # and extensions'
    kb = dataclasses.replace(kb, mechanisms=mechanisms)
    sections = []
    for run in runs:
        readouts = list(run.frame.columns[1:])
        png = time_courses({run.scenario.name: run.frame}, readouts[:12], title=run.scenario.name)
        sections.append(
            f"<h2>{html.escape(run.scenario.name)}</h2><p class=meta>{html.escape(str(run.path))}; "
            f"run <code>{run.run_id}</code></p><pre>{html.escape(run.text)}</pre>"
            + _img(png, run.scenario.name)
            + _table(summary_rows(run.frame), SUMMARY_HEADER)
        )
    if len(runs) > 1:
        common = [c for c in runs[0].frame.columns[1:] if all(c in r.frame.columns for r in runs)]
        png = time_courses(
            {r.scenario.name: r.frame for r in runs}, common[:12], title="comparison"
        )
        sections.append("<h2>Comparison</h2>" + _img(png, "comparison"))
    names = {iv.name for r in runs for iv in r.scenario.interventions}
    species = {r.scenario.species for r in runs}
    if names:
        sections.append(
            "<h2>How each intervention acts: the evidence</h2>" + _evidence(names, lib, kb)
        )
        sections.append("<h2>The numbers behind it: PK and potency with provenance</h2>"
                        + _provenance(names, lib, species))  # fmt: skip
    extensions = [ext for r in runs for ext in r.scenario.extensions]
    if extensions:
        sections.append("<h2>Model extensions: what they add, with provenance</h2>"
                        + _extensions(extensions, kb))  # fmt: skip
    meta = (f"mtorlab {mt.__version__}; libRoadRunner {roadrunner.__version__}; model SBML sha256 "
            f"{sha256(to_sbml(mt.model(), miriam=False))[:16]}…"
            + ("; runs with the model extensions listed below" if extensions else ""))  # fmt: skip
    page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>mtorlab report</title>"
            f"<style>{CSS}</style><h1>mtorlab report</h1><p class=meta>{html.escape(meta)}</p>"
            + "".join(sections) + "</html>")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    return write_atomic(out / "index.html", page)
