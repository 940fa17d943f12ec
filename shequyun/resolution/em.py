"""Fellegi–Sunter weights estimated by EM on a comparison-pattern table.

Input: one row per distinct comparison pattern (one integer level per comparison, -1 = a value is
missing on one side, which carries no evidence) with the number of candidate pairs showing it.
u can be fixed from random pairs (nearly all non-matches), as splink does; m and the match share
are then estimated by EM under conditional independence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NULL_LEVEL = -1


@dataclass(frozen=True)
class FSModel:
    comparisons: list[str]
    levels: dict[str, list[int]]
    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]
    match_share: float
    iterations: int

    def weights(self) -> pd.DataFrame:
        """One row per comparison and level: m, u, match_weight = log2(m / u)."""
        rows = [(c, lv, self.m[c][lv], self.u[c][lv], float(np.log2(self.m[c][lv] / self.u[c][lv])))
                for c in self.comparisons for lv in self.levels[c]]
        return pd.DataFrame(rows, columns=["comparison", "level", "m_probability", "u_probability", "match_weight"])

    def prior_weight(self) -> float:
        return float(np.log2(self.match_share / (1.0 - self.match_share)))

    def score(self, patterns: pd.DataFrame) -> np.ndarray:
        """Match weight (log2 Bayes factor plus prior) of each pattern row."""
        total = np.full(len(patterns), self.prior_weight())
        for c in self.comparisons:
            lv = patterns[c].to_numpy()
            w = np.zeros(len(patterns))
            for level in self.levels[c]:
                w[lv == level] = np.log2(self.m[c][level] / self.u[c][level])
            total += w
        return total


def _distribution(levels: np.ndarray, weights: np.ndarray, values: list[int], floor: float) -> dict[int, float]:
    mass = np.array([weights[levels == v].sum() for v in values], dtype=float) + floor
    mass = mass / mass.sum()
    return {v: float(p) for v, p in zip(values, mass)}


def u_from_random(random_patterns: pd.DataFrame, comparisons: list[str], levels: dict[str, list[int]],
                  count_col: str = "pair_count") -> dict[str, dict[int, float]]:
    """u probabilities from random pairs (nearly all non-matches), ignoring missing values; a small floor
    keeps levels never seen at random (e.g. two equal ID numbers) finite."""
    n = random_patterns[count_col].to_numpy(dtype=float)
    out = {}
    for c in comparisons:
        lv = random_patterns[c].to_numpy()
        keep = lv != NULL_LEVEL
        out[c] = _distribution(lv[keep], n[keep], levels[c], floor=0.5)
    return out


def _initial_m(levels: dict[str, list[int]]) -> dict[str, dict[int, float]]:
    """Matches mostly show the highest (most agreeing) level: geometric mass towards it."""
    out = {}
    for c, values in levels.items():
        ranks = np.argsort(np.argsort(values))  # 0 = lowest level
        mass = 4.0 ** ranks
        out[c] = {v: float(p) for v, p in zip(values, mass / mass.sum())}
    return out


def estimate(patterns: pd.DataFrame, comparisons: list[str], *, count_col: str = "pair_count",
             u_fixed: dict[str, dict[int, float]] | None = None, u_init: dict[str, dict[int, float]] | None = None,
             match_share: float = 0.3, m_pseudo_count: float = 1.0,
             max_iterations: int = 200, tolerance: float = 1e-7) -> FSModel:
    """EM on the pattern table. With `u_fixed` only m and the match share are estimated; `u_init` starts u
    (e.g. from random pairs) and lets EM re-estimate it on the candidate pairs. `m_pseudo_count` pairs are
    added to every level (a Dirichlet prior) so that a level never seen among matches keeps a finite weight."""
    levels = {c: sorted(int(v) for v in patterns[c].unique() if v != NULL_LEVEL) for c in comparisons}
    if u_fixed is not None:
        for c in comparisons:
            levels[c] = sorted(set(levels[c]) | set(u_fixed[c]))
    n = patterns[count_col].to_numpy(dtype=float)
    lv = {c: patterns[c].to_numpy() for c in comparisons}
    m = _initial_m(levels)
    u = u_fixed or u_init or {c: {v: 1.0 / len(levels[c]) for v in levels[c]} for c in comparisons}
    lam = match_share
    it = 0
    for it in range(1, max_iterations + 1):
        log_m = np.full(len(n), np.log(lam))
        log_u = np.full(len(n), np.log(1.0 - lam))
        for c in comparisons:
            pm = np.array([m[c].get(int(x), 1.0) if x != NULL_LEVEL else 1.0 for x in lv[c]])
            pu = np.array([u[c].get(int(x), 1.0) if x != NULL_LEVEL else 1.0 for x in lv[c]])
            log_m += np.log(pm)
            log_u += np.log(pu)
        g = 1.0 / (1.0 + np.exp(log_u - log_m))  # P(match | pattern)
        new_lam = float(np.clip((g * n).sum() / n.sum(), 1e-9, 1 - 1e-9))
        new_m = {}
        new_u = {}
        for c in comparisons:
            keep = lv[c] != NULL_LEVEL
            new_m[c] = _distribution(lv[c][keep], (g * n)[keep], levels[c], floor=m_pseudo_count)
            if u_fixed is None:
                new_u[c] = _distribution(lv[c][keep], ((1 - g) * n)[keep], levels[c], floor=1e-6)
        delta = abs(new_lam - lam) + max(abs(new_m[c][v] - m[c][v]) for c in comparisons for v in levels[c])
        m, lam = new_m, new_lam
        if u_fixed is None:
            u = new_u
        if delta < tolerance:
            break
    return FSModel(comparisons, levels, m, u, lam, it)


def estimate_by_blocking_rule(patterns: pd.DataFrame, comparisons: list[str], sessions: dict[str, list[str]],
                              u_fixed: dict[str, dict[int, float]], *, rule_col: str = "blocking_rules",
                              count_col: str = "pair_count", min_pairs: int = 30) -> FSModel:
    """m estimated as splink does: one EM session per blocking rule on the pairs that rule produced, with the
    comparisons the rule made agree by construction left out (`sessions`: rule -> comparisons to leave out);
    each comparison's m is the mean over the sessions that estimated it on at least `min_pairs` non-missing
    pairs. u stays fixed (random pairs). The match share of all candidate pairs is then fitted with m and u
    fixed."""
    rules = patterns[rule_col].fillna("").str.split(",")
    estimates: dict[str, list[dict[int, float]]] = {c: [] for c in comparisons}
    for rule, left_out in sessions.items():
        rows = patterns[rules.map(lambda r, rule=rule: rule in r)]
        if rows.empty:
            continue
        used = [c for c in comparisons if c not in left_out]
        grouped = rows.groupby(used, as_index=False)[count_col].sum()
        fitted = estimate(grouped, used, count_col=count_col, u_fixed={c: u_fixed[c] for c in used})
        for c in used:
            if grouped.loc[grouped[c] != NULL_LEVEL, count_col].sum() >= min_pairs:
                estimates[c].append(fitted.m[c])
    levels = {c: sorted(u_fixed[c]) for c in comparisons}
    m = {}
    for c in comparisons:
        if estimates[c]:
            m[c] = {v: float(np.mean([e.get(v, 0.0) for e in estimates[c]])) for v in levels[c]}
        else:  # never estimated: no evidence either way
            m[c] = dict(u_fixed[c])
    grouped = patterns.groupby(comparisons, as_index=False)[count_col].sum()
    lam_model = FSModel(comparisons, levels, m, u_fixed, 0.5, 0)
    n = grouped[count_col].to_numpy(dtype=float)
    bayes = lam_model.score(grouped)  # log2 Bayes factor at a prior of 1/2
    lam, it = 0.3, 0
    for it in range(1, 201):
        odds = np.exp2(bayes) * lam / (1 - lam)
        new = float(np.clip((n * odds / (1 + odds)).sum() / n.sum(), 1e-9, 1 - 1e-9))
        if abs(new - lam) < 1e-9:
            lam = new
            break
        lam = new
    return FSModel(comparisons, levels, m, u_fixed, lam, it)
