"""Quantities with units in scenario files ("28 d", "0.5 mg/kg"), parsed with pint."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mtorlab.units import UnitSyntaxError, parse_quantity_text, registry

Kind = Literal["time", "dose"]


class Quantity(BaseModel):
    """A number with a unit, as written by the user and in canonical units.

    ``value`` is in hours for times; in mg/kg, mg, nmol or minutes for doses (see ``unit``).
    Build one from text with :meth:`dose` or :meth:`time` (scenario fields also take the
    text itself).

    Examples
    --------
    >>> from mtorlab import Quantity
    >>> Quantity.dose("500 ug/kg").value, Quantity.dose("500 ug/kg").unit
    (0.5, 'mg/kg')
    >>> Quantity.time("90 min").value
    1.5
    """

    model_config = ConfigDict(frozen=True)

    text: str
    value: float
    unit: str

    def __str__(self) -> str:
        return self.text

    @classmethod
    def dose(cls, text: str) -> Quantity:
        """A dose from text (``"0.5 mg/kg"``, ``"20 mg"``, ``"30 min"``); a bad one raises
        :class:`~mtorlab.errors.MtorlabError` saying what is allowed."""
        return _parsed(text, "dose")

    @classmethod
    def time(cls, text: str) -> Quantity:
        """A time from text (``"6 h"``, ``"28 d"``, ``"40 min"``), in hours."""
        return _parsed(text, "time")


def _parsed(text: str, kind: Kind) -> Quantity:
    from mtorlab.errors import MtorlabError

    try:
        return parse_quantity(text, kind)
    except ValueError as exc:
        raise MtorlabError(f"Quantity.{kind}: {exc}") from None


def _per_body_weight(q: Any, ureg: Any) -> bool:
    """True for mass per mass written as such (mg/kg, ug/g), not for percentages."""
    exps = [exp for name, exp in q.unit_items() if ureg.Quantity(1, name).check("[mass]")]
    return sorted(exps) == [-1, 1]


def parse_quantity(raw: Any, kind: Kind) -> Quantity:
    """Parse ``raw`` ("6 h", "0.5 mg/kg") as a time (→ hours) or a dose.

    Raises
    ------
    ValueError
        With a message naming the bad value and what is allowed.
    """
    if isinstance(raw, Quantity):
        return raw
    if isinstance(raw, dict) and set(raw) == {"text", "value", "unit"}:
        raw = raw["text"]  # a Quantity dumped by model_dump(): read what the user wrote
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError(f"{raw!r} is not a quantity; write a number and a unit, e.g. '28 d'")
    text = str(raw).strip()
    ureg = registry()
    try:
        q = parse_quantity_text(text)
    except UnitSyntaxError as exc:
        raise ValueError(str(exc)) from None
    except Exception:
        raise ValueError(
            f"cannot read {text!r} as a quantity with a unit (e.g. '6 h', '0.5 mg/kg')"
        ) from None
    if not hasattr(q, "units") or str(q.units) == "dimensionless":
        example = "'28 d' or '6 h'" if kind == "time" else "'0.5 mg/kg', '20 mg' or '30 min'"
        raise ValueError(f"{text!r} has no unit; write it with one, e.g. {example}")
    if kind == "time":
        if not q.check("[time]"):
            raise ValueError(f"{text!r} is not a time; use h, min, d or week")
        return Quantity(text=text, value=float(q.to("hour").magnitude), unit="h")
    if q.check("[mass]"):
        return Quantity(text=text, value=float(q.to("mg").magnitude), unit="mg")
    if q.check("[time]"):
        return Quantity(text=text, value=float(q.to("min").magnitude), unit="min")
    if q.check("[substance]"):  # oligonucleotides and other tools dosed by amount (miR-183)
        return Quantity(text=text, value=float(q.to("nmol").magnitude), unit="nmol")
    if _per_body_weight(q, ureg):
        return Quantity(text=text, value=float(q.to("mg/kg").magnitude), unit="mg/kg")
    raise ValueError(
        f"{text!r} is not a dose; use mass per body weight (mg/kg), mass (mg), "
        "amount (nmol) or time per session (min)"
    )
