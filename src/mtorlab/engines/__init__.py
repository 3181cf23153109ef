"""Simulation engines. The reference engine is libRoadRunner on the SBML export."""

from mtorlab.engines._roadrunner import RoadRunnerEngine, SteadyStateError, Tolerances

__all__ = ["RoadRunnerEngine", "SteadyStateError", "Tolerances"]
