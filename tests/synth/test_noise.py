"""Noise configuration and transforms: documented rates, checksum-breaking id typos, measured rates."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date

import numpy as np
import opencc
import polars as pl
import pytest
import yaml

from shequyun_synth import noise as nz
from shequyun_synth.noise import NOISE_YAML, NoiseConfig, apply_field_noise

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def checksum_ok(v: str) -> bool:
    if len(v) != 18 or not v[:17].isdigit():
        return False
    return "10X98765432"[sum(int(c) * w for c, w in zip(v[:17], WEIGHTS)) % 11] == v[17]


def valid_id(rng: np.random.Generator, year: int | None = None) -> str:
    y = year or int(rng.integers(1930, 2020))
    body = f"310106{y:04d}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}{int(rng.integers(0, 1000)):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def test_yaml_documents_every_rate_and_loads() -> None:
    text = NOISE_YAML.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    cfg = NoiseConfig.from_yaml()
    for f in fields(NoiseConfig):
        assert f.name in raw, f"{f.name} missing from noise.yaml"
        line = next(ln for ln in text.splitlines() if ln.startswith(f"{f.name}:"))
        if f.name not in ("legacy15_systems", "system_factors"):
            assert "#" in line, f"{f.name} has no comment in noise.yaml"
            assert getattr(cfg, f.name) == raw[f.name]
            assert 0 < raw[f.name] < 0.2
    assert set(cfg.legacy15_systems) == set(raw["legacy15_systems"])
    assert cfg.system_factors == raw["system_factors"]
    for system, factors in raw["system_factors"].items():
        scoped = cfg.for_system(system)
        for kind, factor in factors.items():
            assert scoped.rates()[kind] == pytest.approx(raw[kind] * factor)
        untouched = set(NoiseConfig.rate_names()) - set(factors)
        assert all(scoped.rates()[k] == raw[k] for k in untouched)
    assert cfg.for_system("no_such_system") == cfg


def test_invalid_config_is_rejected(tmp_path) -> None:
    bad = tmp_path / "noise.yaml"
    bad.write_text("id_substitution: 1.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="probability"):
        NoiseConfig.from_yaml(bad)
    bad.write_text("id_typo: 0.1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown"):
        NoiseConfig.from_yaml(bad)
    with pytest.raises(ValueError, match="sum"):
        NoiseConfig.default().scaled(10).validate()
    bad.write_text("system_factors: {ps_hukou: {no_kind: 2}}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="system_factors.ps_hukou"):
        NoiseConfig.from_yaml(bad)
    bad.write_text("system_factors: {ps_hukou: {id_substitution: 400}}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="probability|sum"):
        NoiseConfig.from_yaml(bad)


def test_id_typos_break_the_checksum() -> None:
    rng = np.random.default_rng(1)
    for _ in range(500):
        v = valid_id(rng)
        assert checksum_ok(v)
        sub = nz.id_substitution(v, rng)
        assert sub is not None and len(sub) == 18 and not checksum_ok(sub)
        assert sum(a != b for a, b in zip(sub, v)) == 1
        tr = nz.id_transposition(v, rng)
        assert tr is not None and not checksum_ok(tr) and sorted(tr) == sorted(v)
        diff = [i for i in range(18) if tr[i] != v[i]]
        assert len(diff) == 2 and diff[1] == diff[0] + 1 and diff[1] < 17


def test_legacy15_and_lower_x() -> None:
    rng = np.random.default_rng(2)
    v = valid_id(rng, 1984)
    assert nz.id_legacy15(v, rng) == v[:6] + v[8:17]
    assert nz.id_legacy15(valid_id(rng, 2003), rng) is None
    assert nz.id_lowercase_x("11010519491231002X", rng) == "11010519491231002x"
    assert nz.id_lowercase_x("440524188001010014", rng) is None


def test_name_and_address_transforms() -> None:
    rng = np.random.default_rng(3)
    t2s = opencc.OpenCC("t2s")
    trad = nz.traditional("张国荣", rng)
    assert trad is not None and trad != "张国荣" and t2s.convert(trad) == "张国荣"
    assert nz.name_swapped_chars("王小明", rng) == "王明小"
    missing = nz.name_missing_char("王小明", rng)
    assert missing in ("王明", "王小")
    assert nz.name_missing_char("买买提·艾力", rng) is None
    assert nz.name_fullwidth_space("李四", rng) == "李\u3000四"
    addr = "上海市杨浦区四平路1221弄12号301室"
    cn = nz.address_cn_numerals(addr, rng)
    assert cn == "上海市杨浦区四平路一千二百二十一弄十二号三零一室"
    assert nz.address_no_city(addr, rng) == "杨浦区四平路1221弄12号301室"
    assert nz.address_no_district(addr, rng) == "上海市四平路1221弄12号301室"
    assert {nz.address_building_suffix("方松路1504号1号楼302室", rng) for _ in range(50)} == {
        "方松路1504号1幢302室", "方松路1504号1栋302室", "方松路1504号1号302室"}
    assert nz.address_building_suffix("方松路1504号1幢302室", rng) in ("方松路1504号1号楼302室", "方松路1504号1栋302室",
                                                                     "方松路1504号1号302室")
    assert nz.address_building_suffix("四平路1221弄12号301室", rng) is None
    assert nz.fullwidth_digits("福州路123号", rng) == "福州路１２３号"
    assert nz.address_pudong_short("上海市浦东新区花木路1号", rng) == "上海市浦东区花木路1号"
    # abolished districts only where the street belonged to them
    assert nz.address_old_district("上海市静安区共和新路1号", "310106018") == "上海市闸北区共和新路1号"
    assert nz.address_old_district("上海市静安区南京西路1号", "310106012") is None
    assert nz.address_old_district("崇明区八一路1号", "310151101") == "崇明县八一路1号"
    assert nz.address_old_district("上海市黄浦区淮海中路1号", "310101022") == "上海市卢湾区淮海中路1号"


def _frame(n: int, rng: np.random.Generator) -> pl.DataFrame:
    ids = [valid_id(rng) for _ in range(n)]
    names = ["王小明", "李四", "欧阳娜娜", "张国荣"]
    streets = ["310106018", "310115005", "310151101", "310110009"]
    districts = {"310106018": "静安区", "310115005": "浦东新区", "310151101": "崇明区", "310110009": "杨浦区"}
    st = [streets[i] for i in rng.integers(0, 4, n)]
    addr = [f"上海市{districts[s]}四平路{int(k)}弄{int(k) % 50 + 1}号楼{int(k) % 6 + 1}01室" for s, k in
            zip(st, rng.integers(1, 2000, n))]
    return pl.DataFrame({
        "_rid": np.arange(n, dtype=np.int64),
        "证件号码": ids, "姓名": [names[i] for i in rng.integers(0, 4, n)], "地址": addr,
        "电话": [f"139{int(x):08d}" for x in rng.integers(0, 10**8, n)],
        "出生日期": pl.Series([date(1990, 1, 1)] * n),
        "_street__地址": st, "_stale__地址": [f"上海市杨浦区殷行路{i}号" for i in range(n)],
        "_stale_house__地址": [f"H{i:07d}" for i in range(n)], "_house_id": ["H0000000"] * n,
    })


def test_rates_within_tolerance_and_events_match_the_rows() -> None:
    rng = np.random.default_rng(4)
    n = 20000
    clean = _frame(n, rng)
    cfg = NoiseConfig.default()
    roles = {"id": ["证件号码"], "name": ["姓名"], "address": ["地址"], "phone": ["电话"]}
    noisy, events = apply_field_noise(clean, system="ca_low_income", roles=roles, date_styles={"出生日期": "iso"}, cfg=cfg,
                                      rng=np.random.default_rng(5))
    counts = dict(events.group_by("kind").len().iter_rows())
    eligible = {
        "id_substitution": n, "id_transposition": n, "name_traditional": n // 2, "address_cn_numerals": n,
        "address_no_city": n, "stale_address": n, "phone_other": n, "date_format": n,
        "id_legacy15": int(clean["证件号码"].str.slice(6, 2).eq("19").sum()),
        "address_pudong_short": int(clean["地址"].str.contains("浦东新区").sum()),
    }
    for kind, base in eligible.items():
        rate = getattr(cfg, kind)
        expected = rate * base
        sigma = np.sqrt(base * rate * (1 - rate))
        assert abs(counts.get(kind, 0) - expected) < 4 * sigma + 3, (kind, counts.get(kind), expected)
    # every event: before is the clean value, after is what the row now holds, and they differ
    clean_by = clean.with_columns(pl.col("出生日期").dt.strftime("%Y-%m-%d"))
    for ev in events.iter_rows(named=True):
        rid, col = ev["_rid"], ev["field"]
        assert ev["before"] != ev["after"]
        assert noisy[col][rid] == ev["after"]
        assert clean_by[col][rid] == ev["before"]
    # the vectorised transforms keep the promised properties
    for kind, before, after in events.select("kind", "before", "after").iter_rows():
        if kind in ("id_substitution", "id_transposition"):
            assert checksum_ok(before) and not checksum_ok(after) and len(after) == 18
            assert sum(a != b for a, b in zip(before, after)) == (1 if kind == "id_substitution" else 2)
        elif kind == "id_legacy15":
            assert after == before[:6] + before[8:17]
        elif kind == "name_missing_char":
            assert len(after) == len(before) - 1 and after[0] == before[0]
        elif kind == "name_swapped_chars":
            assert after[:-2] == before[:-2] and after[-2:] == before[-1] + before[-2]
        elif kind == "address_building_suffix":
            assert after.replace("号楼", "#").replace("幢", "#").replace("栋", "#") != after or "号" in after
            assert len(after) in (len(before), len(before) - 1, len(before) + 1)
        elif kind == "address_old_district":
            assert "闸北区" in after or "崇明县" in after
        elif kind in ("phone_other",):
            assert re.fullmatch(r"1\d{10}", after)
    assert {"id_substitution", "id_transposition", "id_legacy15", "name_missing_char", "name_swapped_chars",
            "address_building_suffix", "address_old_district", "name_traditional", "address_traditional",
            "address_cn_numerals", "address_no_district", "address_fullwidth", "name_fullwidth_space",
            "id_fullwidth", "phone_fullwidth"} <= set(counts)
    # rows without events are untouched
    touched = set(zip(events["_rid"].to_list(), events["field"].to_list()))
    for col in ("证件号码", "姓名", "地址", "电话"):
        untouched = [i for i in range(0, n, 97) if (i, col) not in touched]
        assert all(noisy[col][i] == clean[col][i] for i in untouched)
    # stale addresses carry the house they name
    stale = events.filter(pl.col("kind") == "stale_address")["_rid"].to_list()
    assert stale and all(noisy["_house_id"][i] == f"H{i:07d}" for i in stale)


def test_date_formats_parse_back_to_the_same_day() -> None:
    n = 5000
    df = pl.DataFrame({"_rid": np.arange(n, dtype=np.int64),
                       "d": pl.date_range(date(1950, 1, 1), date(1990, 1, 1), eager=True)[:n]})
    cfg = NoiseConfig(**{**NoiseConfig.zero().rates(), "date_format": 0.5})
    out, ev = apply_field_noise(df, system="ca_dibao", roles={}, date_styles={"d": "iso"}, cfg=cfg,
                                rng=np.random.default_rng(6), xlsx=True)
    assert 0.45 * n < ev.height < 0.55 * n
    seen = set()
    for rid, after in zip(ev["_rid"].to_list(), ev["after"].to_list()):
        truth = df["d"][rid]
        if re.fullmatch(r"\d{5}", after):
            seen.add("serial")
            assert (truth - date(1899, 12, 30)).days == int(after)
        elif "年" in after:
            seen.add("cn")
            y, m, d = map(int, re.findall(r"\d+", after))
            assert date(y, m, d) == truth
        elif "/" in after:
            seen.add("slash")
            assert date(*map(int, after.split("/"))) == truth
        else:
            seen.add("compact")
            assert after == truth.strftime("%Y%m%d")
    assert seen == {"serial", "cn", "slash", "compact"}
    assert out["d"].dtype == pl.String


def test_zero_config_changes_nothing() -> None:
    rng = np.random.default_rng(7)
    clean = _frame(500, rng)
    roles = {"id": ["证件号码"], "name": ["姓名"], "address": ["地址"], "phone": ["电话"]}
    out, ev = apply_field_noise(clean, system="x", roles=roles, date_styles={}, cfg=NoiseConfig.zero(),
                                rng=np.random.default_rng(8))
    assert ev.height == 0
    assert out.equals(clean)


def test_gbk_systems_get_only_encodable_noise() -> None:
    rng = np.random.default_rng(9)
    df = pl.DataFrame({"_rid": np.arange(3000, dtype=np.int64), "姓名": ["喆𠮷丽"] * 1500 + ["张国荣"] * 1500})
    cfg = NoiseConfig(**{**NoiseConfig.zero().rates(), "name_traditional": 0.5})
    _, ev = apply_field_noise(df, system="ps_hukou", roles={"name": ["姓名"]}, date_styles={}, cfg=cfg, rng=rng,
                                encoding="gbk")
    assert ev.height > 0
    for v in ev["after"].to_list():
        v.encode("gbk")
