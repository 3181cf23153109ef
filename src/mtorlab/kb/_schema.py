"""Pydantic schema of the knowledge base: entities, evidence, mechanisms, claims, tensions.

Every record is immutable and validates itself on construction; cross-record checks
(ids that must resolve, coverage of the review's claims) live in ``_load``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENTITY_ID = r"^[a-z][a-z0-9_]*$"
MECHANISM_ID = r"^m_[a-z0-9_]+$"
CLAIM_ID = r"^(UP|SYN|INF|AUT|NT|BDNF|KET|RAPA|TCM|OTH|FUT)-\d{2}$"
TENSION_ID = r"^CX-\d+$"
LIMITATION_ID = r"^LIM-\d+$"
SECTIONS = (
    "abstract",
    "intro",
    "1.1",
    "1.2",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "3.1",
    "3.2",
    "3.3",
    "3.4",
    "4",
    "fig1",
    "fig2",
)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EntityKind(StrEnum):
    """What an entity is."""

    protein = "protein"
    complex = "complex"
    small_molecule = "small_molecule"
    cytokine = "cytokine"
    rna = "rna"
    process = "process"
    phenotype = "phenotype"
    condition = "condition"
    drug = "drug"
    intervention = "intervention"


class Sign(StrEnum):
    """Direction of an effect: ``+`` raises or activates, ``-`` lowers or inhibits."""

    positive = "+"
    negative = "-"


class MechanismType(StrEnum):
    """The kind of step a mechanism is."""

    phosphorylation = "phosphorylation"
    activation = "activation"
    inhibition = "inhibition"
    expression = "expression"
    release = "release"
    recruitment = "recruitment"
    translation = "translation"
    synthesis = "synthesis"
    gap_activity = "gap_activity"
    binding = "binding"
    transport = "transport"
    complex_formation = "complex_formation"
    induction = "induction"
    association = "association"


Xref = Annotated[str, Field(min_length=1)]


class Entity(_Record):
    """A named thing of the pathway: protein, complex, molecule, process, phenotype, drug…"""

    id: str = Field(pattern=ENTITY_ID)
    kind: EntityKind
    name_en: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()
    hgnc: tuple[Xref, ...] = ()
    uniprot: tuple[Xref, ...] = ()
    chebi: tuple[Xref, ...] = ()
    mirbase: tuple[Xref, ...] = ()
    go: tuple[Xref, ...] = ()
    note: str | None = None

    @field_validator("chebi")
    @classmethod
    def _chebi_form(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for x in v:
            if not re.fullmatch(r"CHEBI:\d+", x):
                raise ValueError(f"ChEBI id {x!r} must look like 'CHEBI:1234'")
        return v

    @field_validator("uniprot")
    @classmethod
    def _uniprot_form(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for x in v:
            if not re.fullmatch(r"[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9][A-Z0-9]{3}[0-9]", x):
                raise ValueError(f"UniProt accession {x!r} is not a valid accession")
        return v

    @field_validator("go")
    @classmethod
    def _go_form(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for x in v:
            if not re.fullmatch(r"GO:\d{7}", x):
                raise ValueError(f"GO id {x!r} must look like 'GO:0006914'")
        return v


class Evidence(_Record):
    """Where a statement comes from.

    ``source: review`` cites the Chinese review (section, reference numbers, a verbatim
    quote); ``source: literature`` cites another named publication (``citation``).
    """

    source: Literal["review", "literature"] = "review"
    section: str | None = None
    refs: tuple[int, ...] = ()
    quote_zh: str | None = None
    text_en: str = Field(min_length=1)
    citation: str | None = None

    @field_validator("section")
    @classmethod
    def _known_section(cls, v: str | None) -> str | None:
        if v is not None and v not in SECTIONS:
            raise ValueError(f"section {v!r} is not one of {', '.join(SECTIONS)}")
        return v

    @field_validator("refs")
    @classmethod
    def _ref_range(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        bad = [r for r in v if not 1 <= r <= 43]
        if bad:
            raise ValueError(f"reference numbers {bad} are outside the review's [1]-[43]")
        return v

    @model_validator(mode="after")
    def _complete(self) -> Evidence:
        if self.source == "review":
            if not self.quote_zh:
                raise ValueError("review evidence needs quote_zh (a verbatim quote)")
            if not self.section:
                raise ValueError("review evidence needs section")
        elif not self.citation:
            raise ValueError("literature evidence needs citation (authors, year, journal)")
        return self


class Context(_Record):
    """Where and when a mechanism holds, as far as the source says."""

    cell_type: str | None = None
    brain_region: str | None = None
    species: str | None = None
    condition: str | None = None
    dose: str | None = None
    duration: str | None = None
    note: str | None = None


class Mechanism(_Record):
    """A signed, typed step from ``subject`` to ``object`` with its evidence.

    ``direct: false`` marks a net effect the source states without naming the steps
    between (e.g. "ketamine activates mTOR"); path searches prefer direct steps.
    """

    id: str = Field(pattern=MECHANISM_ID)
    subject: str = Field(pattern=ENTITY_ID)
    object: str = Field(pattern=ENTITY_ID)
    sign: Sign
    type: MechanismType
    residue: str | None = None
    context: Context = Context()
    direct: bool = True
    claims: tuple[Annotated[str, Field(pattern=CLAIM_ID)], ...] = ()
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    note: str | None = None


class Claim(_Record):
    """One claim of the review, with the ID used in ``CLAIMS.md``."""

    id: str = Field(pattern=CLAIM_ID)
    section: str
    refs: tuple[int, ...] = ()
    testable: bool
    text_en: str = Field(min_length=1)
    evidence: tuple[Evidence, ...] = Field(min_length=1)


class Resolution(_Record):
    """How the model's contexts resolve a tension, or why it stays open."""

    status: Literal["resolved_by_context", "open"]
    context: str | None = None
    explanation_en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _context_when_resolved(self) -> Resolution:
        if self.status == "resolved_by_context" and not self.context:
            raise ValueError("a tension resolved by context must name the context")
        return self


class Tension(_Record):
    """Statements of the review that conflict (CX-1…CX-6)."""

    id: str = Field(pattern=TENSION_ID)
    title_en: str = Field(min_length=1)
    claims: tuple[Annotated[str, Field(pattern=CLAIM_ID)], ...] = Field(min_length=2)
    mechanisms: tuple[Annotated[str, Field(pattern=MECHANISM_ID)], ...] = Field(min_length=2)
    resolution: Resolution


class Limitation(_Record):
    """A known limitation of the model: claims it does not (yet) reproduce, and why.

    Recorded as data so that the claims suite can mark those checks as expected failures
    with a reason a reader can look up (``mtorlab kb show LIM-1``).
    """

    id: str = Field(pattern=LIMITATION_ID)
    title_en: str = Field(min_length=1)
    claims: tuple[Annotated[str, Field(pattern=CLAIM_ID)], ...] = ()
    tensions: tuple[Annotated[str, Field(pattern=TENSION_ID)], ...] = ()
    #: Validation datasets (``mtorlab validate``) this limitation explains.
    datasets: tuple[Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9-]*$")], ...] = ()
    explanation_en: str = Field(min_length=20)
    status: Literal["open", "calibration_pending", "data_needed"]

    @model_validator(mode="after")
    def _explains_something(self) -> Limitation:
        if not self.claims and not self.datasets:
            raise ValueError("a limitation names the claims or datasets it explains")
        return self
