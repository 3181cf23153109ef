"""Analyses over many simulations: global sensitivity (SALib)."""

from mtorlab.analysis._sensitivity import check_options, parameter_contexts, sensitivity

__all__ = ["check_options", "parameter_contexts", "sensitivity"]
