"""The claims suite: the review's testable statements as executable checks."""

from mtorlab.claims._evidence import claim_text, evidence, xfail_grounds
from mtorlab.claims._report import as_html, as_json, run_suite, summary
from mtorlab.claims._runner import CheckResult, load_checks, run_check, select
from mtorlab.claims._schema import Check
from mtorlab.claims._simulate import simulate_mapping

__all__ = [
    "Check",
    "CheckResult",
    "as_html",
    "as_json",
    "claim_text",
    "evidence",
    "load_checks",
    "run_check",
    "run_suite",
    "select",
    "simulate_mapping",
    "summary",
    "xfail_grounds",
]
