"""``mtorlab kb``: summary, show, path, tensions, export and trace of the knowledge base."""

from __future__ import annotations

from typing import Any

import typer

from mtorlab.cli._output import print_json, write_atomic
from mtorlab.cli._scenario import ExtensionOption

LANG_HELP = "Evidence language: zh (Chinese quote), en (English paraphrase) or both."


def _kb() -> Any:
    from mtorlab._api import knowledge_base

    return knowledge_base()


def _check_lang(lang: str) -> str:
    from mtorlab.errors import MtorlabError

    if lang not in ("zh", "en", "both"):
        raise MtorlabError(f"--lang must be zh, en or both, not {lang!r}")
    return lang


def _evidence_lines(evidence: list[dict[str, Any]], lang: str, indent: str = "    ") -> list[str]:
    lines = []
    for ev in evidence:
        if ev.get("source") == "review":
            refs = ",".join(str(r) for r in ev.get("refs", []))
            where = f"review §{ev['section']}" + (f", ref [{refs}]" if refs else "")
        else:
            where = ev.get("citation", "literature")
        lines.append(f"{indent}evidence: {where}")
        if lang in ("zh", "both") and ev.get("quote_zh"):
            lines.append(f"{indent}  「{ev['quote_zh']}」")
        if lang in ("en", "both") or not ev.get("quote_zh"):
            lines.append(f"{indent}  {ev['text_en']}")
    return lines


def _mechanism_lines(m: dict[str, Any], lang: str) -> list[str]:
    arrow = "→" if m["sign"] == "+" else "⊣"
    head = f"  {m['id']}: {m['subject']} {arrow} {m['object']} ({m['type']}"
    head += f", {m['residue']})" if m.get("residue") else ")"
    lines = [head]
    ctx = {k: v for k, v in m.get("context", {}).items() if v}
    if ctx:
        lines.append("    context: " + "; ".join(f"{k}={v}" for k, v in ctx.items()))
    if m.get("claims"):
        lines.append("    claims: " + ", ".join(m["claims"]))
    if m.get("tensions"):
        lines.append("    tensions: " + ", ".join(m["tensions"]))
    return lines + _evidence_lines(m["evidence"], lang)


def register(app: typer.Typer) -> None:
    """Add ``mtorlab kb …`` to ``app``."""
    kb_app = typer.Typer(help="The evidence-linked knowledge base of the review.")
    app.add_typer(kb_app, name="kb")

    @kb_app.callback(invoke_without_command=True)
    def kb_summary(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Summary: counts by kind, claims covered, tensions."""
        if ctx.invoked_subcommand is not None:
            return
        from mtorlab.kb._summary import summary

        s = summary(_kb())
        if as_json:
            print_json(s)
            return
        print(f"mtorlab knowledge base: {s['entities']} entities, {s['mechanisms']} mechanisms")
        print(
            "  entities by kind: " + ", ".join(f"{k} {v}" for k, v in s["entities_by_kind"].items())
        )
        print(
            "  mechanisms by type: "
            + ", ".join(f"{k} {v}" for k, v in s["mechanisms_by_type"].items())
        )
        print(f"  evidence items: {s['evidence_items']}")
        print(
            f"  claims: {s['claims']} ({s['claims_testable']} testable); "
            f"{s['claims_supported_by_mechanisms']} supported by mechanisms; "
            f"testable supported: {s['testable_claims_supported']}/{s['claims_testable']}"
        )
        print(
            f"  tensions: {s['tensions']} ("
            + ", ".join(f"{k} {v}" for k, v in s["tensions_by_status"].items())
            + ")"
        )
        print(f"  known model limitations: {s['limitations']} (mtorlab kb limitations)")

    @kb_app.command("show")
    def kb_show(
        name: str = typer.Argument(..., help="An entity, claim (UP-06), mechanism or tension id."),
        lang: str = typer.Option("both", "--lang", help=LANG_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """The record and its mechanisms, with evidence."""
        from mtorlab.kb._summary import lookup

        lang = _check_lang(lang)
        info = lookup(_kb(), name)
        if as_json:
            print_json(info)
            return
        rec = info["record"]
        if info["type"] == "entity":
            label = rec["name_zh"] if lang == "zh" else rec["name_en"]
            print(f"{rec['id']} — {label} [{rec['kind']}]")
            ids = [f"{k}: {', '.join(rec[k])}" for k in ("hgnc", "uniprot", "chebi") if rec.get(k)]
            if ids:
                print("  " + "; ".join(ids))
        elif info["type"] == "claim":
            print(f"{rec['id']} (§{rec['section']}, testable: {rec['testable']}): {rec['text_en']}")
            print("\n".join(_evidence_lines(rec["evidence"], lang, "  ")))
        elif info["type"] == "limitation":
            print(f"{rec['id']}: {rec['title_en']}  [{rec['status']}]")
            print(f"  claims: {', '.join(rec['claims'])}")
            print(f"  {rec['explanation_en']}")
            return
        elif info["type"] == "tension":
            print(f"{rec['id']}: {rec['title_en']}  [{rec['resolution']['status']}]")
            print(f"  {rec['resolution']['explanation_en']}")
        else:
            print("\n".join(_mechanism_lines(rec, lang)))
            return
        mechs = info.get("mechanisms", [])
        print(f"mechanisms ({len(mechs)}):")
        for m in mechs:
            print("\n".join(_mechanism_lines(m, lang)))
        for t in info.get("tensions", []):
            print(f"tension {t['id']}: {t['title_en']} [{t['resolution']['status']}]")

    @kb_app.command("path")
    def kb_path(
        source: str = typer.Argument(..., help="Start entity (id or name)."),
        target: str = typer.Argument(..., help="End entity (id or name)."),
        limit: int = typer.Option(1, "--limit", "-n", min=1, max=20, help="How many paths."),
        lang: str = typer.Option("en", "--lang", help=LANG_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Signed paths from SOURCE to TARGET through the mechanism graph, with evidence."""
        from mtorlab.errors import MtorlabError
        from mtorlab.kb._graph import paths
        from mtorlab.kb._summary import mechanism_dict, resolve_entity

        kb = _kb()
        lang = _check_lang(lang)
        src, dst = resolve_entity(kb, source), resolve_entity(kb, target)
        found = paths(kb, src, dst, limit=limit)
        if not found:
            raise MtorlabError(f"no path from {src!r} to {dst!r} in the mechanism graph")
        out: list[dict[str, Any]] = [
            {
                "sign": p.sign.value,
                "nodes": list(p.nodes),
                "steps": [mechanism_dict(kb, m) for m in p.steps],
            }
            for p in found
        ]
        if as_json:
            print_json(out)
            return
        for i, p in enumerate(out, 1):
            net = "activates" if p["sign"] == "+" else "inhibits"
            print(f"path {i}: {src} {net} {dst} ({len(p['steps'])} steps)")
            print("  " + _chain(p["steps"]))
            for m in p["steps"]:
                print("\n".join(_mechanism_lines(m, lang)))

    @kb_app.command("tensions")
    def kb_tensions(
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """The review's tensions (CX-1…CX-6) and how the model resolves each."""
        from mtorlab.kb._summary import tension_dict

        ts = [tension_dict(t) for t in _kb().tensions.values()]
        if as_json:
            print_json(ts)
            return
        for t in ts:
            r = t["resolution"]
            print(f"{t['id']}: {t['title_en']}")
            print(f"  claims: {', '.join(t['claims'])}; mechanisms: {', '.join(t['mechanisms'])}")
            print(f"  {r['status']}" + (f" — context: {r['context']}" if r.get("context") else ""))
            print(f"  {r['explanation_en']}")

    @kb_app.command("limitations")
    def kb_limitations(
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Known limitations of the model: the claims and published datasets it does not
        reproduce yet, and why."""
        lims = [lim.model_dump(mode="json") for lim in _kb().limitations.values()]
        if as_json:
            print_json(lims)
            return
        for lim in lims:
            print(f"{lim['id']}: {lim['title_en']}  [{lim['status']}]")
            if lim["claims"]:
                print(f"  claims: {', '.join(lim['claims'])}")
            if lim["datasets"]:
                print(f"  datasets (mtorlab validate): {', '.join(lim['datasets'])}")
            print(f"  {lim['explanation_en']}")

    @kb_app.command("trace")
    def kb_trace(
        readout: str = typer.Argument(..., help="A readout id, e.g. synaptic_strength."),
        lang: str = typer.Option("en", "--lang", help=LANG_HELP),
        depth: int = typer.Option(0, "--depth", min=0, help="Show only the N nearest steps."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        extension: ExtensionOption = None,
    ) -> None:
        """The reactions, mechanisms and review evidence behind a model readout (with
        ``--extension``, of the extended model: its reactions and mechanisms included)."""
        from mtorlab.cli._scenario import extension_contents
        from mtorlab.kb._summary import mechanism_dict
        from mtorlab.ode import load_model

        kb, model = _kb(), load_model()
        if extension:
            from mtorlab.scenario._extension import extend

            model, kb = extend(model, extension_contents(extension), "--extension")
        steps = model.trace(readout)
        if depth:
            steps = steps[:depth]
        out: list[dict[str, Any]] = []
        for element, mechanisms in steps:
            rec = model.reactions.get(element) or model.assignments[element]
            law = rec.rate if element in model.reactions else rec.formula  # type: ignore[union-attr]
            out.append(
                {
                    "element": element,
                    "kind": "reaction" if element in model.reactions else "assignment rule",
                    "name": rec.name,
                    "equation": getattr(rec, "equation", None),
                    "law": law,
                    "mechanisms": [mechanism_dict(kb, kb.mechanisms[m]) for m in mechanisms],
                }
            )
        if as_json:
            print_json(out)
            return
        n_mech = len({m["id"] for step in out for m in step["mechanisms"]})
        print(f"{readout}: {len(out)} reactions and rules, {n_mech} mechanisms of the review")
        for step in out:
            if step["equation"]:
                print(f"{step['element']} [reaction] {step['equation']}")
                print(f"  rate: {step['law']}")
            else:
                print(f"{step['element']} [rule] {step['element']} = {step['law']}")
            for m in step["mechanisms"]:
                print("\n".join("  " + line for line in _mechanism_lines(m, lang)))

    @kb_app.command("export")
    def kb_export(
        fmt: str = typer.Option(..., "--format", "-f", help="json, graphml or sif."),
        output: str = typer.Option(..., "--output", "-o", help="File to write."),
    ) -> None:
        """Write the knowledge base as JSON, GraphML or SIF."""
        from mtorlab.cli._output import check_output_path
        from mtorlab.kb._export import export

        check_output_path(output, "-o")
        path = write_atomic(output, export(_kb(), fmt))
        print(f"wrote {path}")


def _chain(steps: list[dict[str, Any]]) -> str:
    parts = [steps[0]["subject"]]
    for m in steps:
        parts.append(("→ " if m["sign"] == "+" else "⊣ ") + m["object"])
    return " ".join(parts)
