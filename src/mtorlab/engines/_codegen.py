"""Compile a model for the batch engine: right-hand side, analytic Jacobian, rules, LU plan.

The model's SBML infix rate laws are read by SymPy; assignment rules are substituted into
the rate laws, the Jacobian is differentiated symbolically, common subexpressions are
shared (``sympy.cse``) and the result is printed as Python source that Numba compiles.
The source is written to a cache directory keyed by the model's content, so Numba's own
on-disk cache (``cache=True``) makes the compilation a one-time cost per model.

Only a scenario's *core* is generated: the base model, with any model extensions. Its
inputs (``role: input``) are read as a vector ``u``, and the PK modules of the scenario's
drugs, which always have the same few shapes, are laid onto the compiled core as index
tables (``_pk_plan.py``) that the template's generic PK kernels read. A new drug
combination or a user's drug therefore needs no code generation and no compilation.

The sparse LU plan follows the Kinetic PreProcessor (KPP; Damian et al. 2002, Comput.
Chem. Eng. 26:1567): diagonal pivots chosen once by the Markowitz criterion on the
Jacobian's structure, fill-in computed symbolically, and the numerical factorisation
replayed from the resulting operation lists (no pivoting at run time).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    from mtorlab.ode import Model

#: Bump when the generated code changes shape, so stale cache files are never loaded.
CODEGEN_VERSION = "5"  # also covers _rosenbrock.py: its text is part of the key


@dataclass(frozen=True)
class LUPlan:
    """Operation lists of a sparse LU without pivoting, in pivot order.

    ``pivots`` is the elimination order. For each elimination pair ``t``,
    ``(pair_row[t], pair_piv[t])`` is an entry of L; row ``pair_row[t]`` is updated at the
    columns ``upd_col[upd_start[t]:upd_start[t + 1]]``. ``ucol[ustart[k]:ustart[k + 1]]``
    are the U entries right of the pivot ``pivots[k]``.
    """

    pivots: np.ndarray
    pair_row: np.ndarray
    pair_piv: np.ndarray
    upd_start: np.ndarray
    upd_col: np.ndarray
    ustart: np.ndarray
    ucol: np.ndarray
    nz_row: np.ndarray
    nz_col: np.ndarray
    nnz_jacobian: int
    nnz_lu: int
    flops: int


@dataclass(frozen=True)
class Compiled:
    """A model as compiled kernels plus the index tables the engine needs."""

    species: tuple[str, ...]
    parameters: tuple[str, ...]
    assignments: tuple[str, ...]
    defaults: np.ndarray
    initial: np.ndarray
    module: ModuleType
    lu: LUPlan
    key: str
    #: per species: the value a readout thresholds it at (``abs(x - x0)``), else NaN
    thresholds: np.ndarray
    #: the PK tables of the template's generic kernels (``_pk_plan.lay_out``)
    pk: tuple[np.ndarray, ...] = ()

    def index(self, name: str) -> tuple[int, int]:
        """``(kind, position)`` of an id: 0 species, 1 assignment, 2 parameter."""
        for kind, ids in enumerate((self.species, self.assignments, self.parameters)):
            if name in ids:
                return kind, ids.index(name)
        from mtorlab.errors import UnknownIdError

        raise UnknownIdError("model id", name, self.species + self.assignments)


def _sympy_namespace(names: list[str]) -> dict[str, Any]:
    import sympy as sp

    ns: dict[str, Any] = {n: sp.Symbol(n, real=True) for n in names}
    ns.update(pow=sp.Pow, ln=sp.log, log=sp.log, exp=sp.exp, abs=sp.Abs, sqrt=sp.sqrt)
    return ns


def _parse(formula: str, ns: dict[str, Any], where: str) -> Any:
    from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

    try:  # SBML infix writes powers as "^" as well as pow()
        return parse_expr(
            formula, local_dict=ns, transformations=(*standard_transformations, convert_xor)
        )
    except Exception as exc:
        raise MtorlabError(f"batch engine: cannot read the formula of {where}: {exc}") from None


def _ordered_assignments(model: Model) -> list[str]:
    from mtorlab.ode._formula import symbols

    deps = {
        a.id: [s for s in symbols(a.formula) if s in model.assignments]
        for a in model.assignments.values()
    }
    order: list[str] = []
    done: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in stack:
            raise MtorlabError(
                f"batch engine: assignment rules form a cycle: {' -> '.join((*stack, name))}"
            )
        for d in deps[name]:
            visit(d, (*stack, name))
        done.add(name)
        order.append(name)

    for name in model.assignments:
        visit(name, ())
    return order


class _Printer:
    """SymPy → Python source with ``y[i]``, ``p[k]`` array access (Numba-compatible)."""

    def __init__(
        self, species: list[str], parameters: list[str], consts: list[str], inputs: list[str]
    ) -> None:
        from sympy.printing.pycode import PythonCodePrinter

        index = {s: f"y[{i}]" for i, s in enumerate(species)}
        index.update({p: f"p[{k}]" for k, p in enumerate(parameters)})
        index.update({q: f"u[{m}]" for m, q in enumerate(inputs)})
        index.update({c: f"c[{k}]" for k, c in enumerate(consts)})

        class Printer(PythonCodePrinter):
            def _print_Symbol(self, expr: Any) -> str:
                return index.get(expr.name, expr.name)

            def _print_Pow(self, expr: Any, rational: bool = False) -> str:
                # a power whose exponent is a parameter (a Hill coefficient) goes through
                # _pow, which multiplies for small whole exponents instead of calling pow()
                if expr.exp.is_Number:
                    return str(super()._print_Pow(expr, rational=rational))
                return f"_pow({self._print(expr.base)}, {self._print(expr.exp)})"

        self._printer = Printer({"fully_qualified_modules": True, "standard": "python3"})

    def __call__(self, expr: Any) -> str:
        return str(self._printer.doprint(expr))


def _body(
    exprs: list[Any],
    targets: list[str],
    printer: _Printer,
    tmp: str,
    guard: list[bool] | None = None,
) -> list[str]:
    """Assignments of ``exprs`` to ``targets`` with shared subexpressions.

    ``guard[k]`` marks a target whose value may be 0/0 or inf at a boundary (the
    derivative of ``abs(x)**n`` at ``x = 0``); a non-finite value there is written as 0.
    """
    import sympy as sp

    names = sp.numbered_symbols(tmp)
    replacements, reduced = sp.cse(exprs, symbols=names, order="none")
    lines = [f"    {sym} = {printer(value)}" for sym, value in replacements]
    for k, (t, e) in enumerate(zip(targets, reduced, strict=True)):
        if guard and guard[k]:
            lines.append(f"    _v = {printer(e)}")
            lines.append(f"    {t} = _v if math.isfinite(_v) else 0.0")
        else:
            lines.append(f"    {t} = {printer(e)}")
    return lines


def _singular_at_zero(expr: Any) -> bool:
    """Whether a derivative may be 0/0 or infinite where a state is 0: it contains abs,
    sign, or a power of a state with a non-integer or symbolic exponent."""
    import sympy as sp

    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.sign)):
            return True
        if isinstance(node, sp.Pow) and not node.exp.is_Integer and node.base.free_symbols:
            return True
    return False


def _substituted_rules(model: Model, ns: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Each assignment rule in dependency order: its name, its formula as read, and the
    formula with the earlier rules substituted (in terms of species and parameters only)."""
    subs: dict[Any, Any] = {}
    out = []
    for name in _ordered_assignments(model):
        raw = _parse(model.assignments[name].formula, ns, f"assignment {name!r}")
        expr = raw.xreplace(subs)
        subs[ns[name]] = expr
        out.append((name, raw, expr))
    return out


def threshold_states(
    model: Model, rules: list[tuple[str, Any, Any]] | None = None
) -> dict[str, float]:
    """States that an assignment rule thresholds: ``abs(x - x0)`` (a ramp such as
    ``(x - x0 + abs(x - x0)) / 2``) with ``x`` a species, after earlier rules are
    substituted, mapped to ``x0``. Near ``x0`` such a readout is ill-conditioned in ``x``
    (its value is a small difference), so the integrator weighs ``x``'s error by its
    distance from ``x0`` (see ``advance``)."""
    import sympy as sp

    if rules is None:
        names = list(model.species) + list(model.parameters) + _ordered_assignments(model)
        rules = _substituted_rules(model, _sympy_namespace(names))
    values = {sp.Symbol(p.id, real=True): p.value for p in model.parameters.values()}
    found: dict[str, float] = {}
    for _name, _raw, expr in rules:
        for node in sp.preorder_traversal(expr):
            if not isinstance(node, sp.Abs):
                continue
            arg = node.args[0].xreplace(values)
            states = [s for s in arg.free_symbols if s.name in model.species]
            if len(states) != 1 or arg.free_symbols != set(states):
                continue
            x = states[0]
            slope = sp.diff(arg, x)
            if not (slope.is_number and slope != 0 and sp.diff(slope, x) == 0):
                continue
            x0 = sp.solve(arg, x)
            if len(x0) == 1 and x0[0].is_number and x0[0] != 0:
                found[x.name] = float(x0[0])
    return found


def _lu_plan(pattern: np.ndarray) -> LUPlan:
    """Markowitz-ordered symbolic LU of a structure with a full diagonal."""
    n = pattern.shape[0]
    s = pattern.copy()
    remaining = list(range(n))
    pivots: list[int] = []
    pair_row: list[int] = []
    pair_piv: list[int] = []
    upd_start = [0]
    upd_col: list[int] = []
    ustart = [0]
    ucol: list[int] = []
    flops = 0
    while remaining:
        # Markowitz cost (r-1)(c-1) over the remaining submatrix; ties by index (deterministic)
        sub = np.array(remaining)
        rows = s[np.ix_(sub, sub)].sum(axis=1)
        cols = s[np.ix_(sub, sub)].sum(axis=0)
        k = int(sub[int(np.argmin((rows - 1) * (cols - 1)))])
        remaining.remove(k)
        pivots.append(k)
        right = [j for j in remaining if s[k, j]]
        below = [i for i in remaining if s[i, k]]
        for i in below:
            pair_row.append(i)
            pair_piv.append(k)
            for j in right:
                s[i, j] = True
                upd_col.append(j)
            upd_start.append(len(upd_col))
            flops += 1 + 2 * len(right)
        ucol.extend(right)
        ustart.append(len(ucol))
    return LUPlan(
        pivots=np.array(pivots, dtype=np.int64),
        pair_row=np.array(pair_row, dtype=np.int64),
        pair_piv=np.array(pair_piv, dtype=np.int64),
        upd_start=np.array(upd_start, dtype=np.int64),
        upd_col=np.array(upd_col, dtype=np.int64),
        ustart=np.array(ustart, dtype=np.int64),
        ucol=np.array(ucol, dtype=np.int64),
        nz_row=np.nonzero(s)[0].astype(np.int64),
        nz_col=np.nonzero(s)[1].astype(np.int64),
        nnz_jacobian=int(pattern.sum()),
        nnz_lu=int(s.sum()),
        flops=flops,
    )


def _model_key(model: Model) -> str:
    template = Path(__file__).with_name("_rosenbrock.py").read_bytes()
    parts = [CODEGEN_VERSION, hashlib.sha256(template).hexdigest()]
    parts += [f"S {s.id}" for s in model.species.values()]
    parts += [f"P {p.id}" for p in model.parameters.values()]
    parts += [f"R {r.id} {r.equation} {r.rate}" for r in model.reactions.values()]
    parts += [f"A {a.id} {a.formula}" for a in model.assignments.values()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def cache_dir() -> Path:
    """Where generated kernels live (``MTORLAB_CACHE`` or the user cache directory)."""

    from platformdirs import user_cache_dir

    base = os.environ.get("MTORLAB_CACHE") or user_cache_dir("mtorlab")
    path = Path(base) / "batch"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def owned_and_private(st: os.stat_result) -> bool:
    """A cache file's stat: ours and not writable by group or others (what may be run)."""
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & 0o022


def _trusted(path: Path) -> bool:
    """A cache file we may execute: ours, not writable by group or others, digest intact."""

    try:
        st = path.stat()
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    if not owned_and_private(st):
        return False
    head, _, body = text.partition("\n")
    return head == "# sha256: " + hashlib.sha256(body.encode("utf-8")).hexdigest()


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically through an unpredictable, private temp file."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def input_ids(model: Model) -> list[str]:
    """The model inputs (``role: input``): the generated core reads them as ``u``, which
    the template sets from the parameters or, for an input a drug targets, from the drug's
    concentration (so one compiled core serves every drug combination)."""
    return [p.id for p in model.parameters.values() if p.role == "input"]


def generate_source(model: Model) -> tuple[str, np.ndarray]:
    """Python source of the core kernels (``core_rhs``, ``core_jac``, ``core_assign``,
    ``pre``) of ``model`` with the PK template, and the Jacobian's structure (boolean,
    species × species)."""
    import sympy as sp

    from mtorlab.ode._formula import parse_equation

    species = list(model.species)
    parameters = list(model.parameters)
    inputs = input_ids(model)
    order = _ordered_assignments(model)
    ns = _sympy_namespace(species + parameters + order)
    substituted = _substituted_rules(model, ns)
    subs = {ns[name]: expr for name, _raw, expr in substituted}
    rules = [raw for _name, raw, _expr in substituted]  # printed with earlier rules as locals
    ysym = [ns[s] for s in species]
    usym = [ns[q] for q in inputs]
    rates = []
    stoich: list[list[tuple[int, float]]] = []
    for r in model.reactions.values():
        rates.append(_parse(r.rate, ns, f"reaction {r.id!r}").xreplace(subs))
        reactants, products = parse_equation(r.equation)
        terms = [(species.index(n), -c) for n, c in reactants]
        terms += [(species.index(n), c) for n, c in products]
        stoich.append(terms)
    n = len(species)
    jac_terms: dict[tuple[int, int], Any] = {}
    g_terms: dict[tuple[int, int], Any] = {}
    for rate, terms in zip(rates, stoich, strict=True):
        for table, symbols in ((jac_terms, ysym), (g_terms, usym)):
            for j, yj in enumerate(symbols):
                if yj not in rate.free_symbols:
                    continue
                d = sp.diff(rate, yj)
                for i, c in terms:
                    table[(i, j)] = table.get((i, j), 0) + c * d
    pattern = np.eye(n, dtype=bool)
    for i, j in jac_terms:
        pattern[i, j] = True
    hoisted: dict[Any, Any] = {}
    dynamic = set(ysym) | set(usym)

    def hoist(expr: Any) -> Any:
        """Replace each largest parameter-only subexpression by a constant ``c_k``."""
        if expr.is_Atom:
            return expr
        if not (expr.free_symbols & dynamic):
            if expr not in hoisted:
                hoisted[expr] = sp.Symbol(f"c_{len(hoisted)}", real=True)
            return hoisted[expr]
        return expr.func(*[hoist(a) for a in expr.args])

    rates = [hoist(r) for r in rates]
    keys = sorted(jac_terms)
    gkeys = sorted(g_terms)
    jac_exprs = [hoist(jac_terms[k]) for k in keys] + [hoist(g_terms[k]) for k in gkeys]
    printer = _Printer(species, parameters, [str(c) for c in hoisted.values()], inputs)
    pre = ["def pre(p, c):"]
    pre += _body(list(hoisted), [f"c[{k}]" for k in range(len(hoisted))], printer, "t")
    if not hoisted:
        pre.append("    pass")
    rate_names = [f"r{k}" for k in range(len(rates))]
    rhs = ["def core_rhs(y, u, p, c, f):"]
    rhs += _body(rates, rate_names, printer, "t")
    for i in range(n):
        flux = [f"{c!r} * r{k}" for k, ts in enumerate(stoich) for si, c in ts if si == i]
        rhs.append(f"    f[{i}] = {' + '.join(flux) if flux else '0.0'}")
    jac = ["def core_jac(y, u, p, c, J, G):"]
    guard = [_singular_at_zero(jac_terms[k]) for k in keys]
    guard += [_singular_at_zero(g_terms[k]) for k in gkeys]
    targets = [f"J[{i}, {j}]" for i, j in keys] + [f"G[{e}]" for e in range(len(gkeys))]
    jac += _body(jac_exprs, targets, printer, "t", guard) if targets else ["    pass"]
    assign = ["def core_assign(y, u, p, a):"]
    local = {ns[name]: sp.Symbol(f"a_{name}") for name in order}
    for k, (name, raw) in enumerate(zip(order, rules, strict=True)):
        assign.append(f"    a_{name} = {printer(raw.xreplace(local))}")
        assign.append(f"    a[{k}] = a_{name}")
    if not order:
        assign.append("    pass")
    found = threshold_states(model, substituted)
    thresholds = "THRESHOLDS = (" + ", ".join(repr(found.get(s, float("nan"))) for s in species)
    thresholds = thresholds.replace("nan", 'float("nan")') + ",)"
    consts = [
        f"N_CONST = {max(len(hoisted), 1)}",
        f"N_ASSIGN = {len(order)}",
        f"N_SPECIES = {n}",
        f"G_ROWS = {tuple(i for i, _ in gkeys)!r}",
        f"G_COLS = {tuple(m for _, m in gkeys)!r}",
        thresholds,
    ]
    header = (
        f'"""Generated by mtorlab.engines._codegen (version {CODEGEN_VERSION}); do not edit."""'
    )
    template = (Path(__file__).with_name("_rosenbrock.py")).read_text(encoding="utf-8")
    source = "\n".join(
        [
            header,
            template,
            "",
            "# ---- generated kernels",
            *consts,
            *pre,
            "",
            *rhs,
            "",
            *jac,
            "",
            *assign,
            FOOTER,
        ]
    )
    return source, pattern


#: Compiles every function of the generated module (Numba's on-disk cache keeps the result).
FOOTER = """
import numba as _numba

_jit = _numba.njit(cache=True, error_model="numpy", nogil=True)
_pow = _numba.njit(cache=True, error_model="numpy", nogil=True, inline="always")(_pow)
pre = _jit(pre)
core_rhs = _jit(core_rhs)
core_jac = _jit(core_jac)
core_assign = _jit(core_assign)
_cp = _jit(_cp)
_cm = _jit(_cm)
pk_inputs = _jit(pk_inputs)
rhs = _jit(rhs)
jac = _jit(jac)
assign = _jit(assign)
pk_work = _jit(pk_work)
lu_factor = _jit(lu_factor)
lu_solve = _jit(lu_solve)
advance = _jit(advance)
_work = _jit(_work)
record = _jit(record)
rhs_batch = _jit(rhs_batch)
jac_batch = _jit(jac_batch)
simulate_batch = _jit(simulate_batch)
relax_batch = _jit(relax_batch)
"""


_CORES: dict[str, tuple[ModuleType, np.ndarray]] = {}


def _core_kernels(core: Model) -> tuple[str, ModuleType, np.ndarray]:
    """The compiled kernels of a core model (generated once per content, then cached)."""
    key = _model_key(core)
    if key in _CORES:
        return key, *_CORES[key]
    path = cache_dir() / f"kernels_{key}.py"
    pattern_path = path.with_suffix(".npy")
    if not (_trusted(path) and pattern_path.exists()):
        # missing, foreign, group/world-writable or corrupted: generate it anew (the
        # source carries its own SHA-256, checked before every import)
        import io

        source, pattern = generate_source(core)
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        buf = io.BytesIO()
        np.save(buf, pattern)
        _write_private(pattern_path, buf.getvalue())
        _write_private(path, f"# sha256: {digest}\n{source}".encode())
        prune_cache(keep=KEEP_KERNELS, current=key)
    else:
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: kept longest by prune_cache
    pattern = np.load(pattern_path)
    module = _import(path, f"mtorlab_kernels_{key}")
    _CORES[key] = (module, pattern)
    return key, module, pattern


#: Kernels kept in the cache directory (each core's source, structure and Numba's compiled
#: files, about 4 MB): a model change or a new extension adds one; the least recently used
#: beyond this many are removed when a new one is written.
KEEP_KERNELS = 16


def prune_cache(keep: int = KEEP_KERNELS, current: str | None = None) -> list[str]:
    """Remove all but the ``keep`` most recently used kernels (never ``current``) from the
    cache directory, with their Numba cache files; returns the keys removed. A process that
    has a removed kernel loaded keeps running it; the next to need it generates it again."""
    import glob

    d = cache_dir()
    found = []
    for p in d.glob("kernels_*.py"):
        with contextlib.suppress(OSError):
            found.append((p.stat().st_mtime, p.stem.removeprefix("kernels_")))
    found.sort(reverse=True)
    removed = [k for _, k in found[keep:] if k != current]
    for k in removed:
        victims = [d / f"kernels_{k}.py", d / f"kernels_{k}.npy"]
        victims += [Path(f) for f in glob.glob(str(d / "__pycache__" / f"kernels_{k}.*"))]
        for f in victims:
            with contextlib.suppress(OSError):
                f.unlink()
    return removed


def structure_key(model: Model) -> str:
    """A digest of a model's ids and equations (not its values)."""
    return _model_key(model)


def core_and_layouts(model: Model) -> tuple[Model, tuple[Any, ...]]:
    """The core a scenario's model was composed from and its drugs' PK layouts; the model
    itself and none when it was not composed, or was edited since (its structure no
    longer what was composed)."""
    comp = model.composition
    if comp is None or comp.key != _model_key(model):
        return model, ()
    return comp.core, tuple(comp.layouts)


def compile_model(model: Model) -> Compiled:
    """``model``'s kernels: its core's (compiled once per core content and cached on
    disk), with the PK modules of its drugs laid onto them as tables, so that a new drug
    combination needs no compilation. A model that is not a known core plus PK modules
    is compiled as a whole."""
    from mtorlab.engines._pk_plan import LayoutMismatch, lay_out

    core, layouts = core_and_layouts(model)
    while True:
        key, module, pattern = _core_kernels(core)
        order = _ordered_assignments(core)
        g_entries = list(zip(module.G_ROWS, module.G_COLS, strict=True))
        try:
            laid = lay_out(model, core, order, pattern, g_entries, input_ids(core), layouts)
            break
        except LayoutMismatch:
            if core is model:
                raise
            core, layouts = model, ()
    thresholds = np.full(len(laid.species), np.nan)
    thresholds[: len(core.species)] = np.array(module.THRESHOLDS, dtype=float)
    return Compiled(
        species=laid.species,
        parameters=laid.parameters,
        assignments=laid.assignments,
        defaults=laid.defaults,
        initial=laid.initial,
        module=module,
        lu=_lu_plan(laid.pattern),
        key=key,
        thresholds=thresholds,
        pk=laid.pk,
    )


def _skip_numba_blas_probe() -> None:
    """In the command line's process, let Numba's BLAS probe fail fast.

    Numba's first compilation or cache load in a process imports ``numba.np.arraymath``,
    which imports ``scipy.linalg`` (about 0.25 s) only to set its ``_HAVE_BLAS`` flag; the
    flag chooses how ``np.correlate`` and ``np.convolve`` are compiled, which the kernels do
    not use (nor any BLAS: their LU is generated). The ``mtorlab`` command
    (:func:`mtorlab.cli.run`), whose process compiles no other Numba code, imports that
    module with ``scipy.linalg.cython_blas`` hidden; the library (a user's process, which
    may use Numba for its own code) leaves Numba alone.
    """
    cli = sys.modules.get("mtorlab.cli")
    if not getattr(cli, "COMMAND_PROCESS", False):
        return
    if "numba.np.arraymath" in sys.modules or "scipy.linalg.cython_blas" in sys.modules:
        return
    sys.modules["scipy.linalg.cython_blas"] = None  # type: ignore[assignment]
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules["scipy.linalg.cython_blas"]


def _import(path: Path, name: str) -> ModuleType:
    _skip_numba_blas_probe()
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - only on a broken cache
        raise MtorlabError(f"batch engine: cannot load generated kernels from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
