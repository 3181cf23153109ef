"""Analyses over many simulations: global sensitivity (SALib)."""

from mtorlab.analysis._sensitivity import parameter_contexts, sensitivity

__all__ = ["parameter_contexts", "sensitivity"]
