"""Self-contained HTML reports of scenario runs, with the evidence behind them."""

from mtorlab.report._html import build_report

__all__ = ["build_report"]
