"""Boolean (SBML-qual) vs ODE direction of change for the main interventions.

The disagreements are pinned below, each with its reason, so that any change in agreement
(either model, or the knowledge base behind both) is noticed. The README's section
"Boolean (SBML-qual) vs ODE agreement" is ``markdown(rows, DISAGREEMENTS)``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mtorlab.io.qual_compare import DEFAULT, READOUTS, Row, compare, markdown

README = Path(__file__).resolve().parents[2] / "README.md"

# Reasons shared by several cells.
_BEHAVIOUR = (
    "Boolean: depression-like behaviour's only activator in the knowledge base is traumatic "
    "brain injury, so the node is off in every run and no intervention can move it"
)
_REDD1 = (
    "Boolean rule: REDD1 (on under stress) is an absolute inhibitor of mTORC1, so nothing "
    "can change mTORC1 under stress; in the ODE REDD1 only lowers it"
)
_REDD1_SPS = (
    "follows mTORC1: with mTORC1 held off by REDD1, 4E-BP1 stays on and vetoes synaptic "
    "protein synthesis"
)
_EEF2K_OFF = (
    "Boolean: sirolimus switches off mTOR -> NMDAR -> eEF2K, the only brake on BDNF, and "
    "AMPAR keeps BDNF on (mTOR -> BDNF is one OR-activator); ODE: BDNF expression needs mTOR"
)
_AKT_BDNF = (
    "Boolean Akt follows BDNF -> TrkB -> PI3K (see BDNF); ODE p-Akt T308 falls with BDNF/TrkB"
)
_EEF2K_ON = (
    "Boolean: zhizichi -> PI3K holds mTOR on, so NMDAR -> eEF2K stays on and vetoes BDNF "
    "permanently; ODE: BDNF rises with mTORC1"
)
_PERIOD = (
    "Boolean period artefact: an extra mTOR activator turns the basal 7-state "
    "mTOR-NMDAR-eEF2K-BDNF oscillation into a 5-state one (BDNF, and Akt after it, on 3/7 -> "
    "2/5 of the time); ODE: up with neuronal mTORC1"
)
_FLUOXETINE = (
    "Boolean: fluoxetine is one more OR-activator of BDNF, which AMPAR already supplies "
    "whenever eEF2K allows, so the basal attractor is unchanged (only SERT -> serotonin "
    "moves); ODE: fluoxetine raises BDNF over weeks, and mTORC1, synaptic protein and Akt "
    "with it"
)
_EXERCISE_PULSE = (
    "ODE: a 30-min session is a pulse with a 2-h half-life; 1 h after it only neuronal "
    "mTORC1 moves beyond 2%, while the Boolean model holds exercise on"
)
_NEURON_ONLY = (
    "Boolean: one mTOR node drives neuroinflammation (mTOR -> neuroinflammation); ODE: brain "
    "IL-6 follows glial mTORC1, which this neuronal drive does not reach"
)

DISAGREEMENTS: dict[tuple[str, str], str] = {
    ("ketamine", "neuroinflammation"): _NEURON_ONLY,
    ("chronic stress + ketamine", "mtorc1"): _REDD1,
    ("chronic stress + ketamine", "synaptic_protein_synthesis"): _REDD1_SPS,
    ("chronic stress + ketamine", "depression_like_behaviour"): (
        "Boolean: REDD1 holds mTORC1 off under stress, so ketamine cannot act; ODE: the "
        "burst-evoked BDNF release still potentiates synapses and adds spines (LIM-3 revision)"
    ),
    ("ketamine", "autophagy"): (
        "Boolean: ketamine switches mTORC1 on and autophagy off; ODE: the mTORC1 transient is "
        "short and autophagy flux moves -1.6% at 2 h, inside the 2% dead band"
    ),
    ("high-fat diet", "synaptic_protein_synthesis"): (
        "Boolean: mTORC1 on, so synaptic protein synthesis on; ODE: the readout is protein per "
        "synapse times spines, and the diet's cytokines remove more spines than its neuronal "
        "mTORC1 adds protein per synapse (-5.7%)"
    ),
    ("sirolimus", "bdnf"): _EEF2K_OFF,
    ("sirolimus", "akt"): _AKT_BDNF,
    ("sirolimus", "depression_like_behaviour"): _BEHAVIOUR,
    ("chronic stress + sirolimus", "mtorc1"): (
        "Boolean: mTORC1 is already off under stress (REDD1 absolute), so sirolimus has "
        "nothing left to lower; ODE: stress only lowers mTORC1, and rapamycin removes the rest"
    ),
    ("chronic stress + sirolimus", "bdnf"): _EEF2K_OFF,
    ("chronic stress + sirolimus", "autophagy"): (
        "Boolean: autophagy is already fully on under stress; ODE: stress lowers autophagy "
        "(glial mTORC1) and rapamycin restores it"
    ),
    ("chronic stress + sirolimus", "akt"): _AKT_BDNF,
    ("chronic stress + sirolimus", "depression_like_behaviour"): _BEHAVIOUR,
    ("chronic stress", "bdnf"): (
        "Boolean: no stress -> BDNF edge; stress adds an mTOR input that turns the basal "
        "7-state mTOR-NMDAR-eEF2K-BDNF oscillation into a 2-state one (BDNF on 3/7 -> 1/2, a "
        "period artefact); ODE: BDNF falls with synaptic mTORC1"
    ),
    ("chronic stress", "autophagy"): (
        "Boolean: one mTORC1, off under stress (REDD1), so autophagy is on; ODE: tissue "
        "autophagy is gated mostly by glial mTORC1, which stress over-activates (AUT-02, CX-4)"
    ),
    ("chronic stress", "akt"): (
        "Boolean Akt follows BDNF -> TrkB -> PI3K through the same period artefact (3/7 -> "
        "1/2); ODE p-Akt T308 falls with BDNF/TrkB"
    ),
    ("chronic stress", "depression_like_behaviour"): _BEHAVIOUR,
    ("high-fat diet", "bdnf"): _PERIOD,
    ("high-fat diet", "akt"): _PERIOD,
    ("high-fat diet", "depression_like_behaviour"): _BEHAVIOUR,
    ("exercise", "synaptic_protein_synthesis"): _EXERCISE_PULSE,
    ("exercise", "bdnf"): _EXERCISE_PULSE + "; the Boolean fall is the period artefact",
    ("exercise", "autophagy"): (
        "Boolean: exercise -> AMPK is vetoed by glucose (absolute inhibitor, held on), so only "
        "the mTOR arm acts; ODE: the AMPK and mTORC1 arms cancel"
    ),
    ("exercise", "neuroinflammation"): _NEURON_ONLY,
    ("exercise", "akt"): _EXERCISE_PULSE + "; the Boolean fall is the period artefact",
    ("zhizichi", "bdnf"): _EEF2K_ON,
    ("zhizichi", "autophagy"): (
        "Boolean: mTORC1 held on switches autophagy off; ODE: zhizichi raises neuronal but "
        "lowers glial mTORC1 (less inflammation), and the two cancel in tissue autophagy"
    ),
    ("zhizichi", "depression_like_behaviour"): _BEHAVIOUR,
    ("chronic stress + zhizichi", "mtorc1"): _REDD1,
    ("chronic stress + zhizichi", "synaptic_protein_synthesis"): _REDD1_SPS,
    ("chronic stress + zhizichi", "bdnf"): _EEF2K_ON,
    ("chronic stress + zhizichi", "depression_like_behaviour"): _BEHAVIOUR,
    ("fluoxetine", "mtorc1"): _FLUOXETINE,
    ("fluoxetine", "synaptic_protein_synthesis"): _FLUOXETINE,
    ("fluoxetine", "bdnf"): _FLUOXETINE,
    ("fluoxetine", "akt"): _FLUOXETINE,
}


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return compare()


def test_table_covers_every_perturbation_and_readout(rows: list[Row]) -> None:
    keys = [(r.perturbation, r.entity) for r in rows]
    assert keys == [(p.name, e) for p in DEFAULT for e in READOUTS]
    assert {r.readout for r in rows} == set(READOUTS.values())


def test_disagreements_are_the_known_ones(rows: list[Row]) -> None:
    found = {(r.perturbation, r.entity) for r in rows if not r.agree}
    assert sorted(found - DISAGREEMENTS.keys()) == []  # new disagreements: explain them
    assert sorted(DISAGREEMENTS.keys() - found) == []  # now agree: remove them here
    assert sum(r.agree for r in rows) == len(rows) - len(DISAGREEMENTS) == 43


def test_main_directions(rows: list[Row]) -> None:
    d = {(r.perturbation, r.entity): (r.boolean, r.ode) for r in rows}
    assert d[("ketamine", "mtorc1")] == (1, 1)
    assert d[("ketamine", "synaptic_protein_synthesis")] == (1, 1)
    assert d[("sirolimus", "mtorc1")] == (-1, -1)
    assert d[("sirolimus", "autophagy")] == (1, 1)
    assert d[("sirolimus", "immunosuppression")] == (1, 1)
    assert d[("chronic stress", "mtorc1")] == (-1, -1)
    assert d[("chronic stress", "neuroinflammation")] == (1, 1)
    assert d[("zhizichi", "neuroinflammation")] == (-1, -1)


def test_dead_band() -> None:
    from mtorlab.io.qual_compare import _direction

    assert _direction(1.019, 1.0)[0] == 0
    assert _direction(1.03, 1.0)[0] == 1
    assert _direction(0.5, 1.0)[:2] == (-1, -0.5)
    assert _direction(0.5, 0.0) == (1, 0.5, False)  # zero control: absolute change


def test_markdown_lists_disagreements_with_reasons() -> None:
    rows = [
        Row("drug", "mtorc1", "mtorc1_neuron", 1, 1, 0.25, True),
        Row("drug", "bdnf", "bdnf", 1, -1, -0.5, True),
    ]
    text = markdown(rows, {("drug", "bdnf"): "because"})
    assert "| drug |  | ↑ ↑ (+25.0%) | ↑ ↓ (-50.0%) ✗ |" in text
    assert "Agreement: 1 of 2 (50%)." in text
    assert "- drug / bdnf (↑ vs ↓): because" in text
    assert "Disagreements" not in markdown(rows)


def _directions_only(text: str) -> str:
    return re.sub(r" \([+-][0-9.]+(%| abs)\)", "", text)


def test_readme_holds_the_current_table(rows: list[Row]) -> None:
    # The ODE's percentages may drift with the model's parameters; directions and reasons
    # may not (regenerate the section with markdown(compare(), DISAGREEMENTS)).
    text = README.read_text(encoding="utf-8")
    assert "## Boolean (SBML-qual) vs ODE agreement" in text
    assert _directions_only(markdown(rows, DISAGREEMENTS)) in _directions_only(text)
