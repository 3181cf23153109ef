"""Scenarios: what a user asks the model to run (species, condition, interventions, outputs)."""

from mtorlab.scenario._load import load_scenario_file, validate_scenario
from mtorlab.scenario._quantity import Quantity, parse_quantity
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
    "load_scenario_file",
    "output_ids",
    "parameter_overrides",
    "parse_quantity",
    "run_scenario",
    "run_scenario_batch",
    "validate_scenario",
]
