"""Rosenbrock integration of a batch of parameter sets: the batch engine's kernel template.

This file is not imported as such: :mod:`mtorlab.engines._codegen` appends a model's
generated ``rhs``/``jac``/``assign`` (which replace the stubs below) and compiles the
whole with Numba. Keeping the template a plain Python file lets ruff read it.

Methods: Rosenbrock methods in the formulation and with the step-size control of Hairer &
Wanner (Solving ODEs II, 2nd ed., §IV.7) as coded in the Kinetic PreProcessor's
``rosenbrock.f90`` (Sandu, Verwer, Blom, Spee, Carmichael & Potra 1997, "Benchmarking
stiff ODE solvers for atmospheric chemistry problems II: Rosenbrock solvers", Atmos.
Environ. 31:3459): RODAS3 (4 stages, order 3) and RODAS4 (6 stages, order 4), both
stiffly accurate with an embedded error estimate. The tableaus are in ``batch.py``.
Each patient runs its own adaptive steps; the engine runs chunks of patients on threads.
The linear systems ``(I/(h*gamma) - J) k = b`` use the sparse LU plan of ``_codegen``.
"""

import math

import numpy as np

# ---- stubs, replaced by the generated kernels of a model (its core: no PK modules)
N_CONST = 1
N_ASSIGN = 0
N_SPECIES = 0
G_ROWS = ()  # the core's d(rate)/d(input) entries: (species row, input) pairs
G_COLS = ()


def pre(p, c):  # type: ignore[no-untyped-def]  # pragma: no cover
    raise NotImplementedError


def core_rhs(y, u, p, c, f):  # type: ignore[no-untyped-def]  # pragma: no cover
    raise NotImplementedError


def core_jac(y, u, p, c, J, G):  # type: ignore[no-untyped-def]  # pragma: no cover
    raise NotImplementedError


def core_assign(y, u, p, a):  # type: ignore[no-untyped-def]  # pragma: no cover
    raise NotImplementedError


def _pow(x, n):  # type: ignore[no-untyped-def]
    """``x ** n`` for a runtime exponent (Hill coefficients are parameters): products for
    the whole exponents 1-4 the model uses, ``pow`` otherwise (same value to rounding)."""
    if n == 2.0:
        return x * x
    if n == 1.0:
        return x
    if n == 4.0:
        x2 = x * x
        return x2 * x2
    if n == 3.0:
        return x * x * x
    return x**n


# ---- PK modules of any drug combination, from data (``_pk_plan.py`` builds ``pk``)
#
# The model inputs (``role: input``) are the vector ``u`` the generated core reads: the
# parameter's own value, or for an input a drug targets the drugs' Hill terms combined
# by independent action, as ``pk/_assemble.py`` writes the rule. The PK states follow the
# core's species; each slot (one drug) has the records of ``pk/_modules.py``:
# central (amount/kg; C = central/v1), brain, peripheral, metabolite and depots.
# slot columns: central, brain, periph, metab, v1, k10, k12, k21, ki, fm, km, vm, kp, kb,
# iv rate (state indices into y, parameter indices into p; -1 where absent)
S_CEN, S_BRN, S_PER, S_MET, S_V1, S_K10, S_K12, S_K21, S_KI, S_FM, S_KM, S_VM, S_KP, S_KB, S_IVR = (
    range(15)
)


def _cp(y, p, sl, s):  # type: ignore[no-untyped-def]
    v1 = p[sl[s, S_V1]] if sl[s, S_V1] >= 0 else 1.0
    return y[sl[s, S_CEN]] / v1


def _cm(y, p, sl, s):  # type: ignore[no-untyped-def]
    return y[sl[s, S_MET]] / p[sl[s, S_VM]] if sl[s, S_MET] >= 0 else 0.0


def pk_inputs(y, p, pk, pw, deriv):  # type: ignore[no-untyped-def]
    """``pk``: input parameter indices, slots, depots, channels (int, float), targeted
    inputs with their channel ranges and the reverse map, J entries to reset, extra
    assignments, d(core)/d(u) entries (``_pk_plan.lay_out``); ``pw``: its scratch.

    ``u`` (model inputs) and, if ``deriv`` (the Jacobian's call only), per channel
    d(its input)/d(its concentration)."""
    inp_p, sl, ch_i, ch_f, tg_m, tg_start = pk[0], pk[1], pk[3], pk[4], pk[5], pk[6]
    u, tv, dv = pw[0], pw[1], pw[2]
    for m in range(inp_p.shape[0]):
        u[m] = p[inp_p[m]]
    for k in range(ch_i.shape[0]):
        s = ch_i[k, 0]
        conc = ch_f[k, 0] * (y[sl[s, S_BRN]] if sl[s, S_BRN] >= 0 else 0.0)
        conc += ch_f[k, 1] * _cp(y, p, sl, s) + ch_f[k, 2] * _cm(y, p, sl, s)
        a = abs(conc)
        hill = ch_f[k, 4]
        e = p[ch_i[k, 2]]
        eh = _pow(e, hill)
        ah = _pow(a, hill)
        den = eh + ah
        tv[k] = ch_f[k, 3] * ah / den
        if deriv:
            d = ch_f[k, 3] * hill * _pow(a, hill - 1.0) * eh / (den * den)
            if not math.isfinite(d):
                d = 0.0
            dv[k] = d if conc > 0.0 else (-d if conc < 0.0 else 0.0)
    for q in range(tg_m.shape[0]):
        m = tg_m[q]
        k0 = tg_start[q]
        k1 = tg_start[q + 1]
        if k1 - k0 == 1:
            u[m] = tv[k0]
            continue
        prod = 1.0
        for k in range(k0, k1):
            prod *= 1.0 - tv[k]
        u[m] = 1.0 - prod
        if not deriv:
            continue
        # d u / d t_k = product over the other channels of (1 - t_l)
        for k in range(k0, k1):
            other = 1.0
            for k2 in range(k0, k1):
                if k2 != k:
                    other *= 1.0 - tv[k2]
            dv[k] *= other


def rhs(y, p, c, f, pk, pw):  # type: ignore[no-untyped-def]
    """d(state)/dt: the generated core at ``u``, then the PK slots."""
    sl, dep = pk[1], pk[2]
    pk_inputs(y, p, pk, pw, False)
    core_rhs(y, pw[0], p, c, f)
    for i in range(N_SPECIES, y.shape[0]):
        f[i] = 0.0
    for s in range(sl.shape[0]):
        cen = sl[s, S_CEN]
        x = y[cen]
        cp = _cp(y, p, sl, s)
        cm = _cm(y, p, sl, s)
        clear = p[sl[s, S_K10]] * x
        if sl[s, S_KI] >= 0:
            clear /= 1.0 + (cp + cm) / p[sl[s, S_KI]]
        f[cen] -= clear
        met = sl[s, S_MET]
        if met >= 0:
            f[met] += p[sl[s, S_FM]] * clear - p[sl[s, S_KM]] * y[met]
        per = sl[s, S_PER]
        if per >= 0:
            flux = p[sl[s, S_K12]] * x - p[sl[s, S_K21]] * y[per]
            f[cen] -= flux
            f[per] += flux
        brn = sl[s, S_BRN]
        if brn >= 0:
            f[brn] += p[sl[s, S_KB]] * (p[sl[s, S_KP]] * cp - y[brn])
        if sl[s, S_IVR] >= 0:
            f[cen] += p[sl[s, S_IVR]]
    for d in range(dep.shape[0]):
        absorbed = p[dep[d, 2]] * y[dep[d, 0]]
        f[dep[d, 0]] += p[dep[d, 3]] - absorbed
        f[sl[dep[d, 1], S_CEN]] += absorbed


def jac(y, p, c, J, pk, pw):  # type: ignore[no-untyped-def]
    """d(rhs)/d(state): the core's entries, the PK block, and the core's dependence on
    the inputs through the drugs' concentrations (chain rule through ``u``)."""
    sl, dep, ch_i, ch_f, tg_start, tg_of, jz, g_rc = (
        pk[1],
        pk[2],
        pk[3],
        pk[4],
        pk[6],
        pk[7],
        pk[8],
        pk[10],
    )
    u, dv, G = pw[0], pw[2], pw[3]
    pk_inputs(y, p, pk, pw, True)
    core_jac(y, u, p, c, J, G)
    for z in range(jz.shape[0]):
        J[jz[z, 0], jz[z, 1]] = 0.0
    for s in range(sl.shape[0]):
        cen = sl[s, S_CEN]
        x = y[cen]
        v1 = p[sl[s, S_V1]] if sl[s, S_V1] >= 0 else 1.0
        k10 = p[sl[s, S_K10]]
        met = sl[s, S_MET]
        dx = k10
        dm = 0.0
        if sl[s, S_KI] >= 0:
            ki = p[sl[s, S_KI]]
            den = 1.0 + (x / v1 + _cm(y, p, sl, s)) / ki
            dx = k10 / den - k10 * x / (den * den) / (v1 * ki)
            if met >= 0:
                dm = -k10 * x / (den * den) / (p[sl[s, S_VM]] * ki)
        J[cen, cen] -= dx
        if met >= 0:
            fm = p[sl[s, S_FM]]
            J[cen, met] -= dm
            J[met, cen] += fm * dx
            J[met, met] += fm * dm - p[sl[s, S_KM]]
        per = sl[s, S_PER]
        if per >= 0:
            J[cen, cen] -= p[sl[s, S_K12]]
            J[cen, per] += p[sl[s, S_K21]]
            J[per, cen] += p[sl[s, S_K12]]
            J[per, per] -= p[sl[s, S_K21]]
        brn = sl[s, S_BRN]
        if brn >= 0:
            kb = p[sl[s, S_KB]]
            J[brn, cen] += kb * p[sl[s, S_KP]] / v1
            J[brn, brn] -= kb
    for d in range(dep.shape[0]):
        ka = p[dep[d, 2]]
        J[dep[d, 0], dep[d, 0]] -= ka
        J[sl[dep[d, 1], S_CEN], dep[d, 0]] += ka
    for e in range(g_rc.shape[0]):
        q = tg_of[g_rc[e, 1]]
        if q < 0:
            continue
        i = g_rc[e, 0]
        for k in range(tg_start[q], tg_start[q + 1]):
            w = G[e] * dv[k]
            s = ch_i[k, 0]
            if sl[s, S_BRN] >= 0:
                J[i, sl[s, S_BRN]] += w * ch_f[k, 0]
            v1 = p[sl[s, S_V1]] if sl[s, S_V1] >= 0 else 1.0
            J[i, sl[s, S_CEN]] += w * ch_f[k, 1] / v1
            if sl[s, S_MET] >= 0:
                J[i, sl[s, S_MET]] += w * ch_f[k, 2] / p[sl[s, S_VM]]


def assign(y, p, a, pk, pw):  # type: ignore[no-untyped-def]
    """The core's assignment rules, then each slot's plasma concentrations and each
    targeted input (``asl`` rows: 0 C_plasma of slot, 1 C_metabolite of slot, 2 input)."""
    sl, asl = pk[1], pk[9]
    pk_inputs(y, p, pk, pw, False)
    core_assign(y, pw[0], p, a)
    for r in range(asl.shape[0]):
        kind = asl[r, 0]
        if kind == 0:
            a[N_ASSIGN + r] = _cp(y, p, sl, asl[r, 1])
        elif kind == 1:
            a[N_ASSIGN + r] = _cm(y, p, sl, asl[r, 1])
        else:
            a[N_ASSIGN + r] = pw[0][asl[r, 1]]


# ---- step-size control (Hairer & Wanner; KPP's defaults)
FAC_MIN = 0.2
FAC_MAX = 6.0
FAC_REJ = 0.1
FAC_SAFE = 0.9
DEFECT_MAX = 0.25  # the interpolant's weighted defect x step allowed (the step's error: 1)

# A step under 1e-9 h (3.6 us) resolves nothing this model's time scales need (its fastest
# relaxation is ~1e-3 h); a patient that asks for one is stuck (libRoadRunner gives up
# there too), so it fails at once instead of spending its whole step budget.
H_MIN = 1e-9

# status codes
OK = 0
TOO_MANY_STEPS = 1
STEP_TOO_SMALL = 2
NO_STEADY_STATE = 3


def lu_factor(M, dinv, pair_row, pair_piv, upd_start, upd_col):  # type: ignore[no-untyped-def]
    """In-place LU of ``M`` along the plan; ``dinv`` receives 1/U's diagonal (the solves
    are latency-bound, and a multiply is several times quicker than a divide)."""
    last = -1
    d = 0.0
    for t in range(pair_row.shape[0]):
        i = pair_row[t]
        k = pair_piv[t]
        if k != last:
            d = 1.0 / M[k, k]
            last = k
        lik = M[i, k] * d
        M[i, k] = lik
        for u in range(upd_start[t], upd_start[t + 1]):
            j = upd_col[u]
            M[i, j] -= lik * M[k, j]
    for k in range(dinv.shape[0]):
        dinv[k] = 1.0 / M[k, k]


def lu_solve(M, dinv, B, r, pivots, pair_row, pair_piv, ustart, ucol):  # type: ignore[no-untyped-def]
    """Solve in place for row ``r`` of ``B`` (rows, not views: no per-call array objects)."""
    for t in range(pair_row.shape[0]):  # L (unit diagonal), pairs grouped in pivot order
        B[r, pair_row[t]] -= M[pair_row[t], pair_piv[t]] * B[r, pair_piv[t]]
    for s in range(pivots.shape[0] - 1, -1, -1):  # U
        k = pivots[s]
        acc = B[r, k]
        for u in range(ustart[s], ustart[s + 1]):
            acc -= M[k, ucol[u]] * B[r, ucol[u]]
        B[r, k] = acc * dinv[k]


def advance(  # type: ignore[no-untyped-def]
    y, p, c, t, t_end, h, rtol, atol, hmax, max_steps, plan, method, work, counts, rep
):
    """Integrate ``y`` in place from ``t`` to ``t_end``; returns (status, next step size).

    ``rep`` is ``(times, rows, out, sel_kind, sel_idx, a)``: report times inside
    ``(t, t_end)`` (increasing) that do not stop the integration. Each is recorded into
    ``out[rows[k]]`` from the cubic Hermite interpolant of the step that spans it (the
    states and their derivatives at both ends), as CVODE reports between its steps; a step
    is never shortened to land on one. Only events (doses, switches) and ``t_end`` stop it.

    ``atol`` is ``(absolute tolerance, reference)`` per state: state ``i``'s error is
    weighed against ``atol[0, i] + rtol * |y_i - atol[1, i]|``. The reference is 0 except
    for a state a readout thresholds (``abs(x - x0)`` in an assignment rule): there the
    error counts relative to the distance from the threshold, which is what the readout
    reads (a 1e-3 relative error of ``(5-HT - 1)+`` needs 5-HT to 1e-3 of its excess).

    ``method`` is a Rosenbrock tableau in KPP's form ``(A, C, M, E, newf, gamma, elo)``:
    stage i solves ``(I/(h gamma) - J) K_i = f(y + sum_j A_ij K_j) + sum_j (C_ij / h) K_j``,
    the solution is ``y + sum_i M_i K_i`` and the error estimate ``sum_i E_i K_i``.
    """
    pivots, pair_row, pair_piv, upd_start, upd_col, ustart, ucol, nz_row, nz_col, pk = plan
    A, C, Mc, E, newf, gamma, elo = method
    J, M, f0, fcn, ynew, K, dinv, pw = work
    rep_t, rep_row, rep_out, sel_kind, sel_idx, a_buf = rep
    k_rep = 0
    f_end = False  # fcn holds f at y: the last step spanned report times and computed it
    n = y.shape[0]
    stages = Mc.shape[0]
    reject_last = False
    reject_more = False
    span = t_end - t
    while t_end - t > 1e-12 * max(1.0, abs(t_end)):
        if counts[0] >= max_steps:
            return TOO_MANY_STEPS, h
        if f_end:
            for i in range(n):
                f0[i] = fcn[i]
        else:
            rhs(y, p, c, f0, pk, pw)
        f_end = False
        jac(y, p, c, J, pk, pw)
        while True:
            hh = min(h, t_end - t)
            truncated = hh < h
            if hh < max(H_MIN, 1e-14 * span):
                return STEP_TOO_SMALL, h
            ghinv = 1.0 / (gamma * hh)
            for z in range(nz_row.shape[0]):  # only the LU's structure is ever read
                M[nz_row[z], nz_col[z]] = -J[nz_row[z], nz_col[z]]
            for i in range(n):
                M[i, i] += ghinv
            lu_factor(M, dinv, pair_row, pair_piv, upd_start, upd_col)
            counts[1] += 1
            # stage combinations loop over j outside and i inside: contiguous, vectorisable
            for st in range(stages):
                if st == 0:
                    for i in range(n):
                        fcn[i] = f0[i]
                elif newf[st]:
                    for i in range(n):
                        ynew[i] = y[i]
                    for j in range(st):
                        a = A[st, j]
                        if a != 0.0:
                            for i in range(n):
                                ynew[i] += a * K[j, i]
                    rhs(ynew, p, c, fcn, pk, pw)
                for i in range(n):
                    K[st, i] = fcn[i]
                for j in range(st):
                    cj = C[st, j] / hh
                    if cj != 0.0:
                        for i in range(n):
                            K[st, i] += cj * K[j, i]
                lu_solve(M, dinv, K, st, pivots, pair_row, pair_piv, ustart, ucol)
            for i in range(n):
                ynew[i] = y[i]
                fcn[i] = 0.0  # the error estimate
            for j in range(stages):
                mj = Mc[j]
                ej = E[j]
                for i in range(n):
                    ynew[i] += mj * K[j, i]
                    fcn[i] += ej * K[j, i]
            err = 0.0
            for i in range(n):
                r = atol[1, i]
                scale = atol[0, i] + rtol * max(abs(y[i] - r), abs(ynew[i] - r))
                err += (fcn[i] / scale) ** 2
            err = math.sqrt(err / n)
            counts[0] += 1
            if not math.isfinite(err):
                hnew = hh * FAC_REJ
                accepted = False
            else:
                fac = min(FAC_MAX, max(FAC_MIN, FAC_SAFE / max(err, 1e-10) ** (1.0 / elo)))
                hnew = hh * fac
                accepted = err <= 1.0
            spans = k_rep < rep_t.shape[0] and rep_t[k_rep] <= t + hh
            if accepted and spans:
                # a step that spans report times is accepted only if its interpolant meets
                # the tolerance too: its defect (interpolant's slope minus the right-hand
                # side) at mid-step, times the step, weighed as the step's error is
                rhs(ynew, p, c, fcn, pk, pw)  # f at the step's end (fcn is free now)
                ym = K[0]
                fm = K[1]
                for i in range(n):
                    ym[i] = 0.5 * (y[i] + ynew[i]) + 0.125 * hh * (f0[i] - fcn[i])
                rhs(ym, p, c, fm, pk, pw)
                derr = 0.0
                for i in range(n):
                    r = atol[1, i]
                    scale = atol[0, i] + rtol * max(abs(y[i] - r), abs(ynew[i] - r))
                    d = 1.5 * (ynew[i] - y[i]) / hh - 0.25 * (f0[i] + fcn[i]) - fm[i]
                    derr += (hh * d / scale) ** 2
                derr = math.sqrt(derr / n)
                if not derr <= DEFECT_MAX:  # NaN too
                    accepted = False
                    fac = FAC_SAFE * (DEFECT_MAX / derr) ** 0.25 if derr < math.inf else FAC_REJ
                    hnew = hh * min(FAC_SAFE, max(FAC_MIN, fac))
            if accepted:
                if spans:
                    # the report times this step spans, from its cubic Hermite interpolant
                    # (fcn holds f at the step's end)
                    yi = K[0]
                    while k_rep < rep_t.shape[0] and rep_t[k_rep] <= t + hh:
                        th = (rep_t[k_rep] - t) / hh
                        h00 = (1.0 + 2.0 * th) * (1.0 - th) ** 2
                        h10 = th * (1.0 - th) ** 2
                        h01 = th * th * (3.0 - 2.0 * th)
                        h11 = th * th * (th - 1.0)
                        for i in range(n):
                            yi[i] = (h00 * y[i] + h01 * ynew[i]
                                     + hh * (h10 * f0[i] + h11 * fcn[i]))  # fmt: skip
                        if rep_row[k_rep] >= 0:
                            record(yi, p, a_buf, sel_kind, sel_idx, rep_out[rep_row[k_rep]],
                                   pk, pw)  # fmt: skip
                        k_rep += 1
                    f_end = True
                for i in range(n):
                    y[i] = ynew[i]
                t += hh
                hnew = min(hnew, hmax)
                if reject_last:
                    hnew = min(hnew, hh)
                reject_last = False
                reject_more = False
                h = max(h, hnew) if truncated else hnew
                break
            if reject_more:
                hnew = hh * FAC_REJ
            reject_more = reject_last
            reject_last = True
            counts[2] += 1
            h = hnew
    return OK, h


def pk_work(pk):  # type: ignore[no-untyped-def]
    """Scratch of the PK kernels: u, per-channel terms and derivatives, d(core)/d(u)."""
    n_ch = pk[3].shape[0]
    return (np.zeros(pk[0].shape[0]), np.zeros(n_ch), np.zeros(n_ch), np.zeros(pk[10].shape[0]))


def _work(n, stages, pk):  # type: ignore[no-untyped-def]
    return (
        np.zeros((n, n)),
        np.zeros((n, n)),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.zeros((stages, n)),
        np.zeros(n),
        pk_work(pk),
    )


def record(y, p, a, sel_kind, sel_idx, out, pk, pw):  # type: ignore[no-untyped-def]
    assign(y, p, a, pk, pw)
    for s in range(sel_kind.shape[0]):
        if sel_kind[s] == 0:
            out[s] = y[sel_idx[s]]
        elif sel_kind[s] == 1:
            out[s] = a[sel_idx[s]]
        else:
            out[s] = p[sel_idx[s]]


def simulate_batch(  # type: ignore[no-untyped-def]
    Y0,
    P,
    stop_t,
    stop_out,
    chg_start,
    chg_idx,
    chg_val,
    dose_start,
    dose_idx,
    dose_amt,
    sel_kind,
    sel_idx,
    n_assign,
    n_out,
    rtol,
    atol,
    h0,
    hmax,
    max_steps,
    plan,
    method,
):
    """Every patient through the same schedule of stops.

    At each stop ``s`` (time ``stop_t[s]``): the state is recorded in output row
    ``stop_out[s]`` (if >= 0), then parameter changes ``chg_*[chg_start[s]:chg_start[s+1]]``
    and doses ``dose_*[dose_start[s]:dose_start[s+1]]`` apply. At ``t = 0`` the events
    apply before the record, as in the reference engine's first segment.
    """
    N, n = Y0.shape
    out = np.full((N, n_out, sel_kind.shape[0]), np.nan)
    status = np.zeros(N, dtype=np.int64)
    stats = np.zeros((N, 3), dtype=np.int64)
    # a stop the integration must reach exactly: the first and the last, and any with events
    n_stops = stop_t.shape[0]
    hard = np.zeros(n_stops, dtype=np.bool_)
    for s in range(n_stops):
        hard[s] = (s == 0 or s == n_stops - 1 or chg_start[s + 1] > chg_start[s]
                   or dose_start[s + 1] > dose_start[s])  # fmt: skip
    for b in range(N):
        y = Y0[b].copy()
        p = P[b].copy()
        c = np.zeros(N_CONST)
        pre(p, c)
        a = np.zeros(max(n_assign, 1))
        work = _work(n, method[2].shape[0], plan[9])
        counts = np.zeros(3, dtype=np.int64)
        t = 0.0
        h = h0
        s_soft = 0  # first report-only stop not yet passed
        for s in range(stop_t.shape[0]):
            if not hard[s]:
                continue  # recorded by interpolation inside the step that spans it
            ts = stop_t[s]
            if ts > t:
                rep = (stop_t[s_soft:s], stop_out[s_soft:s], out[b], sel_kind, sel_idx, a)
                code, h = advance(
                    y, p, c, t, ts, h, rtol, atol, hmax, max_steps, plan, method, work,
                    counts, rep,
                )  # fmt: skip
                if code != OK:
                    status[b] = code
                    break
                t = ts
            s_soft = s + 1
            at_start = ts == 0.0
            if stop_out[s] >= 0 and not at_start:
                record(y, p, a, sel_kind, sel_idx, out[b, stop_out[s]], plan[9], work[7])
            for q in range(chg_start[s], chg_start[s + 1]):
                p[chg_idx[q]] = chg_val[q]
            if chg_start[s + 1] > chg_start[s]:
                pre(p, c)
            dosed = dose_start[s + 1] > dose_start[s]
            for d in range(dose_start[s], dose_start[s + 1]):
                y[dose_idx[d]] += dose_amt[d]
            if dosed or chg_start[s + 1] > chg_start[s]:
                h = min(h, h0)  # resolve the transient a dose or a switch starts
            if stop_out[s] >= 0 and at_start:
                record(y, p, a, sel_kind, sel_idx, out[b, stop_out[s]], plan[9], work[7])
        for k in range(3):
            stats[b, k] = counts[k]
    return out, status, stats


def relax_batch(Y0, P, t_relax, rtol, atol, max_steps, plan, method):  # type: ignore[no-untyped-def]
    """Each patient integrated for ``t_relax`` hours from ``Y0`` (towards its steady state)."""
    N, n = Y0.shape
    none = np.zeros(0, dtype=np.int64)
    no_reports = (np.zeros(0), none, np.zeros((1, 1)), none, none, np.zeros(1))
    Y = Y0.copy()
    status = np.zeros(N, dtype=np.int64)
    for b in range(N):
        c = np.zeros(N_CONST)
        pre(P[b], c)
        counts = np.zeros(3, dtype=np.int64)
        y = Y[b]
        code, _h = advance(
            y,
            P[b],
            c,
            0.0,
            t_relax,
            1e-3,
            rtol,
            atol,
            t_relax,
            max_steps,
            plan,
            method,
            _work(n, method[2].shape[0], plan[9]),
            counts,
            no_reports,
        )
        status[b] = code
    return Y, status


def rhs_batch(Y, P, pk):  # type: ignore[no-untyped-def]
    """d(state)/dt of every row."""
    F = np.zeros_like(Y)
    c = np.zeros(N_CONST)
    pw = pk_work(pk)
    for b in range(Y.shape[0]):
        pre(P[b], c)
        rhs(Y[b], P[b], c, F[b], pk, pw)
    return F


def jac_batch(Y, P, pk):  # type: ignore[no-untyped-def]
    """Jacobian of every row."""
    N, n = Y.shape
    out = np.zeros((N, n, n))
    c = np.zeros(N_CONST)
    pw = pk_work(pk)
    for b in range(N):
        pre(P[b], c)
        jac(Y[b], P[b], c, out[b], pk, pw)
    return out
