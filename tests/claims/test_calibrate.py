"""Calibration pieces: shortfall distances, derived-parameter formulas, a short real run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mtorlab.claims._assertions import Outcome
from mtorlab.claims._calibrate import evaluate
from mtorlab.claims._shortfall import shortfall
from mtorlab.cli import main
from mtorlab.errors import MtorlabError


class _A:
    """A stand-in assertion with just the fields shortfall reads."""

    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def _out(passed: bool, measured: float) -> Outcome:
    return Outcome(passed, measured, "", "")


def test_shortfall_is_zero_when_passing_and_grows_with_the_miss() -> None:
    inc = _A(type="increases", min_relative=0.05, max_relative=None)
    assert shortfall(inc, _out(True, 0.2)) == 0.0
    assert shortfall(inc, _out(False, 0.01)) == pytest.approx(0.04)
    assert shortfall(inc, _out(False, -0.1)) == pytest.approx(0.15)
    dec = _A(type="decreases", min_relative=0.05, max_relative=None)
    assert shortfall(dec, _out(False, 0.1)) == pytest.approx(0.15)
    ratio = _A(type="ratio_between", low=1.2, high=1.3)
    assert shortfall(ratio, _out(False, 1.0)) == pytest.approx(0.2)
    assert shortfall(ratio, _out(False, 1.5)) == pytest.approx(0.2)
    peak = _A(type="peaks_within", start=2.0, end=4.0)
    assert shortfall(peak, _out(False, 5.0)) == pytest.approx(0.5)


def test_derived_formulas_are_evaluated_without_eval() -> None:
    assert evaluate("score_width * ln(100 / 15 - 1)", {"score_width": 0.15}) == pytest.approx(
        0.15 * math.log(100 / 15 - 1)
    )
    with pytest.raises(MtorlabError, match="not allowed"):
        evaluate("__import__('os')", {})


def test_a_short_calibration_run_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "record.json"
    assert main(["calibrate", "--starts", "1", "--max-nfev", "1", "-o", str(record)]) == 0
    rec = json.loads(record.read_text(encoding="utf-8"))
    assert rec["seed"] == 1 and len(rec["starts"]) == 1
    assert rec["best_loss"] <= rec["initial_loss"] + 1e-12
    assert set(rec["residuals"]) == set(rec["training"]) | set(rec["training_datasets"])
    assert len(rec["training"]) >= 20 and len(rec["training_datasets"]) >= 20
    assert "loss at the model's values" in capsys.readouterr().out


def test_starts_in_worker_processes_give_the_serial_record(tmp_path: Path) -> None:
    """--workers runs each start in its own process; the record (all but the wall time)
    is the serial one, including the evaluation count."""
    args = ["calibrate", "--starts", "2", "--max-nfev", "1", "--only", "UP-02,INF-02"]
    recs = []
    for extra in ([], ["--workers", "2"]):
        out = tmp_path / f"record{len(recs)}.json"
        assert main([*args, *extra, "-o", str(out)]) == 0
        rec = json.loads(out.read_text(encoding="utf-8"))
        rec.pop("wall_s")
        recs.append(rec)
    assert recs[0] == recs[1]
    assert len(recs[0]["starts"]) == 2 and recs[0]["evaluations"] > 2


def test_the_committed_record_matches_the_calibration_config() -> None:
    """`make calibrate-check` compares like with like: the committed record was produced by
    the configured parameters, seed, starts and evaluations, over the training checks."""
    import json

    from mtorlab.claims._runner import load_checks
    from mtorlab.cli._calibrate import _config, record_path

    rec = json.loads(record_path().read_text(encoding="utf-8"))
    cfg = _config()
    assert rec["parameters"] == list(cfg["parameters"])
    assert (rec["seed"], rec["n_starts"], rec["max_nfev"]) == (
        cfg["seed"],
        cfg["n_starts"],
        cfg["max_nfev"],
    )
    training = sorted(c.id for c in load_checks().values() if c.split == "training")
    assert sorted(rec["training"]) == training
    from mtorlab.cli._calibrate import training_datasets

    assert cfg["datasets"] is True  # the fitted ones: training, and not marked fit: false
    assert sorted(rec["training_datasets"]) == sorted(d.id for d in training_datasets())
    assert rec["best_loss"] <= rec["initial_loss"]


def test_the_committed_record_describes_this_model() -> None:
    """The record's loss is this model's: its best loss once the fitted values are adopted
    into the model data (else its loss at the model's values). A change to the model data
    that moves the training loss must come with a re-run record (`mtorlab calibrate -o`)."""
    import json

    from mtorlab.claims._calibrate import Objective
    from mtorlab.claims._runner import load_checks
    from mtorlab.claims._simulate import simulate_mapping
    from mtorlab.cli._calibrate import _config, expected_start_loss, record_path, training_datasets

    rec = json.loads(record_path().read_text(encoding="utf-8"))
    cfg = _config()
    checks = [c for c in load_checks().values() if c.split == "training"]
    objective = Objective(cfg["parameters"], checks, simulate_mapping,
                          dict(cfg.get("derived") or {}), training_datasets())  # fmt: skip
    loss = objective.loss(objective.x_model)
    assert loss == pytest.approx(expected_start_loss(rec), rel=1e-6)


def test_a_record_counts_as_adopted_only_when_the_model_holds_its_values() -> None:
    from mtorlab._api import model
    from mtorlab.cli._calibrate import adopted, expected_start_loss

    width = model().parameters["score_width"].value
    rec = {"best": {"score_width": width}, "best_loss": 0.5, "initial_loss": 0.9}
    assert adopted(rec) and expected_start_loss(rec) == 0.5
    rec["best"] = {"score_width": width * 1.01}
    assert not adopted(rec) and expected_start_loss(rec) == 0.9
