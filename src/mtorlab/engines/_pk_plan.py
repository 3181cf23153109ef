"""Lay a scenario's PK modules onto a compiled core: index tables, no code generation.

A scenario's model is its core (the base model, with any extensions) plus one PK module
per drug (``pk/_modules.py``), whose records always have the same few shapes. The core
is compiled once (``_codegen``); a drug combination only fills the tables the template's
generic PK kernels read (``_rosenbrock.py``: ``rhs``, ``jac``, ``assign``) and gets its
own sparse LU plan, so a new combination or a new user drug runs without compiling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mtorlab.ode import Model
    from mtorlab.pk._modules import Layout

#: slot columns, as in ``_rosenbrock.py`` (S_CEN ... S_IVR)
SLOT_FIELDS = ("central", "brain", "periph", "metab", "v1", "k10", "k12", "k21", "ki", "fm",
               "km", "vm", "kp", "kb", "iv_rate")  # fmt: skip
_STATE_FIELDS = {"central", "brain", "periph", "metab"}


class LayoutMismatch(Exception):
    """The model is not its core plus these layouts (compile it as a whole instead)."""


@dataclass(frozen=True)
class Laid:
    """The full model's id tables and the PK tables, in the core's frame."""

    species: tuple[str, ...]
    parameters: tuple[str, ...]
    assignments: tuple[str, ...]
    defaults: np.ndarray
    initial: np.ndarray
    pattern: np.ndarray
    pk: tuple[np.ndarray, ...]


def lay_out(
    model: Model,
    core: Model,
    core_assignments: Sequence[str],
    core_pattern: np.ndarray,
    g_entries: Sequence[tuple[int, int]],
    inputs: Sequence[str],
    layouts: Sequence[Layout],
) -> Laid:
    """Tables for ``model`` = ``core`` + ``layouts`` (raises :class:`LayoutMismatch`)."""
    extra_species = [s for s in model.species if s not in core.species]
    species = tuple(core.species) + tuple(extra_species)
    parameters = tuple(core.parameters) + tuple(
        p for p in model.parameters if p not in core.parameters
    )
    sidx = {s: i for i, s in enumerate(species)}
    pidx = {p: k for k, p in enumerate(parameters)}
    midx = {q: m for m, q in enumerate(inputs)}
    slots = np.full((len(layouts), len(SLOT_FIELDS)), -1, dtype=np.int64)
    depots: list[list[int]] = []
    ch_int: list[list[int]] = []
    ch_flt: list[list[float]] = []
    asl: list[list[int]] = []
    names: list[str] = []
    covered: set[str] = set()
    for s, lay in enumerate(layouts):
        for col, fld in enumerate(SLOT_FIELDS):
            rid = getattr(lay, fld)
            if rid is None:
                continue
            table = sidx if fld in _STATE_FIELDS else pidx
            if rid not in table:
                raise LayoutMismatch(f"{fld} {rid!r}")
            slots[s, col] = table[rid]
            if fld in _STATE_FIELDS:
                covered.add(rid)
        for state, ka, rate in lay.depots:
            if state not in sidx or ka not in pidx or rate not in pidx:
                raise LayoutMismatch(f"depot {state!r}")
            depots.append([sidx[state], s, pidx[ka], pidx[rate]])
            covered.add(state)
        for ch in lay.channels:
            if ch.input not in midx or ch.ec50 not in pidx:
                raise LayoutMismatch(f"channel {ch.input!r}")
            ch_int.append([s, midx[ch.input], pidx[ch.ec50]])
            ch_flt.append([ch.wb, ch.wp, ch.wm, ch.emax, ch.hill])
        for kind, aid in ((0, lay.cp), (1, lay.cm)):
            if aid is not None:
                asl.append([kind, s])
                names.append(aid)
    if set(extra_species) != covered:
        raise LayoutMismatch("PK species")
    order = sorted(range(len(ch_int)), key=lambda k: ch_int[k][1])  # stable: by input
    ch_i = np.array([ch_int[k] for k in order], dtype=np.int64).reshape(-1, 3)
    ch_f = np.array([ch_flt[k] for k in order], dtype=float).reshape(-1, 5)
    tg_m = np.array(sorted({int(m) for m in ch_i[:, 1]}), dtype=np.int64)
    tg_start = np.searchsorted(ch_i[:, 1], np.append(tg_m, len(inputs))).astype(np.int64)
    tg_of = np.full(len(inputs), -1, dtype=np.int64)
    tg_of[tg_m] = np.arange(len(tg_m))
    for m in tg_m:
        asl.append([2, int(m)])
        names.append(inputs[int(m)])
    assignments = tuple(core_assignments) + tuple(names)
    if set(model.assignments) != set(assignments):
        raise LayoutMismatch("assignments")
    # the full Jacobian's structure: the core's, each slot's block, and the coupling of
    # core rows to the concentrations their inputs read
    n, n0 = len(species), len(core.species)
    pattern = np.eye(n, dtype=bool)
    pattern[:n0, :n0] = core_pattern
    pk_entries: set[tuple[int, int]] = set()
    for s in range(len(layouts)):
        cen, brn, per, met = (int(v) for v in slots[s, :4])
        pk_entries.add((cen, cen))
        for other in (brn, per, met):
            if other >= 0:
                pk_entries |= {(other, other), (other, cen), (cen, other)}
    for d in depots:
        pk_entries |= {(d[0], d[0]), (int(slots[d[1], 0]), d[0])}
    for i, m in g_entries:
        if tg_of[m] < 0:
            continue
        for k in range(tg_start[tg_of[m]], tg_start[tg_of[m] + 1]):
            s = ch_i[k, 0]
            for col, w in ((1, ch_f[k, 0]), (0, ch_f[k, 1]), (3, ch_f[k, 2])):
                if slots[s, col] >= 0 and w != 0.0:
                    pk_entries.add((i, int(slots[s, col])))
    for i, j in pk_entries:
        pattern[i, j] = True
    jz = np.array(sorted(pk_entries), dtype=np.int64).reshape(-1, 2)
    defaults = np.array(
        [(model.parameters.get(p) or core.parameters[p]).value for p in parameters], dtype=float
    )
    initial = np.array([model.species[s].initial for s in species], dtype=float)
    pk = (
        np.array([pidx[q] for q in inputs], dtype=np.int64),
        slots,
        np.array(depots, dtype=np.int64).reshape(-1, 4),
        ch_i,
        ch_f,
        tg_m,
        tg_start,
        tg_of,
        jz,
        np.array(asl, dtype=np.int64).reshape(-1, 2),
        np.array(g_entries, dtype=np.int64).reshape(-1, 2),
    )
    return Laid(species, parameters, assignments, defaults, initial, pattern, pk)
