"""Property-based fuzzing of the scenario loader (issue 16): whatever a user writes, the
loader returns a valid scenario or raises a one-line mtorlab error, quickly; it never
raises another exception and never evaluates a unit string as arithmetic."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mtorlab as mt
from mtorlab._yaml import load_yaml_text
from mtorlab.errors import MtorlabError
from mtorlab.scenario import validate_scenario

READOUTS = mt.model().readout_ids

numbers = st.one_of(
    st.integers(-(10**6), 10**6), st.floats(allow_nan=True, allow_infinity=True)
).map(str)
units = st.sampled_from(["h", "d", "min", "mg/kg", "mg", "ng/mL", "kg/m", "", "**9", "1/h",
                         "10**10**8 h", "nan", "°", "µg", "(", "mg//kg"])  # fmt: skip
quantities = st.one_of(st.builds(lambda n, u: f"{n} {u}".strip(), numbers, units),
                       st.text(max_size=12), st.integers(), st.none(), st.booleans())  # fmt: skip
interventions = st.fixed_dictionaries(
    {"drug": st.sampled_from(["ketamine", "rapamycin", "fluoxetine", "nope", "Ketamine"]),
     "dose": quantities},
    optional={"route": st.sampled_from(["iv", "ip", "po", "nasal", None]), "at": quantities,
              "over": quantities,
              "schedule": st.fixed_dictionaries({"start": quantities, "every": quantities,
                                                 "count": st.integers(-5, 20_000)})},
)  # fmt: skip
scenarios = st.fixed_dictionaries(
    {"name": st.one_of(st.text(max_size=20), st.none()),
     "species": st.sampled_from(["mouse", "rat", "human", "dog", 7]),
     "duration": quantities},
    optional={"condition": st.dictionaries(st.sampled_from(["chronic_stress", "tbi", "x"]),
                                           st.one_of(st.floats(), st.booleans(), st.text(max_size=5)),
                                           max_size=3),
              "interventions": st.lists(interventions, max_size=3),
              "outputs": st.lists(st.sampled_from([*READOUTS[:5], "bogus", "conc_plasma:ketamine"]),
                                  max_size=4),
              "output_step": quantities, "colour": st.just("red")},
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_any_scenario_mapping_validates_or_fails_with_one_line(data: dict[str, Any]) -> None:
    start = time.perf_counter()
    try:
        sc = validate_scenario(data, "fuzz.yaml", READOUTS)
    except MtorlabError as exc:
        message = str(exc)
        assert message.startswith("fuzz.yaml") and "\n" not in message
    else:
        assert sc.duration_h > 0 and sc.n_points() <= 1_000_000
    assert time.perf_counter() - start < 1.0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_fails_with_one_line(text: str) -> None:
    try:
        load_yaml_text(text, "fuzz.yaml")
    except MtorlabError as exc:
        assert str(exc).startswith("fuzz.yaml")
