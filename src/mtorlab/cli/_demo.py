"""``mtorlab demo``: the review's story end to end, written to ``demo/index.html``.

Figures 1 and 2 from the knowledge base; healthy vs chronic stress vs inflammation vs
high-fat diet; a ketamine dose in a stressed rat; ketamine vs esketamine; the esketamine
dose window; esketamine with and without fluoxetine; rapamycin continuous vs intermittent
vs PEG-liposomal. Each panel names the review's claims it illustrates.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import typer

from mtorlab.cli._output import write_atomic


def _scenario(**fields: Any) -> Any:
    import mtorlab as mt
    from mtorlab.scenario import validate_scenario

    base = {"name": "demo", "species": "human", "duration": "2 d"}
    return validate_scenario({**base, **fields}, "demo", mt.model().readout_ids)


def _panels() -> list[tuple[str, str, dict[str, Any], list[str]]]:
    """(title, claims, {label: scenario}, readouts) of each time-course panel."""
    stress = {"chronic_stress": 0.8}
    esk = {"drug": "esketamine", "dose": "0.5 mg/kg", "route": "iv", "at": "2 h", "over": "40 min"}
    ket = {**esk, "drug": "ketamine"}
    fluox = {"drug": "fluoxetine", "dose": "20 mg", "route": "po",
             "schedule": {"start": "0 d", "every": "1 d", "count": 21}}  # fmt: skip
    rapa = {"drug": "rapamycin", "dose": "1 mg/kg", "route": "ip"}
    daily = {"schedule": {"start": "0 d", "every": "1 d", "count": 28}}
    weekly = {"dose": "7 mg/kg", "schedule": {"start": "0 d", "every": "7 d", "count": 4}}
    mouse = {"species": "mouse", "duration": "28 d", "condition": stress}
    one_day = {"duration": "1 d"}
    states = {
        "healthy": _scenario(**one_day),
        "CUMS": _scenario(**one_day, condition=stress),
        "inflammation": _scenario(**one_day, condition={"inflammation": 1.0}),
        "high-fat diet": _scenario(**one_day, condition={"high_fat_diet": True}),
    }
    ketamines = {
        "ketamine": _scenario(condition=stress, interventions=[ket]),
        "esketamine": _scenario(condition=stress, interventions=[esk]),
    }
    three_weeks = {"duration": "21 d", "condition": stress}
    ssri = {
        "esketamine": _scenario(**three_weeks, interventions=[esk]),
        "esketamine + fluoxetine": _scenario(**three_weeks, interventions=[esk, fluox]),
    }
    peg = {**rapa, **daily, "formulation": "peg_liposome"}
    rapamycins = {
        "daily": _scenario(**mouse, interventions=[{**rapa, **daily}]),
        "weekly (same amount)": _scenario(**mouse, interventions=[{**rapa, **weekly}]),
        "PEG-liposome daily": _scenario(**mouse, interventions=[peg]),
    }
    hfd = {"species": "mouse", "duration": "28 d",
           "condition": {"high_fat_diet": True, "chronic_stress": 0.3}}  # fmt: skip
    rapa_eod = {**rapa, "schedule": {"start": "0 d", "every": "2 d", "count": 14}}
    exercise = {"intervention": "exercise", "dose": "30 min",
                "schedule": {"start": "8 h", "every": "1 d", "count": 28}}  # fmt: skip
    metabolic = {
        "high-fat diet": _scenario(**hfd),
        "rapamycin": _scenario(**hfd, interventions=[rapa_eod]),
        "rapamycin + exercise": _scenario(**hfd, interventions=[rapa_eod, exercise]),
    }
    zhizichi = {"drug": "zhizichi", "dose": "5 g/kg", "route": "po", **daily}
    tcm = {
        "CUMS": _scenario(**mouse),
        "CUMS + Zhizichi": _scenario(**mouse, interventions=[zhizichi]),
    }
    return [
        ("Conditions: healthy, chronic stress, inflammation, high-fat diet",
         "UP-13 INF-02 BDNF-05", states,
         ["mtorc1_neuron", "mtorc1_glia", "bdnf", "synaptic_strength", "il6_brain",
          "depression_score"]),
        ("Ketamine vs esketamine, 0.5 mg/kg iv over 40 min (CUMS, human)",
         "KET-01 KET-02 KET-04", ketamines,
         ["glutamate_burst", "mtorc1_neuron", "p_s6k", "synaptic_protein", "bdnf", "madrs"]),
        ("Esketamine with and without daily fluoxetine (21 d)", "KET-06", ssri,
         ["serotonin", "bdnf", "mtorc1_neuron", "anxiety_risk", "madrs"]),
        ("Rapamycin in CUMS mice: daily vs weekly vs PEG-liposome",
         "RAPA-01 RAPA-03 RAPA-04 CX-4", rapamycins,
         ["mtorc1_glia", "mtorc1_neuron", "autophagy_flux", "immunosuppression",
          "depression_score"]),
        ("Rapamycin with and without exercise, high-fat diet (mice)", "RAPA-02 RAPA-05",
         metabolic, ["ampk", "body_weight", "blood_glucose", "autophagy_flux",
                     "depression_score"]),
        ("Zhizichi decoction in CUMS mice", "TCM-01", tcm,
         ["p_akt_t308", "mtorc1_neuron", "il6_brain", "sucrose_preference", "fst_immobility"]),
    ]  # fmt: skip


def _dose_window(out: Path) -> str:
    import pandas as pd

    import mtorlab as mt
    from mtorlab.plots import dose_response
    from mtorlab.scenario._vary import excursions

    rows = []
    for d in (0.1, 0.3, 0.5, 1.0, 1.5, 2.0):
        iv = {
            "drug": "esketamine",
            "dose": f"{d} mg/kg",
            "route": "iv",
            "at": "1 h",
            "over": "40 min",
        }
        sc = _scenario(duration="1 d", condition={"chronic_stress": 0.8}, interventions=[iv])
        run = mt.simulate(sc, outputs=["mtorc1_neuron", "p_akt_s473"])
        for col in ("mtorc1_neuron", "p_akt_s473"):  # change from the untreated steady state
            change = (run[col] - run[col].iloc[0]).to_numpy()
            unit = run.attrs["units"][col]
            rows.append({"vary": f"{d} mg/kg", "dose": d, "readout": col, "unit": unit,
                         **excursions(run["time_h"], change)})  # fmt: skip
    png = dose_response(
        pd.DataFrame(rows), ["mtorc1_neuron", "p_akt_s473"], metric="both",
        x_label="esketamine dose in mg/kg", log_x=True,
    )  # fmt: skip
    write_atomic(out / "esketamine_dose_window.png", png)
    return "esketamine_dose_window.png"


def _claims(out: Path, kb: Any) -> str:
    """Run the claims suite, write claims.html; return a one-line summary."""
    from mtorlab.claims._report import as_html, run_suite, summary
    from mtorlab.claims._runner import load_checks

    results = run_suite(load_checks().values())
    write_atomic(out / "claims.html", as_html(results, kb, title="mtorlab claims"))
    s = summary(results)
    return (
        f"claims suite: {s['all']['pass']} of {s['all']['total']} checks pass "
        f"(training {s['training']['pass']}/{s['training']['total']}, held out "
        f"{s['held_out']['pass']}/{s['held_out']['total']}); the rest are recorded limitations"
    )


def run_demo(out: Path) -> Path:
    """Write the demo report into ``out``; return the path of ``index.html``."""
    import mtorlab as mt
    from mtorlab.figures import Lang, figure_dot, load_figures, render
    from mtorlab.plots import time_courses

    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    kb = mt.knowledge_base()
    sections = []
    figures = load_figures(kb)
    langs: tuple[tuple[str, Lang], ...] = (("fig1", "en"), ("fig2", "en"), ("fig1", "zh"))
    for name, lang in langs:
        fname = f"{name}_{lang}.svg"
        write_atomic(out / fname, render(figure_dot(kb, figures, name, lang=lang), "svg"))
        sections.append((f"Figure {name[-1]} ({lang}), drawn from the knowledge base", "", fname))
    summary = []
    for title, claims, runs, readouts in _panels():
        frames = {label: mt.simulate(sc, outputs=readouts) for label, sc in runs.items()}
        fname = "".join(c if c.isalnum() else "_" for c in title.lower())[:40] + ".png"
        png = time_courses(frames, readouts, title=title, claims={readouts[-1]: claims})
        write_atomic(out / fname, png)
        sections.append((title, claims, fname))
        last = {k: f"{v[readouts[-1]].iloc[-1]:.3g}" for k, v in frames.items()}
        summary.append(
            f"{title.split(':')[0].split(',')[0]}: {readouts[-1]} at the end "
            + ", ".join(f"{k} {v}" for k, v in last.items())
        )
    sections.append(("Esketamine dose window (peak change by dose)", "KET-05", _dose_window(out)))
    claims_line = _claims(out, kb)
    summary.append(claims_line)
    body = (
        f"<section><h2>The claims suite</h2><p>{html.escape(claims_line)}: "
        '<a href="claims.html">claims.html</a></p></section>'
        + "\n".join(
            f"<section><h2>{html.escape(t)}</h2><p class=claims>{html.escape(c)}</p>"
            + (f'<img src="{f}" alt="{html.escape(t)}">' if f.endswith((".png", ".svg")) else "")
            + "</section>"
            for t, c, f in sections
        )
    )
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>mtorlab demo</title>"
        "<style>body{font-family:sans-serif;max-width:1300px;margin:auto;padding:1em}"
        "img{max-width:100%;border:1px solid #ddd}.claims{color:#666}</style>"
        f"<h1>mtorlab: the mTOR-in-depression review, run</h1><p>mtorlab {mt.__version__}; "
        f"{len(kb.mechanisms)} mechanisms, {len(kb.claims)} claims; generated in "
        f"{time.perf_counter() - t0:.0f} s. Every curve traces back to the review: "
        "<code>mtorlab kb trace READOUT</code>.</p>" + body + "</html>"
    )
    index = write_atomic(out / "index.html", page)
    for line in summary:
        print("  " + line)
    return index


def register(app: typer.Typer) -> None:
    """Add ``mtorlab demo`` to ``app``."""

    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("demo"), "-o", "--out", help="Directory to write."),  # noqa: B008
    ) -> None:
        """Run the review's story end to end and write demo/index.html."""
        import mtorlab as mt

        s = mt.knowledge_base()
        print(
            f"mtorlab demo: {len(s.mechanisms)} mechanisms and {len(s.claims)} claims of the review"
        )
        index = run_demo(out)
        print(f"report: {index.resolve()}")
