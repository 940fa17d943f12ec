"""Names and ethnicities."""

from __future__ import annotations

import numpy as np

from shequyun_synth import names


def test_surname_frequencies() -> None:
    rng = np.random.default_rng(1)
    s = names.sample_surnames(50000, rng)
    vals, counts = np.unique(s, return_counts=True)
    top = vals[np.argsort(-counts)][:10].tolist()
    assert top[0] == "张"
    assert {"王", "李", "陈"} <= set(top)
    assert len(names.SURNAMES) >= 100
    assert {"欧阳", "司马", "上官"} <= {x for x, _ in names.SURNAMES}
    assert "欧阳" in set(s.tolist())


def test_given_names_follow_era_and_sex() -> None:
    rng = np.random.default_rng(2)
    n = 20000
    male = rng.random(n) < 0.5
    old = names.sample_given_names(male, np.full(n, 1940), rng)
    new = names.sample_given_names(male, np.full(n, 2015), rng)
    assert all(1 <= len(g) <= 2 for g in old.tolist() + new.tolist())
    assert "秀英" in set(old[~male].tolist()) and "建国" in set(old[male].tolist())
    assert "秀英" not in set(new.tolist())
    assert {"子涵", "欣怡"} & set(new[~male].tolist())


def test_minority_names_use_interpunct() -> None:
    rng = np.random.default_rng(3)
    n = 200
    eth = np.array(["维吾尔族"] * 100 + ["汉族"] * 100, dtype=object)
    full = names.sample_names(rng.random(n) < 0.5, np.full(n, 1990), eth, rng)
    assert all(names.INTERPUNCT in x for x in full[:100])
    assert not any(names.INTERPUNCT in x for x in full[100:])
    assert all(len(x.split(names.INTERPUNCT)) == 2 and all(x.split(names.INTERPUNCT)) for x in full[:100])


def test_ethnicity_shares() -> None:
    rng = np.random.default_rng(4)
    e = names.sample_ethnicities(100000, rng)
    han = float(np.mean(e == "汉族"))
    assert 0.98 < han < 0.995
    assert {"回族", "满族", "蒙古族", "壮族", "朝鲜族", "土家族", "苗族", "维吾尔族", "藏族"} <= set(e.tolist())


def test_children_inherit_given_surname() -> None:
    rng = np.random.default_rng(5)
    sur = np.array(["欧阳"] * 10, dtype=object)
    full = names.sample_names(np.ones(10, bool), np.full(10, 2010), np.array(["汉族"] * 10, dtype=object), rng, surnames=sur)
    assert all(x.startswith("欧阳") and 3 <= len(x) <= 4 for x in full)
