"""Floor analysis for issue 17: what one right-hand side and one Jacobian cost, as generated
and with the Hill exponents fixed at compile time, and what a lock-step "lane" form adds.

Run with ``.venv/bin/python benchmarks/bench_kernel_exponents.py [--lanes 8]``.

The generated core (``mtorlab.engines._codegen.generate_source``) raises a state to a
parameter's power through ``_pow(x, n)``, which branches on ``n`` at run time (products for
whole n, ``pow`` otherwise), since a sensitivity analysis may vary an exponent. This script
compiles, side by side in one process: the kernels as generated; the same kernels with every
exponent parameter written in as its model value (same numbers, so the branches fold at
compile time); and that specialised right-hand side in lane form (arrays of shape (n, L),
patient innermost, one call per L patients: what lock-step groups would run). Each is timed
inside compiled loops (no Python dispatch per call); the best of 5 repeats is printed per
patient, and every variant is checked against the generated one at random states.
"""

from __future__ import annotations

import argparse
import math
import re
import time
from typing import Any

import numpy as np


def _split_pow_args(src: str) -> list[tuple[int, int, str]]:
    """(start, end, exponent text) of each ``_pow(base, exponent)`` call in ``src``."""
    out = []
    for m in re.finditer(r"_pow\(", src):
        depth, i, comma = 1, m.end(), -1
        while depth:
            ch = src[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "," and depth == 1:
                comma = i
            i += 1
        out.append((m.start(), i, src[comma + 1 : i - 1]))
    return out


def _function(src: str, name: str) -> str:
    start = src.index(f"def {name}(")
    nxt = src.find("\ndef ", start + 1)
    return src[start : nxt if nxt > 0 else len(src)]


def main() -> None:
    """Print the costs."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--lanes", type=int, default=8)
    ap.add_argument("--reps", type=int, default=20_000)
    args = ap.parse_args()
    import numba

    import mtorlab as mt
    from mtorlab.engines._codegen import generate_source

    model = mt.model()
    source, _pattern = generate_source(model)
    generated = source[source.index("# ---- generated kernels") :]
    pre, rhs, jac = (_function(generated, n) for n in ("pre", "core_rhs", "core_jac"))
    values = np.array([p.value for p in model.parameters.values()], dtype=float)
    exponents = sorted(
        {int(k) for *_, e in _split_pow_args(rhs + jac) for k in re.findall(r"p\[(\d+)\]", e)}
    )

    def fixed(text: str) -> str:
        for k in exponents:
            text = re.sub(rf"\bp\[{k}\]", repr(float(values[k])), text)
        return text

    def lanes(text: str, name: str) -> str:
        head, *body = text.splitlines()
        args_ = head[head.index("(") + 1 : head.index(")")]
        out = [f"def {name}({args_.upper()}):", "    for l in range(Y.shape[1]):"]
        for ln in body:
            if ln.strip():
                out.append("    " + re.sub(r"\b([yupcf])\[(\d+)\]", _lane_index, ln))
        return "\n".join(out) + "\n"

    ns: dict[str, Any] = {"math": math, "np": np}
    template = source[source.index("def _pow(x, n):") : source.index("# ---- PK modules")]
    exec(template, ns)  # the package's own generated code
    ns["_pow"] = numba.njit(inline="always")(ns["_pow"])
    code = pre + rhs + jac
    code += fixed(rhs).replace("def core_rhs(", "def rhs_fixed(")
    code += fixed(jac).replace("def core_jac(", "def jac_fixed(")
    code += lanes(fixed(rhs), "rhs_lanes")
    exec(code, ns)
    jit = {k: numba.njit(ns[k]) for k in
           ("pre", "core_rhs", "core_jac", "rhs_fixed", "jac_fixed", "rhs_lanes")}  # fmt: skip
    for k, f in jit.items():
        ns[k] = f

    ny = len(model.species)
    nu = 1 + max((int(m) for m in re.findall(r"\bu\[(\d+)\]", rhs + jac)), default=0)
    nc = 1 + max((int(m) for m in re.findall(r"\bc\[(\d+)\]", pre)), default=0)
    ng = 1 + max((int(m) for m in re.findall(r"\bG\[(\d+)\]", jac)), default=0)
    rng = np.random.default_rng(1)
    L = args.lanes
    c = np.zeros(nc)
    jit["pre"](values, c)
    Y = rng.uniform(0.05, 1.5, size=(L, ny))
    u = rng.uniform(0.0, 0.3, size=nu)
    f, f2 = np.zeros(ny), np.zeros(ny)
    J, J2, G = np.zeros((ny, ny)), np.zeros((ny, ny)), np.zeros(ng)
    worst = 0.0
    for k in range(L):  # the specialised kernels compute the same numbers
        jit["core_rhs"](Y[k], u, values, c, f)
        jit["rhs_fixed"](Y[k], u, values, c, f2)
        jit["core_jac"](Y[k], u, values, c, J, G)
        jit["jac_fixed"](Y[k], u, values, c, J2, G)
        scale = np.maximum(np.abs(f), 1e-300)
        worst = max(worst, float(np.max(np.abs(f2 - f) / scale)),
                    float(np.max(np.abs(J2 - J) / np.maximum(np.abs(J), 1e-300))))  # fmt: skip
    YL = np.ascontiguousarray(Y.T)
    UL, PL, CL = (np.repeat(a[:, None], L, 1) for a in (u, values, c))
    FL = np.zeros((ny, L))
    jit["rhs_lanes"](YL, UL, PL, CL, FL)
    one = _one(jit, Y[0], u, values, c)
    worst = max(worst, float(np.max(np.abs(FL[:, 0] - one) / np.maximum(np.abs(one), 1e-300))))

    @numba.njit
    def loop_rhs(fn, Y, u, p, c, f, reps):  # type: ignore[no-untyped-def]
        for _ in range(reps):
            for k in range(Y.shape[0]):
                fn(Y[k], u, p, c, f)

    @numba.njit
    def loop_jac(fn, Y, u, p, c, J, G, reps):  # type: ignore[no-untyped-def]
        for _ in range(reps):
            for k in range(Y.shape[0]):
                fn(Y[k], u, p, c, J, G)

    @numba.njit
    def loop_lanes(fn, Y, U, P, C, F, reps):  # type: ignore[no-untyped-def]
        for _ in range(reps):
            fn(Y, U, P, C, F)

    def best(call: Any) -> float:
        call(10)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            call(args.reps)
            times.append((time.perf_counter() - t0) / args.reps / L)
        return min(times) * 1e6

    r_gen = best(lambda n: loop_rhs(jit["core_rhs"], Y, u, values, c, f, n))
    r_fix = best(lambda n: loop_rhs(jit["rhs_fixed"], Y, u, values, c, f, n))
    r_lane = best(lambda n: loop_lanes(jit["rhs_lanes"], YL, UL, PL, CL, FL, n))
    j_gen = best(lambda n: loop_jac(jit["core_jac"], Y, u, values, c, J, G, n))
    j_fix = best(lambda n: loop_jac(jit["jac_fixed"], Y, u, values, c, J, G, n))
    print(f"{len(exponents)} exponent parameters; worst relative difference {worst:.1e}")
    print(f"rhs per patient: generated {r_gen:.3f} us, exponents fixed {r_fix:.3f} us "
          f"({r_gen / r_fix:.2f}x), fixed + {L} lanes {r_lane:.3f} us "
          f"({r_gen / r_lane:.2f}x)")  # fmt: skip
    print(f"Jacobian per patient: generated {j_gen:.3f} us, exponents fixed {j_fix:.3f} us "
          f"({j_gen / j_fix:.2f}x)")  # fmt: skip


def _lane_index(m: re.Match[str]) -> str:
    """``y[3]`` -> ``Y[3, l]``: a state of lane ``l`` in the lane form."""
    return f"{m.group(1).upper()}[{m.group(2)}, l]"


def _one(jit: dict[str, Any], y: np.ndarray, u: np.ndarray, p: np.ndarray, c: np.ndarray) -> Any:
    out = np.zeros(y.size)
    jit["rhs_fixed"](y, u, p, c, out)
    return out


if __name__ == "__main__":
    main()
