"""Pharmacokinetics and dosing: model modules built from the intervention library."""
