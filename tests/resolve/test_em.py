"""Fellegi–Sunter EM recovers known m and u from a synthetic pattern table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shequyun.resolution.em import estimate, estimate_by_blocking_rule, u_from_random

M = {"name": [0.05, 0.15, 0.80], "birth": [0.10, 0.90], "phone": [0.30, 0.70]}
U = {"name": [0.90, 0.08, 0.02], "birth": [0.95, 0.05], "phone": [0.99, 0.01]}
COMPS = list(M)


def _pairs(n: int, share: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    match = rng.random(n) < share
    cols = {c: np.where(match, rng.choice(len(M[c]), n, p=M[c]), rng.choice(len(U[c]), n, p=U[c])) for c in COMPS}
    return pd.DataFrame(cols), match


def _patterns(df: pd.DataFrame) -> pd.DataFrame:
    return df.value_counts().rename("pair_count").reset_index()


def test_em_recovers_m_u_and_match_share() -> None:
    pairs, match = _pairs(300_000, 0.2, seed=1)
    fitted = estimate(_patterns(pairs), COMPS)
    assert fitted.match_share == pytest.approx(match.mean(), abs=0.01)
    for c in COMPS:
        for level, (m, u) in enumerate(zip(M[c], U[c])):
            assert fitted.m[c][level] == pytest.approx(m, abs=0.02), (c, level)
            assert fitted.u[c][level] == pytest.approx(u, abs=0.02), (c, level)
    # weights follow: agreement positive, disagreement negative
    w = fitted.weights().set_index(["comparison", "level"])["match_weight"]
    assert w[("name", 2)] == pytest.approx(np.log2(0.80 / 0.02), abs=0.3)
    assert w[("birth", 0)] < 0 < w[("birth", 1)]


def test_u_from_random_pairs_and_m_with_u_fixed_ignore_missing_values() -> None:
    random_pairs, _ = _pairs(200_000, 0.0, seed=2)
    levels = {c: list(range(len(U[c]))) for c in COMPS}
    u = u_from_random(_patterns(random_pairs), COMPS, levels)
    for c in COMPS:
        assert [u[c][lv] for lv in levels[c]] == pytest.approx(U[c], abs=0.01)
    pairs, match = _pairs(100_000, 0.4, seed=3)
    pairs.loc[pairs.index % 3 == 0, "phone"] = -1  # a third of the phones missing: no evidence
    fitted = estimate(_patterns(pairs), COMPS, u_fixed=u)
    assert fitted.match_share == pytest.approx(match.mean(), abs=0.01)
    assert [fitted.m["phone"][lv] for lv in (0, 1)] == pytest.approx(M["phone"], abs=0.02)
    assert fitted.u is u or fitted.u == u


def test_sessions_per_blocking_rule_leave_out_the_blocked_comparison() -> None:
    # pairs blocked on birth date: every pair agrees on birth, matches or not; EM on them with birth left out
    # must still find the name and phone m, and birth's m comes from the session blocked on phone
    pairs, _ = _pairs(150_000, 0.3, seed=4)
    birth_block = pairs.assign(birth=1, blocking_rules="birth_date")
    other, _ = _pairs(150_000, 0.3, seed=5)
    phone_block = other.assign(phone=1, blocking_rules="phone")
    patterns = pd.concat([birth_block, phone_block]).value_counts().rename("pair_count").reset_index()
    random_pairs, _ = _pairs(200_000, 0.0, seed=6)
    u = u_from_random(_patterns(random_pairs), COMPS, {c: list(range(len(U[c]))) for c in COMPS})
    fitted = estimate_by_blocking_rule(patterns, COMPS, {"birth_date": ["birth"], "phone": ["phone"]}, u)
    assert [fitted.m["name"][lv] for lv in (0, 1, 2)] == pytest.approx(M["name"], abs=0.03)
    assert [fitted.m["birth"][lv] for lv in (0, 1)] == pytest.approx(M["birth"], abs=0.03)
    assert [fitted.m["phone"][lv] for lv in (0, 1)] == pytest.approx(M["phone"], abs=0.03)
    # naive EM on the same pairs (u free, nothing left out) is fooled by the blocking
    naive = estimate(patterns.drop(columns="blocking_rules").groupby(COMPS, as_index=False)["pair_count"].sum(), COMPS)
    assert abs(naive.m["birth"][1] - M["birth"][1]) > 0.03 or abs(naive.u["birth"][1] - U["birth"][1]) > 0.03
