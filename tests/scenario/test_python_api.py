"""The Python API as a notebook user meets it (issue 15): ``mt.simulate`` takes a path, a
mapping or a Scenario with ``parameters`` (checked) and ``library_files``; ``mt.plot`` draws
a table with units and dose markers; ``dir(mt)`` lists the API; the docstring examples run."""

from __future__ import annotations

import doctest
import importlib
import math
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest

import mtorlab as mt
from mtorlab.errors import MtorlabError, UnknownIdError

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SC = {
    "name": "api",
    "species": "mouse",
    "duration": "12 h",
    "condition": {"chronic_stress": 0.8},
    "interventions": [{"drug": "ketamine", "dose": "10 mg/kg", "route": "ip", "at": "2 h"}],
    "outputs": ["conc_plasma:ketamine", "bdnf", "mtorc1_neuron"],
}


def test_simulate_takes_a_path_a_mapping_and_a_scenario_alike() -> None:
    path = DATA / "scenarios" / "with_own_drug.yaml"
    a = mt.simulate(path)
    sc = mt.load_scenario(path)
    b = mt.simulate(sc)
    c = mt.simulate(sc.model_dump(mode="json", exclude_none=True) | {"duration": "2 d"})
    assert a.equals(b) and np.allclose(a.to_numpy(), c.to_numpy())


def test_parameters_replace_the_models_and_are_checked() -> None:
    base = mt.simulate(SC)
    assert mt.model().parameters["k_bdnf_release"].value != 0.5
    slower = mt.simulate(SC, parameters={"k_bdnf_release": 0.5})
    assert not np.allclose(base["bdnf"], slower["bdnf"])  # the override took effect
    again = mt.simulate(SC)
    assert again.equals(base)  # and only inside that call
    with pytest.raises(UnknownIdError, match="nearest: k_bdnf_release"):
        mt.simulate(SC, parameters={"k_bdnf_releas": 0.5})
    for bad in (math.nan, math.inf, "1", True):
        with pytest.raises(MtorlabError, match=r"parameters\.k_bdnf_release: .* not a finite"):
            mt.simulate(SC, parameters={"k_bdnf_release": bad})
    with pytest.raises(MtorlabError, match="parameters: a mapping"):
        mt.simulate(SC, parameters=[("k_bdnf_release", 0.5)])  # type: ignore[arg-type]


def test_library_files_and_the_frame_attrs() -> None:
    sc = {**SC, "interventions": [{"drug": "zz_agonist", "dose": "10 mg/kg", "route": "po",
                                   "at": "1 h"}], "outputs": ["conc_brain:zz_agonist"]}  # fmt: skip
    with pytest.raises(MtorlabError, match="unknown drug or intervention 'zz_agonist'"):
        mt.simulate(sc)
    run = mt.simulate(sc, library_files=DATA / "library" / "made_up_drug.yaml")
    assert run["conc_brain:zz_agonist"].max() > 0
    assert run.attrs["units"] == {"conc_brain:zz_agonist": "ng/mL"}
    assert run.attrs["doses"] == [
        {"time_h": 1.0, "name": "zz_agonist", "dose": "10 mg/kg", "route": "po", "over_h": None}
    ]


def test_a_scenario_and_its_doses_built_in_code() -> None:
    iv = mt.Intervention(
        drug="ketamine", dose=mt.Quantity.dose("10 mg/kg"), route="ip",
        schedule=mt.Schedule(start="1 h", every="4 h", count=3),
    )  # fmt: skip
    sc = mt.Scenario(name="code", species="mouse", duration="12 h", interventions=[iv],
                     outputs=["conc_plasma:ketamine"])  # fmt: skip
    run = mt.simulate(sc)
    assert [d["time_h"] for d in run.attrs["doses"]] == [1.0, 5.0, 9.0]
    with pytest.raises(MtorlabError, match=r"Quantity\.dose: '10 kg/m' is not a dose"):
        mt.Quantity.dose("10 kg/m")


def test_plot_draws_units_and_dose_markers() -> None:
    import matplotlib.pyplot as plt

    run = mt.simulate(SC)
    fig = mt.plot(run)
    assert [a.get_title() for a in fig.axes] == SC["outputs"]
    assert [a.get_ylabel() for a in fig.axes] == [
        "ng/mL",
        mt.model().readout("bdnf").scale,
        mt.model().readout("mtorc1_neuron").scale,
    ]
    for a in fig.axes:  # the dose at 2 h, a dotted vertical line in every panel
        marks = [ln for ln in a.get_lines() if ln.get_linestyle() == ":"]
        assert len(marks) == 1 and list(marks[0].get_xdata()) == [2.0, 2.0]
        assert a.get_xlabel() == "time (h)"
    plt.close(fig)
    fig, ax = plt.subplots()
    same = mt.plot(run, ["bdnf", "mtorc1_neuron"], ax=ax)
    assert same is fig and len([ln for ln in ax.get_lines() if ln.get_linestyle() != ":"]) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "bdnf (1 = healthy)" in labels  # two units on one axes: the legend names them
    plt.close(fig)
    with pytest.raises(MtorlabError, match="unknown readout of this table 'bdfn'; nearest: bdnf"):
        mt.plot(run, "bdfn")


def test_a_long_scale_is_wrapped_to_its_panel() -> None:
    """anxiety_risk's stated scale is a sentence: its axis label must stay beside its own
    panel (unwrapped it was taller than the axes and ran over the neighbours)."""
    import matplotlib.pyplot as plt

    from mtorlab.plots import time_courses

    scale = mt.model().readout("anxiety_risk").scale
    assert len(scale) > 80  # the case this guards
    run = mt.simulate({**SC, "outputs": ["bdnf", "anxiety_risk"]})
    fig = mt.plot(run)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for a in fig.axes:
        label = a.yaxis.label
        assert all(len(line) <= 30 for line in label.get_text().split("\n"))
        assert label.get_window_extent(renderer).height <= a.get_window_extent(renderer).height
    assert fig.axes[1].get_ylabel().replace("\n", " ") == scale  # wrapped, not cut
    plt.close(fig)
    png = time_courses({"run": run}, ["bdnf", "anxiety_risk"])
    assert png.startswith(b"\x89PNG")


def test_plot_draws_one_line_per_swept_value() -> None:
    import matplotlib.pyplot as plt
    import pandas as pd

    runs = [mt.simulate(SC, parameters={"k_bdnf_release": v}).assign(vary=str(v)) for v in (1, 2)]
    fig = mt.plot(pd.concat(runs), "bdnf")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["1", "2", "dose"]
    plt.close(fig)


def test_the_api_is_listed_and_documented() -> None:
    public = [n for n in mt.__all__ if n != "__version__"]
    assert {"simulate", "plot", "Scenario", "Intervention", "Quantity"} <= set(public)
    assert set(public) <= set(dir(mt))
    for name in public:
        obj = getattr(mt, name)
        doc = obj.__doc__ or ""
        assert len(doc) > 40, name  # every public name says what it is
    for name in ("simulate", "load_scenario", "plot", "model", "knowledge_base", "Scenario"):
        doc = getattr(mt, name).__doc__
        assert "Examples\n" in doc and ">>> " in doc, name  # numpydoc, with an example


@pytest.mark.parametrize(
    "module",
    ["mtorlab", "mtorlab._api", "mtorlab.plots._plots", "mtorlab.scenario._quantity",
     "mtorlab.scenario._schema"],
)  # fmt: skip
def test_docstring_examples_run(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.pyplot as plt

    monkeypatch.chdir(ROOT)  # the examples read examples/*.yaml
    mod: Any = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS, raise_on_error=False)
    plt.close("all")
    assert result.failed == 0 and result.attempted > 0
