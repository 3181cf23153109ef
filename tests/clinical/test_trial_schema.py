"""Bad trial files: one readable line naming the file, the field, the bad value and what is
allowed; exit 2; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mtorlab.cli import main

GOOD = {
    "name": "tiny",
    "duration": "3 d",
    "population": {"subtypes": "all", "inclusion": {"madrs_min": 20}, "n_per_arm": 3},
    "arms": [
        {"id": "ssri", "interventions": [{"drug": "fluoxetine", "dose": "20 mg", "route": "po",
                                          "schedule": {"start": "0 d", "every": "1 d", "count": 3}}]},
        {"id": "placebo", "interventions": [{"placebo": "pill"}]},
    ],
    "visits": ["0 d", "1 d", "3 d"],
    "endpoints": {"primary_visit": "3 d"},
    "analysis": {"control": "placebo"},
}  # fmt: skip


def _write(tmp_path: Path, data: dict[str, object]) -> Path:
    p = tmp_path / "trial.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


def _edit(path: tuple[object, ...], value: object) -> dict[str, object]:
    import copy

    data = copy.deepcopy(GOOD)
    node: object = data
    for key in path[:-1]:
        node = node[key]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    return data


CASES = [
    (("population", "subtypes"), {"fast": 1.0}, ["population.subtypes", "'fast'", "inflammatory"]),
    (("population", "n_per_arm"), 0, ["population.n_per_arm", "0", "greater than or equal to 1"]),
    (("population", "exclusion"), {"age": 60}, ["population.exclusion", "'age'", "tbi"]),
    (("analysis", "control"), "saline", ["'analysis.control'", "'saline'", "ssri, placebo"]),
    (("endpoints", "primary_visit"), "2 d", ["'endpoints.primary_visit'", "2 d", "not one of"]),
    (("endpoints", "response_drop"), 1.5, ["endpoints.response_drop", "1.5", "less than 1"]),
    (("arms", 0, "interventions", 0, "dose"), "20 parsecs", ["arms[ssri].interventions #1", "dose"]),
    (("arms", 1, "nonspecific"), "nocebo", ["arms[placebo].nonspecific", "'nocebo'", "natural_course"]),
    (("visits",), ["0 d", "9 d"], ["'visits'", "9 d", "outside 0..3 d"]),
    (("colour",), "blue", ["unknown field 'colour'"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "value", "needles"), CASES, ids=[".".join(map(str, c[0])) for c in CASES]
)
def test_bad_field_is_one_line_exit_2_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: tuple[object, ...], value: object,
    needles: list[str],
) -> None:  # fmt: skip
    f = _write(tmp_path, _edit(path, value))
    out = tmp_path / "out"
    code = main(["trial", str(f), "-o", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert "\n" not in err and str(f) in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not out.exists()


def test_unknown_drug_names_the_file_and_arm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _edit(("arms", 0, "interventions", 0, "drug"), "fluoxetin")
    f = _write(tmp_path, data)
    code = main(["trial", str(f), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert str(f) in err and "arms[ssri]" in err and "fluoxetin" in err and "fluoxetine" in err
    assert not (tmp_path / "out").exists()


def test_foreign_output_folder_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = _write(tmp_path, GOOD)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    code = main(["trial", str(f), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "not a trial's results" in err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"
