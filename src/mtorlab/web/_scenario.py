"""Scenario validation with the server's limits, and YAML ⇄ JSON for the scenario builder."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

import yaml
from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from mtorlab.errors import DataFileError, UnknownIdError
from mtorlab.web._errors import ApiError, data_error, error_body

if TYPE_CHECKING:
    from mtorlab.scenario import Scenario

router = APIRouter(prefix="/api/scenario", tags=["scenario"])

MAX_BODY_BYTES = 64 * 1024
MAX_DURATION_H = 90 * 24.0
MAX_POINTS = 20_000
MAX_OUTPUTS = 40
MAX_INTERVENTIONS = 20
MAX_DOSES = 2_000

EXAMPLE: dict[str, Any] = {
    "name": "stress-28d",
    "species": "mouse",
    "duration": "28 d",
    "condition": {"chronic_stress": 0.8},
    "outputs": ["mtorc1_neuron", "bdnf", "depression_score"],
}
ScenarioBody = Annotated[dict[str, Any], Body(examples=[EXAMPLE])]


@lru_cache(maxsize=1)
def _library_ids() -> tuple[str, ...]:
    from mtorlab.interventions import load_library

    return tuple(load_library().entries)


def _limits(sc: Scenario) -> None:
    if sc.duration_h > MAX_DURATION_H:
        raise ApiError(
            422, f"duration {sc.duration} is longer than this server's limit of 90 d", "duration"
        )
    if sc.duration_h / sc.step_h() > MAX_POINTS:
        raise ApiError(
            422,
            f"output_step {sc.output_step} gives more than {MAX_POINTS} time points",
            "output_step",
        )
    if sc.outputs is not None and len(sc.outputs) > MAX_OUTPUTS:
        raise ApiError(422, f"at most {MAX_OUTPUTS} outputs per request", "outputs")
    if len(sc.interventions) > MAX_INTERVENTIONS:
        raise ApiError(422, f"at most {MAX_INTERVENTIONS} interventions", "interventions")
    known = (*_library_ids(), *(str(d.get("id")) for d in sc.drugs))  # and its own drugs
    for i, iv in enumerate(sc.interventions):
        if iv.name not in known:
            what = "drug" if iv.drug else "intervention"
            msg = str(UnknownIdError("drug or intervention", iv.name, known))
            raise ApiError(422, msg, f"interventions[{i}].{what}")
    doses = sum(i.schedule.count if i.schedule else 1 for i in sc.interventions)
    if doses > MAX_DOSES:
        raise ApiError(422, f"at most {MAX_DOSES} doses in all", "interventions")


def validate(data: Any) -> Scenario:
    """A scenario mapping validated by the package, against the server's limits, and
    planned (drugs, routes, doses and their times) without simulating it.

    Raises
    ------
    ApiError
        422 naming the field, the bad value and what is allowed.
    """
    from mtorlab._api import library, model
    from mtorlab.scenario import check_plan, validate_scenario

    try:
        sc = validate_scenario(data, "scenario", model().readout_ids)
        _limits(sc)
        check_plan(model(), sc, library(), "scenario")  # routes, doses, times: before a job
    except DataFileError as exc:
        raise data_error(exc) from None
    return sc


def check(data: Any) -> dict[str, Any] | None:
    """The error body for ``data``, or ``None`` when it is a valid scenario."""
    try:
        validate(data)
    except ApiError as exc:
        return error_body(exc.error, exc.field)
    return None


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases (no exponential "billion laughs" expansion)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)


class _Flow(list[Any]):
    pass


class _FlowMap(dict[str, Any]):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)

_ORDER = (
    "name",
    "description",
    "species",
    "duration",
    "output_step",
    "condition",
    "interventions",
    "outputs",
)
_ITEM_ORDER = ("drug", "intervention", "dose", "route", "formulation", "at", "over", "schedule")


def _ordered(d: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {**{k: d[k] for k in order if k in d}, **{k: v for k, v in d.items() if k not in order}}


def render_yaml(data: dict[str, Any]) -> str:
    """The scenario file a user would write for ``data`` (keys in the README's order)."""
    out = _ordered(data, _ORDER)
    items = out.get("interventions")
    if isinstance(items, list):
        out["interventions"] = [
            _ordered(
                {
                    k: (_FlowMap(v) if k == "schedule" and isinstance(v, dict) else v)
                    for k, v in it.items()
                },
                _ITEM_ORDER,
            )
            if isinstance(it, dict)
            else it
            for it in items
        ]
    if isinstance(out.get("outputs"), list):
        out["outputs"] = _Flow(out["outputs"])
    text: str = yaml.dump(out, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


#: Deepest nesting of flow collections (``[`` and ``{``) the parser is given: a scenario
#: needs four; 20,000 made the pure-Python parser recurse for seconds before it gave up.
MAX_FLOW_DEPTH = 64


def _flow_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest in ``text`` (counted in quoted strings too: a bound,
    not a parse)."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}" and depth:
            depth -= 1
    return deepest


def parse_yaml(text: str) -> dict[str, Any]:
    """A scenario mapping from YAML text (JSON-ready: dates and the like become strings)."""
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise ApiError(
            422, f"YAML is nested too deeply (more than {MAX_FLOW_DEPTH} levels of [ or {{)", "yaml"
        )
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ApiError(422, f"malformed YAML{where}: {problem}", "yaml") from None
    except RecursionError:
        raise ApiError(422, "YAML is nested too deeply", "yaml") from None
    if not isinstance(data, dict):
        raise ApiError(422, "a scenario file must be a mapping (name:, species:, ...)", "yaml")
    try:
        plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    except (TypeError, ValueError, RecursionError):
        raise ApiError(422, "the YAML holds values that are not plain data", "yaml") from None
    return plain


class YamlText(BaseModel):
    """A scenario file's text."""

    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(max_length=MAX_BODY_BYTES)


@router.post("/parse")
def scenario_parse(body: YamlText) -> dict[str, Any]:
    """YAML → scenario mapping, and the validation error (``null`` when valid)."""
    data = parse_yaml(body.yaml)
    return {"scenario": data, "error": check(data)}


@router.post("/render")
def scenario_render(scenario: ScenarioBody) -> dict[str, Any]:
    """Scenario mapping → YAML text, and the validation error (``null`` when valid)."""
    return {"yaml": render_yaml(scenario), "error": check(scenario)}
