"""Area hierarchy (区 / 街镇 / 居村委 / 小区 / 楼) and houses with Shanghai addresses.

Districts and their 215 streets/towns are real (the platform's reference seeds ref_districts, ref_streets);
committee names come from real Shanghai committee names (data/shanghai_committee_names.csv,
jionlp) with codes assigned here (居委会 001-199, 村委会 201-399, with gaps for 撤销).
Compounds, buildings and rooms are generated.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from shequyun.core.reference import district_names, read_reference

DATA_DIR = Path(__file__).resolve().parent / "data"

# class (central / pudong / suburb) and 2020 census resident population (10k) of each district; the codes and names
# are the platform's reference list (seed ref_districts, read through shequyun.core.reference)
DISTRICT_PROFILE: dict[str, tuple[str, float]] = {
    "310101": ("central", 66.2), "310104": ("central", 111.3), "310105": ("central", 69.3),
    "310106": ("central", 97.6), "310107": ("central", 124.0), "310109": ("central", 75.7),
    "310110": ("central", 124.2), "310112": ("suburb", 265.4), "310113": ("suburb", 223.5),
    "310114": ("suburb", 183.4), "310115": ("pudong", 568.2), "310116": ("suburb", 82.3),
    "310117": ("suburb", 191.0), "310118": ("suburb", 127.1), "310120": ("suburb", 114.1),
    "310151": ("suburb", 63.7),
}
# code, name, class, population: in the reference list's order
DISTRICTS: list[tuple[str, str, str, float]] = [
    (code, name, *DISTRICT_PROFILE[code]) for code, name in district_names().items()
]
DISTRICT_NAMES = {c: n for c, n, _, _ in DISTRICTS}
DISTRICT_CLASS = {c: k for c, _, k, _ in DISTRICTS}
# certificate abbreviation (沪(2020)浦字不动产权第...号)
DISTRICT_ABBR = {"310101": "黄", "310104": "徐", "310105": "长", "310106": "静", "310107": "普",
                 "310109": "虹", "310110": "杨", "310112": "闵", "310113": "宝", "310114": "嘉",
                 "310115": "浦", "310116": "金", "310117": "松", "310118": "青", "310120": "奉",
                 "310151": "崇"}

# committees whose real name and code are known (domain.md)
KNOWN_COMMITTEES = {
    "310104010": [("310104010001", "长桥新村第一居委会", "长桥新村")],
    "310107022": [("310107022001", "南大街居委会", "南大街")],
    "310115015": [("310115015001", "三林苑居委会", "三林苑")],
}
ANCHOR_STREETS = {"310104": "310104010", "310107": "310107022", "310115": "310115015"}

ROADS: dict[str, list[str]] = {
    "310101": ["福州路", "河南中路", "西藏南路", "复兴东路", "中华路", "陆家浜路", "瞿溪路", "蒙自路",
               "建国中路", "丽园路", "制造局路", "方浜中路", "顺昌路", "斜土东路"],
    "310104": ["漕宝路", "天钥桥路", "零陵路", "斜土路", "宛平南路", "龙华西路", "田林路", "钦州路",
               "桂林路", "虹漕路", "凯旋路", "罗秀路", "百色路", "龙吴路", "中山西路"],
    "310105": ["天山西路", "天山路", "仙霞路", "虹桥路", "延安西路", "长宁路", "遵义路", "古北路",
               "哈密路", "剑河路", "平塘路", "江苏路", "愚园路", "武夷路", "茅台路"],
    "310106": ["共和新路", "江宁路", "新闸路", "西康路", "延长中路", "临汾路", "平型关路", "灵石路",
               "沪太路", "大宁路", "广中西路", "芷江西路", "天目西路", "康定路", "永和路"],
    "310107": ["曹杨路", "枣阳路", "兰溪路", "武宁路", "真北路", "铜川路", "宜川路", "志丹路",
               "交通路", "长寿路", "桃浦路", "金沙江路", "梅岭北路", "中山北路", "大渡河路"],
    "310109": ["四川北路", "曲阳路", "玉田路", "广中路", "凉城路", "水电路", "东江湾路", "大连西路",
               "欧阳路", "西江湾路", "邯郸路", "海伦路", "天宝路", "东长治路", "密云路"],
    "310110": ["四平路", "控江路", "长白路", "延吉中路", "国和路", "殷行路", "平凉路", "黄兴路",
               "政立路", "国定路", "翔殷路", "隆昌路", "市光路", "开鲁路", "长海路"],
    "310112": ["莘建路", "七莘路", "沪闵路", "古美路", "平阳路", "虹梅南路", "都市路", "江川路",
               "剑川路", "浦锦路", "莲花南路", "春申路", "银都路", "顾戴路", "华漕路"],
    "310113": ["牡丹江路", "友谊路", "泰和路", "呼兰路", "共富路", "陆翔路", "蕴川路", "长江西路",
               "美丹路", "菊联路", "长逸路", "淞发路", "殷高西路", "场中路", "锦秋路"],
    "310114": ["城中路", "塔城路", "博乐路", "墨玉路", "曹安公路", "金沙江西路", "胜辛路", "德富路",
               "嘉戬公路", "沪宜公路", "德园路", "华江路", "宝安公路", "清河路"],
    "310115": ["浦东南路", "浦东大道", "张杨路", "东方路", "上南路", "杨高南路", "云台路", "川沙路",
               "沪南公路", "人民东路", "锦绣路", "长清路", "德州路", "金杨路", "博兴路", "华夏东路",
               "秀沿路", "康桥路", "东明路", "灵岩南路"],
    "310116": ["卫零路", "蒙山路", "龙胜路", "板桥西路", "健康路", "新枫路", "林盛路", "金山大道",
               "杭州湾大道", "沪杭公路"],
    "310117": ["荣乐中路", "人民北路", "谷阳北路", "中山中路", "方松路", "广富林路", "九亭大街",
               "新松江路", "沪亭北路", "文诚路", "玉树路", "江川北路"],
    "310118": ["城中东路", "公园路", "盈港东路", "华青路", "崧泽大道", "淀山湖大道", "徐乐路",
               "业辉路", "外青松公路", "青赵公路"],
    "310120": ["南桥路", "解放东路", "环城东路", "百齐路", "江海路", "望园路", "金海公路", "南奉公路",
               "航南公路", "育秀路"],
    "310151": ["八一路", "人民路", "东门路", "北门路", "西门路", "翠竹路", "乔松路", "凤凰公路",
               "陈海公路", "南门路"],
}

# compound kind mix by district class (居委 only; 村委 committees are one village)
KIND_MIX = {
    "central": {"新村": 0.42, "商品房": 0.33, "里弄": 0.17, "动迁": 0.08},
    "pudong": {"新村": 0.30, "商品房": 0.45, "里弄": 0.03, "动迁": 0.22},
    "suburb": {"新村": 0.15, "商品房": 0.50, "里弄": 0.0, "动迁": 0.35},
}
_NAME_CHARS = list("华康阳光明景金福瑞祥安平和欣锦绣东西南北春秋泰丰嘉兴宝龙凤梅兰桂香枫林绿水云天海")
_COMPOUND_SUFFIX = {
    "新村": ["新村", "一村", "二村", "三村", "小区"],
    "商品房": ["苑", "花园", "公寓", "名邸", "雅苑", "家园", "华庭"],
    "动迁": ["家园", "馨苑", "新苑", "佳苑", "小区"],
    "里弄": ["里", "坊", "邨"],
}
_COMMITTEE_GEN = ["{r}居委会", "{x}苑居委会", "{x}新村第一居委会", "{x}新村第二居委会", "{x}花园居委会"]
_CN_NUM = "一二三四五六七八九十"


def _cn_ordinal(k: int) -> str:
    if k <= 10:
        return _CN_NUM[k - 1]
    if k < 20:
        return "十" + _CN_NUM[k - 11]
    tens, ones = divmod(k, 10)
    return _CN_NUM[tens - 1] + "十" + (_CN_NUM[ones - 1] if ones else "")


def _read_data_csv(name: str) -> list[dict[str, str]]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines))


def load_streets() -> pl.DataFrame:
    """The city's 215 streets/towns: code, name, district_code, street_type (reference seed ref_streets)."""
    return pl.DataFrame(read_reference("ref_streets"))


def _committee_stems() -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for row in _read_data_csv("shanghai_committee_names.csv"):
        out.setdefault((row["district_code"], row["street_name"]), []).append(row["name"])
    return out


@dataclass
class AreaPlan:
    committees: pl.DataFrame  # one row per committee, with weight (share of residents)
    streets: pl.DataFrame
    districts: pl.DataFrame


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    raw = shares / shares.sum() * total
    base = np.floor(raw).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def committee_count(persons: int) -> int:
    return max(32, round(persons / 4000))


def _stem_to_names(stems: list[str], street_type: str) -> list[tuple[str, str, bool]]:
    """(committee name, compound stem, is_village) from raw stems, numbering duplicates."""
    counts: dict[str, int] = {}
    for s in stems:
        counts[s] = counts.get(s, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for s in stems:
        base = s[:-2] if s.endswith("社区") and len(s) > 3 else s
        village = (street_type != "街道" and s.endswith("村") and not s.endswith("新村")
                   and not re.search(f"[{_CN_NUM}]村$", s))
        if counts[s] > 1:
            seen[s] = seen.get(s, 0) + 1
            base_name = f"{base}第{_cn_ordinal(seen[s])}"
        else:
            base_name = base
        name = f"{base_name}村委会" if village else f"{base_name}居委会"
        out.append((name, base, village))
    return out


def plan_areas(persons: int, rng: np.random.Generator) -> AreaPlan:
    streets = load_streets()
    stems = _committee_stems()
    n_comm = committee_count(persons)
    shares = np.array([p for *_, p in DISTRICTS])
    k_per = 2 + _largest_remainder(n_comm - 2 * len(DISTRICTS), shares)
    rows = []
    for (dcode, dname, dclass, dpop), k in zip(DISTRICTS, k_per):
        dstreets = streets.filter(pl.col("district_code") == dcode)
        n_streets = max(1, min(len(dstreets), int(k) // 4))
        codes = dstreets["code"].to_list()
        order = list(rng.permutation(len(codes)))
        chosen = [codes[i] for i in order]
        anchor = ANCHOR_STREETS.get(dcode)
        if anchor in chosen:
            chosen.remove(anchor)
            chosen.insert(0, anchor)
        chosen = chosen[:n_streets]
        per_street = np.full(n_streets, 2)
        per_street += _largest_remainder(int(k) - 2 * n_streets, np.ones(n_streets)) if k > 2 * n_streets else 0
        if k < 2 * n_streets:  # cannot happen with n_streets = k // 4, kept for safety
            per_street = _largest_remainder(int(k), np.ones(n_streets))
        for scode, m in zip(chosen, per_street):
            srow = dstreets.filter(pl.col("code") == scode).row(0, named=True)
            rows.extend(_street_committees(srow, int(m), dclass, stems, rng))
    com = pl.DataFrame(rows)
    # residents per committee: district share split over its committees, with noise
    dshare = {c: p for c, _, _, p in DISTRICTS}
    kd = dict(zip([c for c, *_ in DISTRICTS], k_per))
    w = np.array([dshare[d] / kd[d] for d in com["district_code"].to_list()])
    w = w * rng.lognormal(0.0, 0.25, len(w))
    com = com.with_columns(pl.Series("weight", w / w.sum()))
    used_streets = streets.filter(pl.col("code").is_in(com["street_code"].unique().to_list()))
    districts = pl.DataFrame({"code": [c for c, *_ in DISTRICTS], "name": [n for _, n, *_ in DISTRICTS],
                              "district_class": [k for _, _, k, _ in DISTRICTS]})
    return AreaPlan(committees=com, streets=used_streets, districts=districts)


def _street_committees(srow: dict, m: int, dclass: str, stems: dict, rng: np.random.Generator) -> list[dict]:
    scode, sname, stype = srow["code"], srow["name"], srow["street_type"]
    dcode = srow["district_code"]
    known = KNOWN_COMMITTEES.get(scode, [])
    raw = list(stems.get((dcode, sname), []))
    cands = _stem_to_names(raw, stype)
    cands = [c for c in cands if c[0] not in {k[1] for k in known}]
    perm = rng.permutation(len(cands)) if cands else np.array([], dtype=int)
    cands = [cands[i] for i in perm]
    # village share: 乡 mostly villages, suburban 镇 about half
    p_village = 0.0 if stype == "街道" else (0.8 if stype == "乡" else (0.45 if dclass == "suburb" else 0.2))
    n_village = int(rng.binomial(m - len(known), p_village)) if m > len(known) else 0
    if stype != "街道" and n_village == 0 and m >= 3 and dclass == "suburb":
        n_village = 1
    n_res = m - len(known) - n_village
    res_c = [c for c in cands if not c[2]]
    vil_c = [c for c in cands if c[2]]
    picked_res = res_c[:n_res]
    picked_vil = vil_c[:n_village]
    roads = ROADS[dcode]
    while len(picked_res) < n_res:
        x = "".join(rng.choice(_NAME_CHARS, 2))
        tpl = _COMMITTEE_GEN[int(rng.integers(len(_COMMITTEE_GEN)))]
        name = tpl.format(r=roads[int(rng.integers(len(roads)))], x=x)
        picked_res.append((name, name.replace("居委会", "").replace("第一", "").replace("第二", ""), False))
    while len(picked_vil) < n_village:
        x = "".join(rng.choice(_NAME_CHARS, 2))
        picked_vil.append((f"{x}村村委会", f"{x}村", True))
    out = []
    seg = 0
    for code, name, stem in known:
        seg = int(code[-3:])
        out.append(_crow(srow, dclass, code, name, stem, "居委会"))
    for name, stem, _ in picked_res:
        seg += 1 + int(rng.random() < 0.08)  # occasional gap: a 撤销 committee
        out.append(_crow(srow, dclass, f"{scode}{seg:03d}", name, stem, "居委会"))
    vseg = 200
    for name, stem, _ in picked_vil:
        vseg += 1 + int(rng.random() < 0.08)
        out.append(_crow(srow, dclass, f"{scode}{vseg:03d}", name, stem, "村委会"))
    return out


def _crow(srow: dict, dclass: str, code: str, name: str, stem: str, kind: str) -> dict:
    return {"committee_code": code, "committee_name": name, "compound_stem": stem, "kind": kind,
            "street_code": srow["code"], "street_name": srow["name"], "street_type": srow["street_type"],
            "district_code": srow["district_code"], "district_name": DISTRICT_NAMES[srow["district_code"]],
            "district_class": dclass}


# ------------------------------------------------------------------------------ houses
HOUSE_TYPES_BY_KIND = {
    "新村": (["售后公房", "公房租赁"], [0.8, 0.2]),
    "里弄": (["公房租赁", "售后公房", "商品房"], [0.75, 0.1, 0.15]),
    "商品房": (["商品房"], [1.0]),
    "动迁": (["动迁安置房"], [1.0]),
    "村": (["农民自建房"], [1.0]),
}
AREA_PARAMS = {"新村": (52, 12, 18, 95), "里弄": (30, 10, 12, 70), "商品房": (98, 32, 40, 320),
               "动迁": (76, 15, 40, 140), "村": (165, 50, 80, 420)}


def build_houses(plan: AreaPlan, demand: np.ndarray, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Houses for each committee (`demand[i]` rooms for committee row i) and the area table.

    Returns (houses, areas). House ids are assigned in committee order: H0000001...
    """
    com = plan.committees
    parts: list[dict[str, np.ndarray]] = []
    compound_rows: list[dict] = []
    building_rows: list[dict] = []
    used_lanes: dict[tuple[str, str], set[int]] = {}
    for i, crow in enumerate(com.iter_rows(named=True)):
        need = int(demand[i])
        if need <= 0:
            continue
        if crow["kind"] == "村委会":
            kinds = ["村"]
            sizes = np.array([need])
        else:
            mix = KIND_MIX[crow["district_class"]]
            n_cmp = int(np.clip(rng.poisson(max(1.0, need / 350)) + 1, 1, 60))
            n_cmp = min(n_cmp, need)
            kinds = list(rng.choice(list(mix), size=n_cmp, p=np.array(list(mix.values()))))
            if crow["compound_stem"].endswith(("新村", "村")) and "新村" in mix:
                kinds[0] = "新村"
            sizes = _largest_remainder(need, rng.dirichlet(np.full(n_cmp, 3.0)))
            sizes = np.maximum(sizes, 0)
        for j, (kind, size) in enumerate(zip(kinds, sizes)):
            if size <= 0:
                continue
            ccode = f"C{crow['committee_code']}{j + 1:02d}"
            stem = crow["compound_stem"]
            if j == 0:
                cname = stem if len(stem) > 2 else stem + ("村" if kind == "村" else "小区")
            else:
                cname = _compound_name(kind, crow, rng)
            compound_rows.append({"level": "compound", "code": ccode, "name": cname,
                                  "parent_code": crow["committee_code"], "street_type": None})
            part, blds = _layout(kind, int(size), crow, ccode, cname, used_lanes, rng)
            parts.append(part)
            building_rows.extend(blds)
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    houses = pl.DataFrame(cols)
    n = houses.height
    houses = houses.with_columns(pl.Series("house_id", [f"H{i:07d}" for i in range(1, n + 1)]))
    houses = _add_address(houses)
    areas = _area_table(plan, compound_rows, building_rows)
    return houses, areas


def _compound_name(kind: str, crow: dict, rng: np.random.Generator) -> str:
    x = "".join(rng.choice(_NAME_CHARS, 2))
    suf = _COMPOUND_SUFFIX[kind]
    return x + suf[int(rng.integers(len(suf)))]


def _free_number(used: set[int], rng: np.random.Generator, hi: int) -> int:
    for _ in range(1000):
        v = int(rng.integers(1, hi))
        if v not in used:
            used.add(v)
            return v
    v = max(used) + 1
    used.add(v)
    return v


def _layout(kind: str, size: int, crow: dict, ccode: str, cname: str,
            used_lanes: dict, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], list[dict]]:
    dcode = crow["district_code"]
    road = ROADS[dcode][int(rng.integers(len(ROADS[dcode])))] if kind != "村" else None
    lane = None
    bsuffix = "号"
    idx = np.arange(size)
    if kind == "村":
        per_group = int(rng.integers(25, 60))
        group = idx // per_group + 1
        number = (idx % per_group) + 1
        building_key = group
        building = np.full(size, -1)
        room = np.full(size, -1)
        lanes = np.full(size, -1)
        subl = np.full(size, -1)
        bname = [f"{g}组" for g in np.unique(group)]
    elif kind == "里弄":
        used = used_lanes.setdefault((dcode, road), set())
        lane = _free_number(used, rng, 1200)
        per_sub = int(rng.integers(8, 20))
        with_sub = rng.random() < 0.5
        number = idx % per_sub + 1 if with_sub else idx + 1
        subl = (idx // per_sub + 1) if with_sub else np.full(size, -1)
        lanes = np.full(size, lane)
        building = np.full(size, -1)
        room = np.full(size, -1)
        building_key = idx + 1
        bname = [(f"{s}支弄{nb}号" if with_sub else f"{nb}号") for s, nb in zip(subl, number)]
    else:
        floors = {"新村": (5, 7), "商品房": (6, 33), "动迁": (6, 19)}[kind]
        n_floor = int(rng.integers(*floors))
        rpf = int(rng.integers(2, 5))
        per_b = n_floor * rpf
        b = idx // per_b
        pos = idx % per_b
        room = (pos // rpf + 1) * 100 + pos % rpf + 1
        used = used_lanes.setdefault((dcode, road), set())
        form_b = kind == "商品房" and rng.random() < 0.4
        lane_or_no = _free_number(used, rng, 2000)
        n_b = int(b.max()) + 1
        steps = rng.integers(1, 3, n_b) if kind != "商品房" else np.ones(n_b, dtype=int)
        bno = np.cumsum(steps)
        subl = np.full(size, -1)
        if form_b:  # 漕宝路1234号5号楼1202室
            lanes = np.full(size, -1)
            number = np.full(size, lane_or_no)
            building = bno[b]
            bsuffix = "幢" if crow["district_class"] == "suburb" else "号楼"
            bname = [f"{x}{bsuffix}" for x in bno]
        else:  # 四平路1221弄12号301室
            lanes = np.full(size, lane_or_no)
            number = bno[b]
            building = np.full(size, -1)
            bname = [f"{x}号" for x in bno]
        building_key = b + 1
    uniq_keys = np.unique(building_key)
    blds = [{"level": "building", "code": f"{ccode}-{k}", "name": nm, "parent_code": ccode, "street_type": None}
            for k, nm in zip(uniq_keys, bname)]
    ht_names, ht_p = HOUSE_TYPES_BY_KIND[kind]
    ht = np.array(ht_names, dtype=object)[rng.choice(len(ht_names), size=size, p=ht_p)]
    mu, sd, lo, hi = AREA_PARAMS[kind]
    area = np.round(np.clip(rng.normal(mu, sd, size), lo, hi), 2)
    part = {
        "district_code": np.full(size, dcode, dtype=object),
        "street_code": np.full(size, crow["street_code"], dtype=object),
        "committee_code": np.full(size, crow["committee_code"], dtype=object),
        "compound_code": np.full(size, ccode, dtype=object),
        "compound_name": np.full(size, cname, dtype=object),
        "building_code": np.array([f"{ccode}-{k}" for k in building_key], dtype=object),
        "compound_kind": np.full(size, kind, dtype=object),
        "road": np.full(size, road, dtype=object),
        "lane": lanes.astype(np.int64), "sub_lane": np.asarray(subl).astype(np.int64),
        "number": np.asarray(number).astype(np.int64), "building": np.asarray(building).astype(np.int64),
        "building_suffix": np.full(size, bsuffix, dtype=object),
        "room": np.asarray(room).astype(np.int64),
        "village_group": (np.asarray(building_key) if kind == "村" else np.full(size, -1)).astype(np.int64),
        "house_type": ht, "floor_area": area,
    }
    return part, blds


def _add_address(h: pl.DataFrame) -> pl.DataFrame:
    h = h.with_columns([pl.when(pl.col(c) < 0).then(None).otherwise(pl.col(c)).alias(c)
                        for c in ["lane", "sub_lane", "building", "room", "village_group"]])
    dname = pl.col("district_code").replace_strict(DISTRICT_NAMES)
    s = pl.col
    urban = pl.concat_str([
        pl.lit("上海市"), dname, s("road"),
        pl.when(s("lane").is_not_null()).then(pl.format("{}弄", s("lane"))).otherwise(pl.lit("")),
        pl.when(s("sub_lane").is_not_null()).then(pl.format("{}支弄", s("sub_lane"))).otherwise(pl.lit("")),
        pl.format("{}号", s("number")),
        pl.when(s("building").is_not_null()).then(pl.format("{}{}", s("building"), s("building_suffix"))).otherwise(pl.lit("")),
        pl.when(s("room").is_not_null()).then(pl.format("{}室", s("room"))).otherwise(pl.lit("")),
    ])
    return h.with_columns(
        address=pl.when(s("compound_kind") == "村").then(
            pl.concat_str([pl.lit("上海市"), dname, s("street_code").replace_strict(_street_name_map(), default=""),
                           s("compound_name"), pl.format("{}组{}号", s("village_group"), s("number"))])
        ).otherwise(urban)
    )


_STREET_NAMES: dict[str, str] = {}


def _street_name_map() -> dict[str, str]:
    if not _STREET_NAMES:
        for r in read_reference("ref_streets"):
            _STREET_NAMES[r["code"]] = r["name"]
    return _STREET_NAMES


def _area_table(plan: AreaPlan, compound_rows: list[dict], building_rows: list[dict]) -> pl.DataFrame:
    schema = {"level": pl.Utf8, "code": pl.Utf8, "name": pl.Utf8, "parent_code": pl.Utf8, "street_type": pl.Utf8}
    d = plan.districts.select(pl.lit("district").alias("level"), "code", "name",
                              pl.lit(None, dtype=pl.Utf8).alias("parent_code"), pl.lit(None, dtype=pl.Utf8).alias("street_type"))
    s = plan.streets.select(pl.lit("street").alias("level"), "code", "name",
                            pl.col("district_code").alias("parent_code"), "street_type")
    c = plan.committees.select(pl.lit("committee").alias("level"), pl.col("committee_code").alias("code"),
                               pl.col("committee_name").alias("name"), pl.col("street_code").alias("parent_code"),
                               pl.lit(None, dtype=pl.Utf8).alias("street_type"))
    cp = pl.DataFrame(compound_rows, schema=schema)
    b = pl.DataFrame(building_rows, schema=schema)
    return pl.concat([d, s, c, cp, b], how="vertical_relaxed")
