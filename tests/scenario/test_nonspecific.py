"""``nonspecific:`` in a human scenario: ``madrs_expected``, the expected rating in a trial
arm (the mechanistic MADRS with the clinical layer's mean placebo or natural course)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import mtorlab as mt
from mtorlab._yaml import read_yaml
from mtorlab.cli import main
from mtorlab.errors import DataFileError

PLACEBO = Path(mt.__file__).parent / "clinical" / "data" / "placebo.yaml"


def _scenario(nonspecific: str | None, drug: bool, species: str = "human") -> dict[str, object]:
    sc: dict[str, object] = {
        "name": "blinded arm", "species": species, "duration": "56 d",
        "condition": {"chronic_stress": 0.8}, "output_step": "1 d",
        "outputs": ["madrs", "madrs_expected"] if nonspecific else ["madrs"],
    }  # fmt: skip
    if nonspecific:
        sc["nonspecific"] = nonspecific
    if drug:
        sc["interventions"] = [{"drug": "fluoxetine", "dose": "20 mg", "route": "po",
                                "schedule": {"start": "0 d", "every": "1 d", "count": 56}}]  # fmt: skip
    return sc


def _value(name: str) -> float:
    return float(read_yaml(PLACEBO)["parameters"][name]["value"])


def test_the_expected_rating_is_the_model_minus_the_published_placebo_curve() -> None:
    """Written out from placebo.yaml's numbers, not through the package's own functions: the
    drop is baseline x plateau x (1 - exp(-(k t)^shape)), t in weeks."""
    df = mt.simulate(_scenario("placebo", drug=True))
    t_w = df["time_h"].to_numpy() / 168.0
    base = float(df["madrs"].iloc[0])
    frac, k, shape = _value("placebo_max_fraction"), _value("onset_rate"), _value("shape")
    want = df["madrs"].to_numpy() - base * frac * (1 - np.exp(-((k * t_w) ** shape)))
    np.testing.assert_allclose(df["madrs_expected"].to_numpy(), np.clip(want, 0, 60), atol=1e-9)
    assert df["madrs_expected"].iloc[0] == pytest.approx(base)
    # at week 8 the placebo part alone is about a third of the baseline
    drop8 = float(df["madrs"].iloc[-1] - df["madrs_expected"].iloc[-1])
    assert drop8 == pytest.approx(base * frac * (1 - math.exp(-((8 * k) ** shape))), rel=1e-9)
    assert 0.3 * base < drop8 < 0.4 * base
    assert df.attrs["units"]["madrs_expected"].startswith("MADRS points")


def test_the_drug_minus_placebo_difference_is_the_mechanistic_one() -> None:
    """The layer adds to both arms alike, so what the difference datasets compare (drug minus
    placebo) stays the model's treated-minus-untreated MADRS."""
    drug = mt.simulate(_scenario("placebo", drug=True))
    placebo = mt.simulate(_scenario("placebo", drug=False))
    untreated = mt.simulate(_scenario(None, drug=False))
    np.testing.assert_allclose(placebo["madrs"], untreated["madrs"], atol=1e-9)
    diff_rated = drug["madrs_expected"] - placebo["madrs_expected"]
    diff_model = drug["madrs"] - placebo["madrs"]
    np.testing.assert_allclose(diff_rated, diff_model, atol=1e-9)
    assert diff_model.iloc[-1] < -1.0  # the drug does something, so the check is not empty


def test_natural_course_improves_less_than_placebo() -> None:
    nat = mt.simulate(_scenario("natural_course", drug=False))
    pla = mt.simulate(_scenario("placebo", drug=False))
    base = float(nat["madrs"].iloc[0])
    nat_drop = base - float(nat["madrs_expected"].iloc[-1])
    pla_drop = base - float(pla["madrs_expected"].iloc[-1])
    assert 0 < nat_drop < pla_drop
    assert nat_drop / base == pytest.approx(
        _value("natural_course_fraction")
        * (1 - math.exp(-((8 * _value("onset_rate")) ** _value("shape")))),
        rel=1e-6,
    )


def test_the_batch_engine_gives_the_same_expected_rating() -> None:
    sc = mt.Scenario(**_scenario("placebo", drug=True))  # type: ignore[arg-type]
    ref = mt.simulate(sc)
    run = mt.simulate_batch(sc, [{}], outputs=["madrs", "madrs_expected"])
    got = run.values[0, :, 1]
    np.testing.assert_allclose(got, ref["madrs_expected"].to_numpy(), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"species": "rat", "condition": {"chronic_stress": 0.8}}, "species is rat, use human"),
        ({"nonspecific": "expectancy"}, "'expectancy' is not allowed"),
    ],
)
def test_a_wrong_nonspecific_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, object], words: str
) -> None:
    import yaml

    path = tmp_path / "arm.yaml"
    path.write_text(yaml.safe_dump({**_scenario("placebo", drug=False), **change}), "utf-8")
    code = main(["simulate", str(path), "-o", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert code == 2 and str(path) in err and words in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_madrs_expected_without_nonspecific_names_the_output() -> None:
    sc = {**_scenario(None, drug=False), "outputs": ["madrs", "madrs_expected"]}
    with pytest.raises(DataFileError, match=r"outputs\[1\].*needs `nonspecific: placebo`"):
        mt.simulate(sc)
    # asked for by the call rather than the file: the same words, not "unknown readout"
    plain = mt.Scenario(**_scenario(None, drug=False))  # type: ignore[arg-type]
    with pytest.raises(DataFileError, match=r"field 'outputs'.*needs `nonspecific: placebo`"):
        mt.simulate(plain, outputs=["madrs", "madrs_expected"])


def test_the_scenario_export_carries_madrs_and_says_it_leaves_the_rating_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    path = tmp_path / "arm.yaml"
    path.write_text(yaml.safe_dump(_scenario("placebo", drug=False)), "utf-8")
    out = tmp_path / "arm.sbml"
    assert main(["export", "sbml", "--scenario", str(path), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "madrs_expected (nonspecific: placebo) is left out" in text
    assert out.is_file() and "madrs_expected" not in out.read_text("utf-8")
