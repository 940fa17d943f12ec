"""Areas: real districts and streets, committee codes, compounds, buildings, house addresses."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from shequyun_synth import areas

DISTRICT_CODES = {"310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113",
                  "310114", "310115", "310116", "310117", "310118", "310120", "310151"}


def test_streets_are_the_215_real_ones() -> None:
    s = areas.load_streets()
    assert s.height == 215
    counts = dict(s.group_by("street_type").len().iter_rows())
    assert counts == {"街道": 107, "镇": 106, "乡": 2}
    assert set(s["district_code"].to_list()) == DISTRICT_CODES
    rows = dict(zip(s["code"].to_list(), s["name"].to_list()))
    assert rows["310101002"] == "南京东路街道"
    assert rows["310115130"] == "三林镇"
    assert rows["310151202"] == "横沙乡"
    assert rows["310105102"] == "新泾镇"
    assert s.filter(pl.col("code") == "310114004")["street_type"].item() == "街道"  # 嘉定镇街道
    assert all(c[:6] == d for c, d in zip(s["code"], s["district_code"]))
    assert all(int(c[6:]) < 400 for c in s["code"])  # no 开发区 / 农场


@pytest.fixture(scope="module")
def plan() -> areas.AreaPlan:
    return areas.plan_areas(20000, np.random.Generator(np.random.PCG64(11)))


def test_committees_scale_and_cover_all_districts(plan: areas.AreaPlan) -> None:
    com = plan.committees
    assert com.height == areas.committee_count(20000) == 32
    assert areas.committee_count(1_000_000) == 250
    per_street = com.group_by("district_code", "street_code").len()
    best = per_street.group_by("district_code").agg(pl.col("len").max())
    assert set(best["district_code"].to_list()) == DISTRICT_CODES
    assert best["len"].min() >= 2
    assert abs(com["weight"].sum() - 1) < 1e-9


def test_committee_codes(plan: areas.AreaPlan) -> None:
    com = plan.committees
    assert com["committee_code"].n_unique() == com.height
    for code, street, kind, stype in com.select("committee_code", "street_code", "kind", "street_type").iter_rows():
        assert len(code) == 12 and code.isdigit() and code.startswith(street)
        seg = int(code[9:])
        if kind == "居委会":
            assert 1 <= seg <= 199
        else:
            assert 201 <= seg <= 399 and stype in ("镇", "乡")
    known = dict(zip(com["committee_code"].to_list(), com["committee_name"].to_list()))
    assert known["310104010001"] == "长桥新村第一居委会"
    assert known["310107022001"] == "南大街居委会"
    assert known["310115015001"] == "三林苑居委会"
    assert all(n.endswith(("居委会", "村委会")) for n in known.values())


def test_committee_numbering_has_gaps_at_scale() -> None:
    big = areas.plan_areas(600_000, np.random.Generator(np.random.PCG64(2))).committees
    gaps = 0
    for _, grp in big.group_by("street_code", "kind"):
        seg = sorted(int(c[9:]) for c in grp["committee_code"])
        start = 1 if grp["kind"][0] == "居委会" else 201
        gaps += (seg[-1] - start + 1) - len(seg)
    assert gaps > 0


@pytest.fixture(scope="module")
def built(plan: areas.AreaPlan) -> tuple[pl.DataFrame, pl.DataFrame]:
    demand = np.maximum(20, (plan.committees["weight"].to_numpy() * 9000).astype(int))
    return areas.build_houses(plan, demand, np.random.Generator(np.random.PCG64(4)))


def test_area_table_hierarchy(built: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    _, a = built
    assert set(a["level"].unique().to_list()) == {"district", "street", "committee", "compound", "building"}
    assert a["code"].n_unique() == a.height
    codes = dict(zip(a["code"].to_list(), a["level"].to_list()))
    parent_level = {"street": "district", "committee": "street", "compound": "committee", "building": "compound"}
    for level, code, parent, stype in a.select("level", "code", "parent_code", "street_type").iter_rows():
        if level == "district":
            assert len(code) == 6 and parent is None
            continue
        assert codes[parent] == parent_level[level]
        if level == "street":
            assert len(code) == 9 and code.startswith(parent) and stype in ("街道", "镇", "乡")
        elif level == "committee":
            assert len(code) == 12 and code.startswith(parent)
        elif level == "compound":
            assert code == f"C{parent}{code[-2:]}" and len(code) == 15
        else:
            assert code.startswith(parent + "-") and code.split("-")[1].isdigit()
    d = a.filter(pl.col("level") == "district")
    assert set(d["code"].to_list()) == DISTRICT_CODES
    assert dict(zip(d["code"].to_list(), d["name"].to_list()))["310115"] == "浦东新区"


def test_houses_addresses(built: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    h, a = built
    assert h["address"].n_unique() == h.height
    assert h["house_id"].n_unique() == h.height
    assert set(h["compound_code"].to_list()) <= set(a.filter(pl.col("level") == "compound")["code"].to_list())
    names = areas.DISTRICT_NAMES
    for row in h.sample(400, seed=1).iter_rows(named=True):
        addr = row["address"]
        assert addr.startswith("上海市" + names[row["district_code"]])
        if row["compound_kind"] == "村":
            assert row["road"] is None and addr.endswith(f"{row['village_group']}组{row['number']}号")
            assert row["house_type"] == "农民自建房"
            continue
        expect = row["road"]
        expect += f"{row['lane']}弄" if row["lane"] is not None else ""
        expect += f"{row['sub_lane']}支弄" if row["sub_lane"] is not None else ""
        expect += f"{row['number']}号"
        expect += f"{row['building']}{row['building_suffix']}" if row["building"] is not None else ""
        expect += f"{row['room']}室" if row["room"] is not None else ""
        assert addr.endswith(expect), (addr, expect)
    # 里弄 houses have no room; flats do
    assert h.filter(pl.col("compound_kind") == "里弄")["room"].null_count() == h.filter(pl.col("compound_kind") == "里弄").height
    assert h.filter(pl.col("compound_kind").is_in(["新村", "商品房", "动迁"]))["room"].null_count() == 0


def test_house_types_by_district_class(built: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    h, _ = built
    cls = h.with_columns(cls=pl.col("district_code").replace_strict(areas.DISTRICT_CLASS))
    central = cls.filter(pl.col("cls") == "central")
    suburb = cls.filter(pl.col("cls") == "suburb")
    public = ["售后公房", "公房租赁"]
    assert central["house_type"].is_in(public).mean() > suburb["house_type"].is_in(public).mean()
    assert suburb["house_type"].is_in(["商品房", "动迁安置房", "农民自建房"]).mean() > 0.6
    assert h["floor_area"].min() > 10 and h["floor_area"].max() < 500
