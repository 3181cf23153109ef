"""What a check stands on in the knowledge base: claim text, evidence, and xfail grounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mtorlab.claims._schema import Check
    from mtorlab.kb import KnowledgeBase

TENSION = re.compile(r"\bCX-\d+\b")
LIMITATION = re.compile(r"\bLIM-\d+\b")
KB_RECORD = re.compile(r"\bkb:([a-z][a-z0-9_]*)\b")


@dataclass(frozen=True)
class EvidenceRef:
    """One piece of review evidence behind a check (for tables and reports)."""

    claim: str
    section: str
    refs: tuple[int, ...]
    quote_zh: str | None
    text_en: str

    def where(self) -> str:
        """``review §3.1, ref [30]``."""
        refs = ",".join(str(r) for r in self.refs)
        return f"review §{self.section}" + (f", ref [{refs}]" if refs else "")


def claim_text(check: Check, kb: KnowledgeBase, lang: str = "en") -> str:
    """The claims a check tests, in English (``text_en``) or as the review's Chinese quotes."""
    parts = []
    for cid in check.claims:
        if cid in kb.claims:
            claim = kb.claims[cid]
            quote = next((e.quote_zh for e in claim.evidence if e.quote_zh), None)
            parts.append(quote if lang == "zh" and quote else claim.text_en)
        elif cid in kb.tensions:
            parts.append(kb.tensions[cid].title_en)
    return " / ".join(parts[:1] if check.id.startswith("CX-") else parts)


def evidence(check: Check, kb: KnowledgeBase) -> list[EvidenceRef]:
    """Review evidence of every claim the check tests (tensions: their claims' evidence)."""
    ids: list[str] = []
    for cid in check.claims:
        ids += list(kb.tensions[cid].claims) if cid in kb.tensions else [cid]
    out: list[EvidenceRef] = []
    for cid in dict.fromkeys(ids):
        claim = kb.claims.get(cid)
        if claim is None:
            continue
        for ev in claim.evidence:
            if ev.source == "review":
                section = ev.section or claim.section
                refs = ev.refs or claim.refs
                out.append(EvidenceRef(cid, section, refs, ev.quote_zh, ev.text_en))
    return out


def xfail_grounds(reason: str, kb: KnowledgeBase) -> list[str]:
    """The recorded limitations an xfail reason names: tensions (``CX-n``) and model
    limitations (``LIM-n``) of the knowledge base, or ``kb:<mechanism or entity id>`` records
    that carry a note.

    An empty list means the reason rests on nothing the knowledge base records.
    """
    found = [t for t in TENSION.findall(reason) if t in kb.tensions]
    found += [lim for lim in LIMITATION.findall(reason) if lim in kb.limitations]
    for rid in KB_RECORD.findall(reason):
        record = kb.mechanisms.get(rid) or kb.entities.get(rid)
        if record is not None and record.note:
            found.append(f"kb:{rid}")
    return found
