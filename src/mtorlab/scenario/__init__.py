"""Scenarios: what a user asks the model to run (species, condition, interventions, outputs)."""

from mtorlab.scenario._load import load_scenario_file, validate_scenario
from mtorlab.scenario._quantity import Quantity, parse_quantity
from mtorlab.scenario._resolve import (
    library_entries,
    library_files,
    merged_entries,
    resolve_scenario,
    scenario_library,
    with_drugs,
)
from mtorlab.scenario._run import (
    BatchRun,
    check_plan,
    current_overrides,
    output_ids,
    parameter_overrides,
    run_scenario,
    run_scenario_batch,
)
from mtorlab.scenario._schema import ConditionBlock, Intervention, Scenario, Schedule

__all__ = [
    "BatchRun",
    "ConditionBlock",
    "Intervention",
    "Quantity",
    "Scenario",
    "Schedule",
    "check_plan",
    "current_overrides",
    "library_entries",
    "library_files",
    "load_scenario_file",
    "merged_entries",
    "output_ids",
    "parameter_overrides",
    "parse_quantity",
    "resolve_scenario",
    "run_scenario",
    "run_scenario_batch",
    "scenario_library",
    "validate_scenario",
    "with_drugs",
]
