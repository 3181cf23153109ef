"""Run the claims suite and present it: summary by split, JSON records, an HTML page."""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mtorlab.claims._evidence import claim_text, evidence
from mtorlab.claims._runner import CachedSimulator, CheckResult, Simulate, run_check

if TYPE_CHECKING:
    from mtorlab.claims._schema import Check
    from mtorlab.kb import KnowledgeBase

STATUSES = ("pass", "fail", "xfail", "error")


def run_suite(checks: Iterable[Check], simulate: Simulate | None = None) -> list[CheckResult]:
    """Run checks, simulating each distinct arm once (default: the reference engine)."""
    if simulate is None:
        from mtorlab.claims._simulate import simulate_mapping

        simulate = simulate_mapping
    sim = CachedSimulator(simulate)
    return [run_check(c, sim) for c in checks]


def summary(results: Sequence[CheckResult]) -> dict[str, dict[str, Any]]:
    """Counts per status and the pass rate, for each split and overall.

    The pass rate counts an xfail (a documented, expected failure) as not passed.
    """
    out: dict[str, dict[str, Any]] = {}
    for split in ("training", "held_out", "all"):
        chosen = [r for r in results if split in ("all", r.check.split)]
        counts = Counter(r.status for r in chosen)
        row: dict[str, Any] = {s: counts.get(s, 0) for s in STATUSES}
        row["total"] = len(chosen)
        row["pass_rate"] = counts.get("pass", 0) / len(chosen) if chosen else None
        out[split] = row
    return out


def record(result: CheckResult, kb: KnowledgeBase, lang: str = "en") -> dict[str, Any]:
    """One check as a JSON-ready record with its claim text and evidence."""
    out = result.as_dict()
    for o in out["outcomes"]:  # strict JSON has no Infinity or NaN
        if not math.isfinite(o["measured"]):
            o["measured"] = str(o["measured"])
    out["claim_text"] = claim_text(result.check, kb, lang)
    out["evidence"] = [
        {
            "claim": e.claim,
            "section": e.section,
            "refs": list(e.refs),
            "quote_zh": e.quote_zh,
            "text_en": e.text_en,
        }
        for e in evidence(result.check, kb)
    ]
    return out


def as_json(results: Sequence[CheckResult], kb: KnowledgeBase, lang: str = "en") -> dict[str, Any]:
    """The whole run: summary by split, then one record per check."""
    return {
        "summary": summary(results),
        "checks": [record(r, kb, lang) for r in results],
    }


# ---- HTML
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;
 margin:24px;color:#1d232b;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px} .meta{color:#5b6570;margin-bottom:16px}
.cards{display:flex;gap:14px;margin:14px 0 22px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:12px 16px;min-width:220px}
.card b{font-size:22px}
.bar{height:8px;border-radius:4px;background:#e9ecef;margin-top:8px;overflow:hidden}
.bar span{display:block;height:100%;background:#2e8b57}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #dde2e8;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#eef1f5;position:sticky;top:0}
.st{font-weight:600;text-align:center;white-space:nowrap;border-radius:4px;padding:2px 6px}
.pass{background:#d8f1e0;color:#1d6b3a} .fail{background:#fadadd;color:#8f1d2c}
.xfail{background:#fdf0cf;color:#7a5a00} .error{background:#e4dcf5;color:#4b2a8a}
ul{margin:0;padding-left:16px} li.bad{color:#8f1d2c} li.ok{color:#37414b}
.num{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.quote{color:#37414b;font-size:13px} .small{font-size:12px;color:#5b6570}
details summary{cursor:pointer;color:#2a5d8f}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _cards(summ: dict[str, dict[str, Any]]) -> str:
    names = {"training": "Training", "held_out": "Held out", "all": "All checks"}
    cards = []
    for split, row in summ.items():
        rate = row["pass_rate"] or 0.0
        counts = ", ".join(f"{row[s]} {s}" for s in STATUSES if row[s])
        cards.append(
            f'<div class="card"><div>{names[split]}</div><b>{row["pass"]}/{row["total"]}</b> '
            f'passed ({rate:.0%})<div class="small">{_e(counts)}</div>'
            f'<div class="bar"><span style="width:{rate * 100:.0f}%"></span></div></div>'
        )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _outcomes(result: CheckResult) -> str:
    if result.error:
        return f'<ul><li class="bad">error: {_e(result.error)}</li></ul>'
    items = []
    for o in result.outcomes:
        cls, mark = ("ok", "✓") if o.passed else ("bad", "✗")
        items.append(
            f'<li class="{cls}">{mark} measured <span class="num">{o.measured:+.4g}</span>; '
            f'expected {_e(o.expected)}<br><span class="small">{_e(o.detail)}</span></li>'
        )
    return "<ul>" + "".join(items) + "</ul>"


def _evidence_cell(result: CheckResult, kb: KnowledgeBase) -> str:
    rows = []
    for ev in evidence(result.check, kb):
        quote = f'<div class="quote">「{_e(ev.quote_zh)}」</div>' if ev.quote_zh else ""
        rows.append(
            f"<li>{_e(ev.claim)}: {_e(ev.where())}{quote}"
            f'<div class="small">{_e(ev.text_en)}</div></li>'
        )
    return "<ul>" + "".join(rows) + "</ul>" if rows else ""


def _row(result: CheckResult, kb: KnowledgeBase) -> str:
    c = result.check
    xfail = f'<div class="small"><b>xfail:</b> {_e(c.xfail)}</div>' if c.xfail else ""
    return (
        f'<tr id="{_e(c.id)}"><td><b>{_e(c.id)}</b></td>'
        f'<td>{_e(claim_text(c, kb, "en"))}<div class="quote">{_e(claim_text(c, kb, "zh"))}</div>'
        f'<details><summary>reading</summary><div class="small">{_e(c.reading)}</div>'
        f"</details>{xfail}</td>"
        f"<td>{_e(c.split)}</td>"
        f'<td><span class="st {result.status}">{result.status}</span></td>'
        f"<td>{_outcomes(result)}</td><td>{_evidence_cell(result, kb)}</td></tr>"
    )


def as_html(results: Sequence[CheckResult], kb: KnowledgeBase, *, title: str = "") -> str:
    """A self-contained page (inline CSS, no scripts or external files)."""
    from mtorlab import __version__

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = title or "mtorlab claims suite"
    rows = "".join(_row(r, kb) for r in results)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(head)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{_e(head)}</h1><div class="meta">The review\'s testable claims run on the '
        f"model: mtorlab {_e(__version__)}, {when}. Pass rates count an expected failure "
        "(xfail, a recorded limitation) as not passed.</div>"
        f"{_cards(summary(results))}"
        "<table><thead><tr><th>ID</th><th>Claim (en / 中文)</th><th>Split</th><th>Result</th>"
        "<th>Measured vs expected</th><th>Evidence (review section, refs, quote)</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></body></html>"
    )
