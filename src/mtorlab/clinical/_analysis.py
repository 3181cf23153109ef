"""A trial's endpoints from its patients' rated courses: tidy tables per arm and visit,
contrasts against the control arm, and time to response."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.clinical._schema import Trial
from mtorlab.clinical._stats import km_median, mean_ci, newcombe, nnt, proportion, welch

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class TrialTables:
    """The analysis: ``visits`` (arm x visit), ``contrasts`` (arm vs control x visit) and
    ``time_to_response`` (per arm)."""

    visits: pd.DataFrame
    contrasts: pd.DataFrame
    time_to_response: pd.DataFrame


def _flags(trial: Trial, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Response and remission of each row's (carried) rating against its baseline."""
    m = df["madrs"].to_numpy(float)
    y0 = df["baseline"].to_numpy(float)
    ok = np.isfinite(m)
    ep = trial.endpoints
    resp = ok & (m <= (1.0 - ep.response_drop) * y0)
    remi = ok & (m <= ep.remission_max)
    return resp, remi


def randomised(patients: pd.DataFrame) -> pd.DataFrame:
    """The randomised phase of the long table, with response and remission flags added."""
    return patients[patients["phase"] == "randomised"].copy()


def visit_table(trial: Trial, patients: pd.DataFrame) -> pd.DataFrame:
    """Per arm and visit: n, mean MADRS, mean change from baseline with its 95% t interval,
    responders and remitters with Wilson intervals."""
    import pandas as pd

    df = randomised(patients)
    df["response"], df["remission"] = _flags(trial, df)
    rows: list[dict[str, Any]] = []
    for arm in trial.arms:
        a = df[df["arm"] == arm.id]
        for v, g in a.groupby("visit_h", sort=True):
            have = g[np.isfinite(g["madrs"].to_numpy(float))]
            n, mean_m, _, _ = mean_ci(have["madrs"].to_numpy(float))
            _, mean_c, sd_c, ci = mean_ci(have["change"].to_numpy(float))
            resp = proportion(int(have["response"].sum()), n)
            remi = proportion(int(have["remission"].sum()), n)
            rows.append({
                "arm": arm.id, "visit_h": float(v), "visit_d": float(v) / 24.0,
                "n_randomised": len(g), "n": n, "madrs_mean": mean_m,
                "change_mean": mean_c, "change_sd": sd_c,
                "change_ci_low": ci.low, "change_ci_high": ci.high,
                "responders": int(have["response"].sum()), "response_rate": resp.estimate,
                "response_ci_low": resp.low, "response_ci_high": resp.high,
                "remitters": int(have["remission"].sum()), "remission_rate": remi.estimate,
                "remission_ci_low": remi.low, "remission_ci_high": remi.high,
            })  # fmt: skip
    return pd.DataFrame(rows)


def contrast_table(trial: Trial, patients: pd.DataFrame) -> pd.DataFrame:
    """Each arm against the control at every visit after baseline: difference in mean change
    (Welch 95% CI), difference in response and remission rates (Newcombe 95% CI) and the NNT
    (number needed to treat for one more responder; negative: to harm)."""
    import pandas as pd

    control = trial.analysis.control
    if control is None:
        return pd.DataFrame()
    df = randomised(patients)
    df["response"], df["remission"] = _flags(trial, df)
    df = df[np.isfinite(df["madrs"].to_numpy(float)) & (df["visit_h"] > 0)]
    rows = []
    for arm in trial.arms:
        if arm.id == control:
            continue
        for v, g in df.groupby("visit_h", sort=True):
            a, c = g[g["arm"] == arm.id], g[g["arm"] == control]
            diff = welch(a["change"].to_numpy(float), c["change"].to_numpy(float))
            rd = newcombe(int(a["response"].sum()), len(a), int(c["response"].sum()), len(c))
            rem = newcombe(int(a["remission"].sum()), len(a), int(c["remission"].sum()), len(c))
            value, lo, hi, text = nnt(rd)
            rows.append({
                "arm": arm.id, "control": control, "visit_h": float(v), "visit_d": float(v) / 24,
                "n_arm": len(a), "n_control": len(c), "change_diff": diff.estimate,
                "change_diff_ci_low": diff.low, "change_diff_ci_high": diff.high,
                "response_diff": rd.estimate, "response_diff_ci_low": rd.low,
                "response_diff_ci_high": rd.high, "remission_diff": rem.estimate,
                "remission_diff_ci_low": rem.low, "remission_diff_ci_high": rem.high,
                "nnt": value, "nnt_ci_low": lo, "nnt_ci_high": hi, "nnt_text": text,
            })  # fmt: skip
    return pd.DataFrame(rows)


def time_to_response(trial: Trial, patients: pd.DataFrame) -> pd.DataFrame:
    """Per arm: the Kaplan-Meier median time to the first visit with a response (patients
    censored at their last observed visit), and the share responded by the primary visit."""
    import pandas as pd

    df = randomised(patients)
    df = df[df["observed"] & (df["visit_h"] > 0)].copy()
    m, y0 = df["madrs_rated"].to_numpy(float), df["baseline"].to_numpy(float)
    df["response"] = m <= (1.0 - trial.endpoints.response_drop) * y0
    primary = trial.endpoints.primary_visit.value
    rows = []
    for arm in trial.arms:
        a = df[df["arm"] == arm.id]
        first = a[a["response"]].groupby("patient")["visit_h"].min()
        last = a.groupby("patient")["visit_h"].max()
        ids = last.index
        event = np.array([first.get(i, math.nan) for i in ids], dtype=float)
        n = len(ids)
        by_primary = int(np.sum(event <= primary))
        share = proportion(by_primary, n)
        rows.append({
            "arm": arm.id, "n": n, "median_h": km_median(event, last.to_numpy(float)),
            "responded_by_primary": by_primary, "share_by_primary": share.estimate,
            "share_ci_low": share.low, "share_ci_high": share.high,
        })  # fmt: skip
    out = pd.DataFrame(rows)
    out["median_d"] = out["median_h"] / 24.0
    return out


def analyse(trial: Trial, patients: pd.DataFrame) -> TrialTables:
    """Every endpoint of the design."""
    return TrialTables(
        visit_table(trial, patients),
        contrast_table(trial, patients),
        time_to_response(trial, patients),
    )
