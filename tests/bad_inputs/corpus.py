"""The bad-input corpus (tests/data/bad_inputs/*.yaml) and what every case must satisfy.

A case is data: an id, the input and the message fragments it must produce. The
runners (one per surface: CLI, Python API, HTTP) expand the placeholders below, run the
case and check the common contract: a clean, typed refusal within ``TIME_LIMIT_S`` that
names what is wrong, with nothing written and no run recorded.

Placeholders in strings: ``{in}`` the folder of the case's input files, ``{out}`` a folder
where outputs would go (it must stay empty), ``{scenario}`` the case's scenario file,
``{good}`` a valid scenario file, ``{afile}`` a plain file (to put a path under),
``{adir}`` an empty folder, ``{examples}`` and ``{data}`` the repository's examples and
tests/data folders.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "bad_inputs"
TIME_LIMIT_S = 2.0

#: The valid scenario a case's ``scenario:`` overrides (a key set to null is removed).
BASE: dict[str, Any] = {"name": "t", "species": "mouse", "duration": "1 d", "outputs": ["bdnf"]}
#: One valid drug dose, for cases that override one of its fields (``dose:`` in a case).
DOSE: dict[str, Any] = {"drug": "ketamine", "dose": "10 mg/kg", "route": "ip", "at": "1 h"}


def load(name: str) -> list[dict[str, Any]]:
    """The cases of one corpus file; ids are unique across the corpus."""
    cases = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
    assert isinstance(cases, list) and cases, name
    return cases


def all_ids() -> list[str]:
    """Every case id of the corpus (for the uniqueness check)."""
    return [c["id"] for f in sorted(CORPUS.glob("*.yaml")) for c in load(f.name)]


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = copy.deepcopy(v)
    return out


_MARK = re.compile(r"<digits:(\d+)>|<repeat:([^:>]*):(\d+)>")


def generated(value: Any) -> Any:
    """Generated values in place of their markers: ``<digits:N>`` an N-digit integer,
    ``<repeat:TEXT:N>`` TEXT N times (the corpus stays readable)."""
    if isinstance(value, str):
        whole = _MARK.fullmatch(value)
        if whole and whole.group(1):
            return 10 ** int(whole.group(1)) - 1
        return _MARK.sub(
            lambda m: m.group(2) * int(m.group(3)) if m.group(3) else m.group(0), value
        )
    if isinstance(value, list):
        return [generated(v) for v in value]
    if isinstance(value, dict):
        return {k: generated(v) for k, v in value.items()}
    return value


def generated_text(text: str) -> str:
    """A YAML or JSON text with its markers (quoted or not) replaced by their values."""

    def value(m: re.Match[str]) -> str:
        if m.group(1):
            return "9" * int(m.group(1))
        return m.group(2) * int(m.group(3))

    return _MARK.sub(value, re.sub(r"""["'](<digits:\d+>)["']""", r"\1", text))


def scenario_of(case: dict[str, Any]) -> Any:
    """The case's scenario as a mapping: BASE with ``scenario:`` applied, and ``dose:``
    applied to one DOSE as the only intervention; ``raw:`` is used as it is."""
    if "raw" in case:
        return copy.deepcopy(case["raw"])
    sc = _merge(BASE, case.get("scenario", {}))
    if "dose" in case:
        sc["interventions"] = [_merge(DOSE, case["dose"])]
    if "drug_entry" in case:  # a scenario bringing its own drug (drugs:), made bad
        entry = own_drug()
        for path, value in case["drug_entry"].items():
            entry = set_path(entry, path, value)
        sc["drugs"] = [entry]
        sc["interventions"] = [{"drug": entry.get("id", "zz_agonist"), "dose": "10 mg/kg",
                                "route": "po", "at": "1 h"}]  # fmt: skip
    return sc


def own_drug() -> dict[str, Any]:
    """The made-up drug entry of tests/data/library/made_up_drug.yaml."""
    doc = yaml.safe_load((ROOT / "tests/data/library/made_up_drug.yaml").read_text("utf-8"))
    entry: dict[str, Any] = doc["drugs"][0]
    return entry


def set_path(data: Any, path: str, value: Any) -> Any:
    """``data`` with the value at a dotted path (``pk.mouse.half_life.value``) replaced."""
    out = copy.deepcopy(data)
    node = out
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return out


def expand(value: Any, places: dict[str, str]) -> Any:
    """Placeholders replaced in every string of ``value``."""
    if isinstance(value, str):
        for k, v in places.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [expand(v, places) for v in value]
    if isinstance(value, dict):
        return {k: expand(v, places) for k, v in value.items()}
    return value


def snapshot(folder: Path) -> set[str]:
    """Every path under ``folder`` (to show that a case wrote nothing)."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


class Workspace:
    """A case's folders: inputs (``in``), outputs (``out``), the working directory and the
    run store; :meth:`places` gives the placeholders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inputs = root / "in"
        self.out = root / "out"
        self.cwd = root / "cwd"
        self.store = root / "store"
        for d in (self.inputs, self.out, self.cwd):
            d.mkdir()
        (self.inputs / "good.yaml").write_text(yaml.safe_dump(BASE), encoding="utf-8")
        (self.inputs / "afile").write_text("x", encoding="utf-8")
        (self.inputs / "adir").mkdir()
        self.scenario = self.inputs / "scenario.yaml"

    def places(self) -> dict[str, str]:
        return {
            "in": str(self.inputs),
            "out": str(self.out),
            "scenario": str(self.scenario),
            "good": str(self.inputs / "good.yaml"),
            "afile": str(self.inputs / "afile"),
            "adir": str(self.inputs / "adir"),
            "examples": str(ROOT / "examples"),
            "data": str(ROOT / "tests" / "data"),
        }

    def write_inputs(self, case: dict[str, Any]) -> None:
        """The case's scenario file (``text`` as written, else its mapping as YAML) and
        its other ``files``."""
        places = self.places()
        if "text" in case:
            text = generated_text(expand(case["text"], places))
            self.scenario.write_bytes(text.encode(case.get("encoding", "utf-8")))
        elif any(k in case for k in ("scenario", "dose", "drug_entry", "raw")):
            text = yaml.safe_dump(scenario_of(case), allow_unicode=True)
            self.scenario.write_text(generated_text(text), encoding="utf-8")
        for name, text in case.get("files", {}).items():
            path = self.inputs / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, str):
                encoding = case.get("encodings", {}).get(name, "utf-8")
                path.write_bytes(expand(text, places).encode(encoding))
            else:  # a mapping or list: written as YAML
                path.write_text(yaml.safe_dump(expand(text, places)), encoding="utf-8")
