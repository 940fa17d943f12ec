"""The synthetic city's population truth: households, persons and all their attributes.

`build_city(persons, seed)` returns the four truth tables of SCHEMA.md. It is deterministic
per (persons, seed, as_of) and vectorised (numpy / polars): a million persons build in
seconds.

Model, in order:
1. residence groups (the people who live together in one house) are drawn from templates:
   户籍 families (elderly alone, elderly couples, nuclear, three generations ...), 来沪 singles,
   couples, families and shared rentals, a few 境外 (港澳台) residents; 集体户 members.
2. some 户籍 adult children live elsewhere, and some 户籍 families live away from their hukou
   house (人户分离); their hukou house is rented out (出租) or left empty (空置).
3. groups are placed in committees, houses are built to match (areas.build_houses).
4. deaths and moves away in the last three years, then all attributes (IDs, names, phones,
   education, work, party, disability, welfare, veterans, family doctors, graduates, allowance).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from shequyun_synth import areas as areas_mod
from shequyun_synth import ids, names

AS_OF = dt.date(2026, 11, 1)
DAY = np.timedelta64(1, "D")

# roles inside a residence group
HEAD, SPOUSE, CHILD, PARENT, CHILD_SPOUSE, GRANDCHILD, OTHER = range(7)
RELATION = np.array(["户主", "配偶", "子女", "父母", "其他", "孙子女", "其他"], dtype=object)
PTYPE_NAMES = np.array(["户籍", "来沪", "境外"], dtype=object)

# (template, population type, weight among that type's groups)
HUJI_TEMPLATES = {
    "old_alone": 0.085, "old_couple": 0.18, "single": 0.10, "couple": 0.08, "nuclear": 0.16,
    "single_parent": 0.025, "old_with_child": 0.20, "three_gen": 0.11, "with_parent": 0.06,
}
LAIHU_TEMPLATES = {
    "single": 0.43, "couple": 0.17, "nuclear": 0.16, "shared": 0.14, "with_parent": 0.05, "old_couple": 0.05,
}
JINGWAI_TEMPLATES = {"single": 0.5, "couple": 0.25, "nuclear": 0.25}

EDU_LEVELS = np.array(["未上过学", "小学", "初中", "高中", "中专", "大学专科", "大学本科", "硕士研究生", "博士研究生"],
                      dtype=object)
# attained education of adults 25+ by birth cohort (户籍 / 来沪)
EDU_HUJI = {1945: [.15, .30, .30, .15, .03, .04, .03, 0, 0], 1960: [.03, .12, .40, .25, .06, .07, .07, 0, 0],
            1975: [.01, .05, .30, .25, .10, .14, .13, .02, 0], 1990: [0, .02, .15, .15, .10, .20, .30, .07, .01],
            9999: [0, .01, .08, .12, .08, .22, .38, .10, .01]}
EDU_LAIHU = {1945: [.25, .35, .28, .08, .02, .01, .01, 0, 0], 1960: [.06, .25, .45, .15, .04, .03, .02, 0, 0],
             1975: [.02, .12, .48, .15, .06, .09, .07, .01, 0], 1990: [0, .05, .33, .17, .09, .16, .17, .03, 0],
             9999: [0, .03, .25, .17, .10, .20, .21, .04, 0]}

EMPLOYERS_BIG = ["上海汽车集团股份有限公司", "宝山钢铁股份有限公司", "中国东方航空股份有限公司", "上海电气集团股份有限公司",
                 "交通银行股份有限公司", "上海浦东发展银行股份有限公司", "上海申通地铁集团有限公司", "上海久事（集团）有限公司",
                 "上海国际港务（集团）股份有限公司", "上海华谊（集团）公司", "光明食品（集团）有限公司", "上海医药集团股份有限公司",
                 "中国商用飞机有限责任公司", "上海振华重工（集团）股份有限公司", "上海市第一人民医院", "复旦大学附属中山医院",
                 "上海交通大学医学院附属瑞金医院", "复旦大学", "上海交通大学", "同济大学", "华东师范大学", "上海市城市建设投资开发总公司",
                 "上海联华超市股份有限公司", "盒马（中国）有限公司", "上海拉扎斯信息科技有限公司", "上海寻梦信息技术有限公司",
                 "哔哩哔哩（上海）有限公司", "上海携程商务有限公司", "特斯拉（上海）有限公司", "中芯国际集成电路制造（上海）有限公司"]
_FIRM_WORDS = list("华联东方新海申浦宏泰信达鑫源恒丰瑞祥安康正大金桥嘉汇明德兴隆")
_FIRM_TRADES = ["科技", "贸易", "建筑工程", "物业管理", "餐饮管理", "商贸", "信息技术", "物流", "机电设备", "装饰工程",
                "家政服务", "汽车销售", "文化传媒", "电子", "服饰", "食品", "保安服务", "医疗器械"]

UNIVERSITIES = ["复旦大学", "上海交通大学", "同济大学", "华东师范大学", "上海财经大学", "上海大学", "华东理工大学", "东华大学",
                "上海外国语大学", "华东政法大学", "上海理工大学", "上海师范大学", "上海海事大学", "上海电力大学", "上海应用技术大学",
                "上海工程技术大学", "上海中医药大学", "上海对外经贸大学", "上海立信会计金融学院", "上海第二工业大学",
                "上海电子信息职业技术学院", "上海城建职业学院", "南京大学", "浙江大学", "安徽大学", "武汉大学", "四川大学", "郑州大学"]
MAJORS = ["计算机科学与技术", "软件工程", "金融学", "会计学", "临床医学", "护理学", "法学", "汉语言文学", "英语", "机械工程",
          "电气工程及其自动化", "土木工程", "工商管理", "市场营销", "国际经济与贸易", "数据科学与大数据技术", "人工智能",
          "新闻学", "社会工作", "物流管理", "视觉传达设计", "化学", "数学与应用数学", "电子信息工程"]

DISABILITY_CAT_P = [0.12, 0.13, 0.01, 0.45, 0.08, 0.15, 0.06]  # 视力 听力 言语 肢体 智力 精神 多重
DISABILITY_GRADE_P = [0.10, 0.20, 0.30, 0.40]
CHRONIC = [("高血压", 0.45, 0.18), ("糖尿病", 0.18, 0.07), ("冠心病", 0.08, 0.02), ("慢阻肺", 0.04, 0.01),
           ("脑卒中", 0.03, 0.005), ("慢性肾病", 0.02, 0.005)]
ALLOWANCE = [(100, "100+", 600), (90, "90-99", 350), (80, "80-89", 180), (70, "70-79", 150), (65, "65-69", 75)]


@dataclass
class City:
    """The truth tables of SCHEMA.md.

    Columns beyond the contract:
    - persons: residence_group_id (G…: the people living together in one house, 来沪 families
      included), elderly_allowance_amount (75/150/180/350/600 元), lives_alone (alone in the
      residence house; living residents only).
    - houses: building_code (area code of the building), compound_kind (新村/商品房/动迁/里弄/村),
      building_suffix (号楼/幢, used when `building` is set), village_group (村民小组 for rural houses).
    """

    areas: pl.DataFrame
    houses: pl.DataFrame
    households: pl.DataFrame
    persons: pl.DataFrame


# ---------------------------------------------------------------------------- helpers
def _streams(seed: int, n: int) -> list[np.random.Generator]:
    return [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(n)]


def _weighted_pick(weights: np.ndarray, k: int, rng: np.random.Generator, ordered: bool = False) -> np.ndarray:
    """k distinct indices, probability ∝ weight (Efraimidis–Spirakis); zero weights never.

    With `ordered`, the indices come in draw order (a weighted random permutation)."""
    w = np.asarray(weights, dtype=float)
    k = int(min(k, (w > 0).sum()))
    if k <= 0:
        return np.array([], dtype=np.int64)
    key = np.full(len(w), -np.inf)
    pos = w > 0
    key[pos] = np.log(rng.random(pos.sum())) / w[pos]
    if ordered:
        return np.argsort(-key, kind="stable")[:k]
    return np.argpartition(-key, k - 1)[:k]


def _elderly_age(n: int, rng: np.random.Generator, alone: bool = False) -> np.ndarray:
    bands = np.array([60, 70, 80, 90, 100])
    p = np.array([0.36, 0.34, 0.235, 0.062, 0.0015]) if alone else np.array([0.50, 0.32, 0.155, 0.023, 0.001])
    b = rng.choice(5, size=n, p=p / p.sum())
    return bands[b] + rng.random(n) * np.where(b == 4, 5, 10)


def _bounded(age: np.ndarray, lo: float = -np.inf, hi: float = np.inf) -> np.ndarray:
    """`age` kept within [lo, hi]. A value beyond a bound lands within a year inside it, at a point set by how far it
    overshot (no draw from the generator's streams), not on the bound itself: clipping put every overshooting person
    on one birth date, and at 5M persons one district then held more people born that day than its 499 sequence
    numbers per sex allow (ids.compose_ids), which no real register does."""
    def spread(over: np.ndarray) -> np.ndarray:
        return np.modf(np.abs(over) * 97.0)[0] * 0.999      # the overshoot's fine digits: about uniform in [0, 1)
    out = np.where(age < lo, lo + spread(lo - age), age)
    return np.where(out > hi, hi - spread(age - hi), out)


def _child_age(mother_age: np.ndarray, rng: np.random.Generator, lo: float = 22.0, hi: float = 40.0) -> np.ndarray:
    top = np.minimum(hi, mother_age)
    gap = lo + rng.random(len(mother_age)) * np.maximum(top - lo, 0.0)
    return np.maximum(mother_age - gap, rng.random(len(mother_age)) * 0.9)


# ---------------------------------------------------------------------------- groups
def _members(template: str, n: int, rng: np.random.Generator, migrant: bool) -> list[tuple]:
    """Member arrays (group index, role, age, is_male) for n groups of one template."""
    g = np.arange(n)
    out: list[tuple] = []

    def add(idx, role, age, male):
        out.append((idx, np.full(len(idx), role), age, male))

    def couple(head_age, p_male_head=0.86):
        male = rng.random(n) < p_male_head
        add(g, HEAD, head_age, male)
        sp_age = _bounded(head_age + np.where(male, -1, 1) * rng.normal(2.5, 2.5, n), 20.5, 106)
        add(g, SPOUSE, sp_age, ~male)
        mother = np.where(male, sp_age, head_age)
        return male, sp_age, mother

    if template == "old_alone":
        add(g, HEAD, _elderly_age(n, rng, alone=True), rng.random(n) < 0.3)
    elif template == "old_couple":
        if migrant:
            couple(55 + rng.random(n) * 20)
        else:
            couple(_bounded(_elderly_age(n, rng), 62.0))
    elif template == "single":
        age = rng.triangular(18, 27, 60, n) if migrant else 22 + rng.random(n) * 38
        add(g, HEAD, age, rng.random(n) < (0.58 if migrant else 0.55))
    elif template == "couple":
        couple(rng.triangular(22, 30, 60, n) if migrant else 24 + rng.random(n) * 36)
    elif template in ("nuclear", "with_parent"):
        head = rng.triangular(25, 36, 58, n) if migrant else 28 + rng.random(n) * 30
        male, sp_age, mother = couple(head)
        k = np.where(rng.random(n) < (0.78 if not migrant else 0.62), 1, 2)
        if template == "with_parent":
            k = np.where(rng.random(n) < 0.5, 1, 0)
        for j in range(2):
            has = k > j
            add(g[has], CHILD, _child_age(mother[has], rng, 22, 40), rng.random(has.sum()) < 0.52)
        if template == "with_parent":
            p_age = _bounded(head + 22 + rng.random(n) * 12, hi=104)
            add(g, PARENT, p_age, rng.random(n) < 0.35)
    elif template == "single_parent":
        parent_age = 28 + rng.random(n) * 30
        add(g, HEAD, parent_age, rng.random(n) < 0.25)
        add(g, CHILD, _child_age(parent_age, rng, 20, 40), rng.random(n) < 0.52)
    elif template == "old_with_child":
        head = _elderly_age(n, rng)
        both = rng.random(n) < 0.6
        male = np.where(both, rng.random(n) < 0.9, rng.random(n) < 0.3)
        add(g, HEAD, head, male)
        sp_age = _bounded(head - rng.normal(2.5, 2.0, n), 50, 106)
        add(g[both], SPOUSE, sp_age[both], ~male[both])
        mother = np.where(both & male, sp_age, head)
        add(g, CHILD, _bounded(_child_age(mother, rng, 23, 38), 18.5), rng.random(n) < 0.55)
    elif template == "three_gen":
        head = rng.triangular(52, 62, 86, n)
        male, sp_age, mother = couple(head, 0.9)
        child = _bounded(_child_age(mother, rng, 23, 34), 22.0)
        cmale = rng.random(n) < 0.6
        add(g, CHILD, child, cmale)
        cs_age = _bounded(child + np.where(cmale, -1, 1) * rng.normal(2, 2, n), 20.5, 80)
        add(g, CHILD_SPOUSE, cs_age, ~cmale)
        gmother = np.where(cmale, cs_age, child)
        add(g, GRANDCHILD, _child_age(gmother, rng, 22, 38), rng.random(n) < 0.52)
    elif template == "shared":
        k = rng.integers(2, 6, n)
        for j in range(5):
            has = k > j
            add(g[has], HEAD if j == 0 else OTHER, rng.triangular(18, 25, 55, has.sum()), rng.random(has.sum()) < 0.65)
    else:  # pragma: no cover
        raise ValueError(template)
    return out


def _draw_groups(n_persons: int, ptype: int, templates: dict[str, float], rng: np.random.Generator) -> dict:
    """Groups of one population type whose members add up to at least n_persons."""
    names_ = list(templates)
    p = np.array(list(templates.values()))
    mean_size = {"old_alone": 1, "old_couple": 2, "single": 1, "couple": 2, "nuclear": 3.4, "single_parent": 2,
                 "old_with_child": 2.6, "three_gen": 5, "with_parent": 3.9, "shared": 3.5}
    avg = float((p / p.sum() * np.array([mean_size[t] for t in names_])).sum())
    n_groups = int(n_persons / avg * 1.05) + 5
    tmpl = rng.choice(len(names_), size=n_groups, p=p / p.sum())
    parts = []
    offset = 0
    for ti, t in enumerate(names_):
        gidx = np.flatnonzero(tmpl == ti)
        if not len(gidx):
            continue
        for (li, role, age, male) in _members(t, len(gidx), rng, migrant=(ptype != 0)):
            parts.append((gidx[li], role, age, male, np.full(len(li), ti)))
    gi = np.concatenate([p_[0] for p_ in parts])
    order = np.lexsort((np.concatenate([p_[1] for p_ in parts]), gi))
    gi = gi[order]
    role = np.concatenate([p_[1] for p_ in parts])[order]
    age = np.concatenate([p_[2] for p_ in parts])[order]
    male = np.concatenate([p_[3] for p_ in parts])[order]
    tcol = np.concatenate([p_[4] for p_ in parts])[order]
    # keep whole groups until n_persons is reached
    sizes = np.bincount(gi, minlength=n_groups)
    cum = np.cumsum(sizes)
    last = int(np.searchsorted(cum, n_persons))
    keep = gi <= last
    del offset
    return {"group": gi[keep], "role": role[keep], "age": age[keep], "male": male[keep],
            "template": np.array(names_, dtype=object)[tcol[keep]], "ptype": np.full(keep.sum(), ptype)}


def _concat(parts: list[dict]) -> dict:
    out = {}
    base = 0
    groups = []
    for p in parts:
        groups.append(p["group"] + base)
        base += int(p["group"].max()) + 1 if len(p["group"]) else 0
    out["group"] = np.concatenate(groups)
    for k in parts[0]:
        if k != "group":
            out[k] = np.concatenate([p[k] for p in parts])
    return out


# ---------------------------------------------------------------------------- build
def build_city(persons: int, seed: int, as_of: dt.date = AS_OF) -> City:
    if persons < 100:
        raise ValueError("need at least 100 persons")
    (r_area, r_grp, r_house, r_life, r_id, r_name, r_attr, r_welf, r_misc) = _streams(seed, 9)
    asof = np.datetime64(as_of, "D")

    # ---- 1. groups and persons -------------------------------------------------------
    n_jw = max(6, round(persons * 0.006))
    n_coll = round(persons * 0.012)
    n_lh = round(persons * 0.40)
    n_hj = persons - n_jw - n_lh - n_coll
    P = _concat([
        _draw_groups(n_hj, 0, HUJI_TEMPLATES, r_grp),
        _draw_groups(n_lh, 1, LAIHU_TEMPLATES, r_grp),
        _draw_groups(n_jw, 2, JINGWAI_TEMPLATES, r_grp),
    ])
    # collective hukou members (集体户): adults, each living on their own elsewhere
    n_coll = max(0, persons - len(P["group"]))
    if n_coll:
        base = int(P["group"].max()) + 1
        P = {k: np.concatenate([v, _coll(k, n_coll, base, r_grp)]) for k, v in P.items()}
    P = {k: v[:persons] for k, v in P.items()}
    n = len(P["group"])
    is_coll = P["template"] == "collective"
    ptype = P["ptype"]
    age = P["age"].astype(float)
    male = P["male"].astype(bool)
    role = P["role"].astype(np.int64)
    group = P["group"].astype(np.int64)

    # centenarians: at least max(3, N/4000) among elderly living alone / couples
    want_cent = max(3, round(persons * 0.00015))
    have = int(((age >= 100) & (ptype == 0)).sum())
    if have < want_cent:
        cand = np.flatnonzero((ptype == 0) & (role == HEAD) & np.isin(P["template"], ["old_alone"]) & (age >= 85) & (age < 100))
        pick = r_grp.choice(cand, size=min(want_cent - have, len(cand)), replace=False)
        age[pick] = 100 + r_grp.random(len(pick)) * 4
        male[pick] = r_grp.random(len(pick)) < 0.26

    # ---- 2. households (户籍) ---------------------------------------------------------
    hj = ptype == 0
    # a household = a 户籍 family group; collective members are grouped into 集体户 of ~8
    household = np.full(n, -1, dtype=np.int64)
    fam = hj & ~is_coll
    fam_groups, household[fam] = np.unique(group[fam], return_inverse=True)
    n_fam_hh = len(fam_groups)
    coll_idx = np.flatnonzero(is_coll)
    n_coll_hh = max(1, int(np.ceil(len(coll_idx) / 8))) if len(coll_idx) else 0
    if len(coll_idx):
        household[coll_idx] = n_fam_hh + np.arange(len(coll_idx)) % n_coll_hh
        role[coll_idx] = OTHER
        first = np.unique(household[coll_idx], return_index=True)[1]
        role[coll_idx[first]] = HEAD
    n_hh = n_fam_hh + n_coll_hh

    # individually separated adult children: live on their own elsewhere (户在人不在)
    sep_child = hj & ~is_coll & (role == CHILD) & (age >= 22) & (age < 45) & (r_grp.random(n) < 0.30)
    gmax = int(group.max()) + 1
    res_group = group.copy()
    res_group[sep_child] = gmax + np.arange(sep_child.sum())
    gmax += int(sep_child.sum())
    res_group[is_coll] = gmax + np.arange(is_coll.sum())
    gmax += int(is_coll.sum())
    _, res_group = np.unique(res_group, return_inverse=True)
    n_groups = int(res_group.max()) + 1

    # household-level separation (人在户不在 / 户在人不在): the family lives in another house
    hh_template = np.full(n_hh, "collective", dtype=object)
    hh_template[household[fam]] = P["template"][fam]
    hh_sep = np.isin(hh_template, ["couple", "nuclear", "single", "single_parent", "with_parent"]) & \
        (r_grp.random(n_hh) < 0.28)
    hh_sep[n_fam_hh:] = True  # collective addresses: nobody lives there

    # ---- 3. committees, houses ---------------------------------------------------------
    plan = areas_mod.plan_areas(persons, r_area)
    com = plan.committees
    n_com = com.height
    cw = com["weight"].to_numpy()
    g_ptype = np.zeros(n_groups, dtype=np.int64)
    g_ptype[res_group] = ptype
    # 来沪 people live more in the suburbs, 户籍 more in the centre (2020 census pattern)
    dclass = com["district_class"].to_numpy()
    g_com = np.empty(n_groups, dtype=np.int64)
    for t, tilt in ((0, {"central": 1.25, "pudong": 1.0, "suburb": 0.85}),
                    (1, {"central": 0.6, "pudong": 1.0, "suburb": 1.3}),
                    (2, {"central": 1.3, "pudong": 1.3, "suburb": 0.7})):
        w_t = cw * np.vectorize(tilt.get)(dclass)
        sel = np.flatnonzero(g_ptype == t)
        g_com[sel] = r_house.choice(n_com, size=len(sel), p=w_t / w_t.sum())
    # hukou houses that are not somebody's residence group house
    g_head_hh = np.full(n_groups, -1)
    g_head_hh[res_group[fam & ~sep_child]] = household[fam & ~sep_child]
    sep_hh_ids = np.flatnonzero(hh_sep[:n_fam_hh])
    laihu_groups = np.flatnonzero(g_ptype == 1)
    n_rent = min(int(len(sep_hh_ids) * 0.6), len(laihu_groups))
    rent_hh = r_house.choice(sep_hh_ids, size=n_rent, replace=False) if n_rent else np.array([], dtype=np.int64)
    rent_grp = r_house.choice(laihu_groups, size=n_rent, replace=False) if n_rent else np.array([], dtype=np.int64)
    empty_hh = np.setdiff1d(np.flatnonzero(hh_sep), rent_hh)
    n_vacant = int(n_groups * 0.07)
    extra_com = r_house.choice(n_com, size=len(empty_hh) + n_vacant, p=cw)
    demand = np.bincount(g_com, minlength=n_com) + np.bincount(extra_com, minlength=n_com)
    houses, areas = areas_mod.build_houses(plan, demand, r_house)
    # entity list in committee order: groups first then extras, random house within committee
    ent_com = np.concatenate([g_com, extra_com])
    # migrants rent the rent-prone stock (售后公房, 农民自建房) more often: match on a tilted key
    ent_key = r_house.random(len(ent_com))
    ent_key[:n_groups] += np.where(g_ptype == 1, 0.35, 0.0)
    ent_order = np.lexsort((ent_key, ent_com))
    h_com_idx = houses["committee_code"].replace_strict(
        dict(zip(com["committee_code"].to_list(), range(n_com)))).to_numpy()
    rent_prone = houses["house_type"].is_in(["售后公房", "农民自建房", "公房租赁"]).to_numpy()
    h_order = np.lexsort((r_house.random(houses.height) + 0.35 * rent_prone, h_com_idx))
    ent_house = np.empty(len(ent_com), dtype=np.int64)
    ent_house[ent_order] = h_order
    g_house = ent_house[:n_groups]
    extra_house = ent_house[n_groups:]
    empty_hh_house = extra_house[:len(empty_hh)]

    hh_hukou_house = np.full(n_hh, -1, dtype=np.int64)
    live_in = fam & ~sep_child & ~hh_sep[np.maximum(household, 0)]
    hh_hukou_house[household[live_in]] = g_house[res_group[live_in]]
    hh_hukou_house[rent_hh] = g_house[rent_grp]
    hh_hukou_house[empty_hh] = empty_hh_house
    # households whose only members all live elsewhere but were not separated (all sep children)
    missing = np.flatnonzero(hh_hukou_house < 0)
    if len(missing):  # pragma: no cover - every family has a head who lives at home
        raise RuntimeError("household without hukou house")

    residence_house = g_house[res_group]
    hukou_house = np.where(hj, hh_hukou_house[np.maximum(household, 0)], -1)

    # ---- 4. life events ----------------------------------------------------------------
    status = np.zeros(n, dtype=np.int64)  # 0 living 1 deceased 2 moved_away
    n_dead = round(persons * 0.017)
    has_spouse = np.zeros(n_groups, dtype=bool)
    has_spouse[res_group[role == SPOUSE]] = True
    head_ok = (role != HEAD) | (_group_size(res_group)[res_group] == 1) | has_spouse[res_group]
    w_dead = np.exp(0.095 * (age - 60)) * (age < 100) * head_ok * (ptype != 2) * np.where(ptype == 1, 0.4, 1.0)
    dead = _weighted_pick(w_dead, n_dead, r_life)
    status[dead] = 1
    w_move = ((ptype == 1) & (role == HEAD) & (_group_size(res_group)[res_group] == 1)) * 1.0 + \
        (sep_child | is_coll) * 1.5
    w_move[status != 0] = 0
    moved = _weighted_pick(w_move, round(persons * 0.008), r_life)
    status[moved] = 2
    # a dead head with a living spouse: the spouse becomes head
    _promote_spouse(role, status, res_group, household)

    # ---- 5. identity -------------------------------------------------------------------
    birth = asof - np.maximum(np.round(age * 365.2425), 1).astype(np.int64).astype("timedelta64[D]")
    birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
    house_district = houses["district_code"].to_numpy().astype("<U6")
    house_street = houses["street_code"].to_numpy().astype("<U9")
    home_house = np.where(hukou_house >= 0, hukou_house, residence_house)
    p_district = house_district[home_house]
    nanhui = (p_district == "310115") & (house_street[home_house].astype("<U9") >= "310115131") & \
        (house_street[home_house] < "310115400")
    assigned_year = np.where(birth_year >= 1984, birth_year, r_id.integers(1984, 1992, n))
    region = ids.shanghai_region_codes(p_district, assigned_year, nanhui, r_id)
    # 户籍 born elsewhere (新上海人), 来沪 and 境外
    g_origin = ids.other_province_codes(n_groups, r_id)
    ethnicity = names.sample_ethnicities(n_groups, r_name)[res_group]
    eth_codes = {k: np.array(v) for k, v in ids.ETHNIC_REGION_CODES.items()}
    newcomer = hj & (birth_year < 2000) & (r_id.random(n) < np.where((age > 25) & (age < 62), 0.28, 0.08))
    origin = g_origin[res_group]
    same_code = r_id.random(n) < 0.85
    origin = np.where(same_code, origin, ids.other_province_codes(n, r_id))
    region = np.where(newcomer | (ptype == 1), origin, region)
    minority_region = np.isin(ethnicity, list(eth_codes)) & ((ptype == 1) | newcomer | (r_id.random(n) < 0.4))
    for eth, codes in eth_codes.items():
        idx = np.flatnonzero(minority_region & (ethnicity == eth))
        region[idx] = codes[r_id.integers(0, len(codes), len(idx))]
    hmt = np.array(["810000", "820000", "830000"])[r_id.choice(3, size=n_groups, p=[0.55, 0.1, 0.35])]
    region = np.where(ptype == 2, hmt[res_group], region)
    ethnicity = np.where(ptype == 2, "汉族", ethnicity)
    id_number = ids.compose_ids(region.astype("<U6"), birth, male, r_id)

    # names: children and grandchildren carry the head's surname
    surname = names.sample_surnames(n, r_name)
    fam_head = np.full(int(group.max()) + 1, -1)
    fam_head[group[role == HEAD]] = np.flatnonzero(role == HEAD)
    inherit = np.isin(role, [CHILD, GRANDCHILD]) & (fam_head[group] >= 0) & (r_name.random(n) < 0.93)
    surname[inherit] = surname[fam_head[group[inherit]]]
    father = (role == PARENT) & male & (fam_head[group] >= 0)
    surname[father] = surname[fam_head[group[father]]]
    full_name = names.sample_names(male, birth_year, ethnicity, r_name, surnames=surname)

    # ---- 6. attributes -----------------------------------------------------------------
    attrs = _attributes(n=n, age=age, male=male, ptype=ptype, role=role, status=status, birth=birth,
                        asof=asof, as_of=as_of, res_group=res_group, household=household, hj=hj,
                        residence_house=residence_house, hukou_house=hukou_house, houses=houses,
                        com=com, id_number=id_number, rng=r_attr, r_welf=r_welf, r_misc=r_misc,
                        n_groups=n_groups)

    # ---- 7. tables ---------------------------------------------------------------------
    house_ids = houses["house_id"].to_numpy()
    pid = np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype("<U8"), 8))
    hh_id = np.char.add("F", np.char.zfill(np.arange(1, n_hh + 1).astype("<U7"), 7))
    living = status == 0
    res_ok = living & (residence_house >= 0)
    separated = hj & living & (residence_house != hukou_house)
    status_date = attrs.pop("status_date")

    cols = {
        "person_id": pid,
        "name": full_name.astype(str),
        "sex": np.where(male, "男", "女"),
        "birth_date": birth,
        "ethnicity": ethnicity.astype(str),
        "id_number": id_number,
        "id_region_code": np.char.ljust(id_number.astype("<U6"), 6),
        "phone": attrs.pop("phone"),
        "population_type": PTYPE_NAMES[ptype].astype(str),
        "household_id": np.where(household >= 0, hh_id[np.maximum(household, 0)], None),
        "relation_to_head": np.where(household >= 0, RELATION[role], None),
        "hukou_house_id": np.where(hukou_house >= 0, house_ids[np.maximum(hukou_house, 0)], None),
        "residence_house_id": np.where(res_ok, house_ids[residence_house], None),
        "separated": separated,
        "residence_group_id": np.char.add("G", np.char.zfill((res_group + 1).astype("<U7"), 7)),
        "status": np.array(["living", "deceased", "moved_away"])[status],
        "status_date": status_date,
        **attrs,
    }
    persons_df = pl.DataFrame([_series(k, v) for k, v in cols.items()])
    persons_df = persons_df.with_columns(_residence_since(persons_df, as_of, np.random.default_rng([seed, 7301])))

    # households table
    heads = np.flatnonzero((role == HEAD) & (household >= 0))
    head_of_hh = np.full(n_hh, -1)
    head_of_hh[household[heads]] = heads
    hh_no = 310000000 + np.cumsum(r_misc.integers(1, 60, n_hh))  # unique, with gaps
    households_df = pl.DataFrame({
        "household_id": hh_id,
        "household_no": hh_no.astype("<U9"),
        "hukou_house_id": house_ids[hh_hukou_house],
        "head_person_id": pid[head_of_hh],
        "is_collective": np.arange(n_hh) >= n_fam_hh,
    })

    houses_df = _finish_houses(houses, persons_df, households_df, hh_sep, head_of_hh, pid, hh_hukou_house,
                               residence_house, res_ok, role, ptype, age, r_misc, as_of)
    return City(areas=areas, houses=houses_df, households=households_df, persons=persons_df)


def _residence_since(persons: pl.DataFrame, as_of: dt.date, rng: np.random.Generator) -> pl.Series:
    """When each living resident moved into the residence house (`residence_since`), null when there was no move.

    A residence group (the persons living together) moved in on one day within the last 20 years (at least 30 days
    before as_of); a member born after that day has lived there since birth (null: no previous house), a migrant who
    came to Shanghai later moved in on a day between the arrival and 30 days before as_of. A department that still
    has a person's previous house (stale_address noise) last dated the record before this day. Its own random stream:
    the rest of the city does not change with it.
    """
    n = persons.height
    if n == 0:
        return pl.Series("residence_since", [], dtype=pl.Date)
    hi = (as_of - dt.timedelta(days=30) - dt.date(1970, 1, 1)).days
    lo = hi - 20 * 365
    groups = persons["residence_group_id"].cast(pl.String).fill_null("").to_numpy()
    _, inverse = np.unique(groups, return_inverse=True)
    group_day = lo + np.floor(rng.random(inverse.max() + 1) * (hi - lo + 1))
    day = group_day[inverse]
    birth = persons["birth_date"].cast(pl.Int32).to_numpy().astype(np.float64)
    arrived = persons["arrived_on"].cast(pl.Date).cast(pl.Int32).fill_null(-10**6).to_numpy().astype(np.float64)
    late = arrived >= day
    own = arrived + 1 + np.floor(rng.random(n) * np.maximum(hi - arrived, 0))
    day = np.where(late, np.minimum(own, hi), day)
    resident = (persons["residence_house_id"].is_not_null() & (persons["status"] == "living")).to_numpy()
    moved = resident & (day > birth)
    out = pl.Series("residence_since", np.where(moved, day, np.nan)).fill_nan(None).cast(pl.Int32).cast(pl.Date)
    return out


INT_COLUMNS = {"graduation_year", "disability_category", "disability_grade", "elderly_allowance_amount"}


def _series(name: str, values) -> pl.Series:
    if isinstance(values, pl.Series):
        return values.alias(name)
    arr = np.asarray(values)
    if name in INT_COLUMNS:
        return pl.Series(name, arr).fill_nan(None).cast(pl.Int64)
    if arr.dtype == object or arr.dtype.kind == "U":
        return pl.Series(name, arr.tolist(), dtype=pl.Utf8)
    if arr.dtype.kind == "M":
        return pl.Series(name, arr.astype("datetime64[D]")).cast(pl.Date)
    return pl.Series(name, arr)


def _coll(key: str, n: int, base: int, rng: np.random.Generator) -> np.ndarray:
    if key == "group":
        return base + np.arange(n)
    if key == "role":
        return np.full(n, OTHER)
    if key == "age":
        return rng.triangular(18, 24, 50, n)
    if key == "male":
        return rng.random(n) < 0.55
    if key == "template":
        return np.full(n, "collective", dtype=object)
    if key == "ptype":
        return np.zeros(n, dtype=np.int64)
    raise KeyError(key)  # pragma: no cover


def _group_size(res_group: np.ndarray) -> np.ndarray:
    return np.bincount(res_group)


def _promote_spouse(role: np.ndarray, status: np.ndarray, res_group: np.ndarray, household: np.ndarray) -> None:
    """A dead head with a living spouse: the spouse becomes head, the head's parents in-laws."""
    in_hh = household >= 0
    if not in_hh.any():
        return
    n_hh = int(household.max()) + 1
    dead_head = np.zeros(n_hh, dtype=bool)
    dh = in_hh & (role == HEAD) & (status != 0)
    dead_head[household[dh]] = True
    live_sp = in_hh & (role == SPOUSE) & (status == 0) & dead_head[np.maximum(household, 0)]
    promoted = np.zeros(n_hh, dtype=bool)
    promoted[household[live_sp]] = True
    hit = in_hh & promoted[np.maximum(household, 0)]
    old_head = hit & (role == HEAD)
    parents = hit & (role == PARENT)
    role[live_sp] = HEAD
    role[old_head] = SPOUSE
    role[parents] = OTHER


def _finish_houses(houses: pl.DataFrame, persons: pl.DataFrame, households: pl.DataFrame, hh_sep: np.ndarray,
                   head_of_hh: np.ndarray, pid: np.ndarray, hh_hukou_house: np.ndarray, residence_house: np.ndarray,
                   res_ok: np.ndarray, role: np.ndarray, ptype: np.ndarray, age: np.ndarray,
                   rng: np.random.Generator, as_of: dt.date) -> pl.DataFrame:
    nh = houses.height
    occupied = np.zeros(nh, dtype=bool)
    occupied[residence_house[res_ok]] = True
    owner = np.full(nh, -1, dtype=np.int64)
    occ = np.where(occupied, "出租", "空置").astype(object)
    # heads own the house they live in when it is their hukou house or (separated) their new home
    heads = np.flatnonzero(role == HEAD)
    hmask = res_ok[heads]
    own_res = heads[hmask]
    own_p = np.where(ptype[own_res] == 0, 1.0, np.where(ptype[own_res] == 1, 0.15, 0.3))
    owns = rng.random(len(own_res)) < own_p
    owner[residence_house[own_res[owns]]] = own_res[owns]
    occ[residence_house[own_res[owns]]] = "自住"
    # 户籍 adults whose hukou house is rented out / empty own it
    sep_hh = np.flatnonzero(hh_sep & (head_of_hh >= 0))
    hk = hh_hukou_house[sep_hh]
    free = owner[hk] < 0
    owner[hk[free]] = head_of_hh[sep_hh[free]]
    # remaining owned houses: a random 户籍 adult landlord
    landlords = np.flatnonzero((ptype == 0) & (age >= 30) & res_ok)
    rest = np.flatnonzero(owner < 0)
    owner[rest] = landlords[rng.integers(0, len(landlords), len(rest))]
    htype = houses["house_type"].to_numpy()
    owner[htype == "公房租赁"] = -1
    # 公房租赁 lived in by the tenant counts as 自住
    tenant_home = (htype == "公房租赁") & occupied
    lived_by_hj = np.zeros(nh, dtype=bool)
    lived_by_hj[residence_house[res_ok & (ptype == 0)]] = True
    occ[tenant_home & lived_by_hj] = "自住"
    has_owner = owner >= 0
    reg_year = rng.integers(1995, as_of.year, nh)
    abbr = houses["district_code"].replace_strict(areas_mod.DISTRICT_ABBR).to_numpy()
    seq = np.char.zfill((rng.permutation(max(1_000_000, nh * 2))[:nh] + 1).astype("<U7"), 6)
    new_fmt = np.char.add(np.char.add(np.char.add(np.char.add("沪(", reg_year.astype("<U4")), ")"), abbr.astype("<U1")),
                          np.char.add(np.char.add("字不动产权第", seq), "号"))
    old_fmt = np.char.add(np.char.add(np.char.add("沪房地", abbr.astype("<U1")), np.char.add("字(", reg_year.astype("<U4"))),
                          np.char.add(np.char.add(")第", seq), "号"))
    cert = np.where(reg_year >= 2016, new_fmt, old_fmt)
    return houses.with_columns(
        _series("owner_person_id", np.where(has_owner, pid[np.maximum(owner, 0)], None)),
        _series("certificate_no", np.where(has_owner, cert, None)),
        _series("occupancy", occ),
    ).select(["house_id", "district_code", "street_code", "committee_code", "compound_code", "compound_name",
              "building_code", "compound_kind", "road", "lane", "sub_lane", "number", "building", "building_suffix",
              "room", "village_group", "address", "house_type", "floor_area", "owner_person_id", "certificate_no",
              "occupancy"])


# ---------------------------------------------------------------------------- attributes
def _dates_between(lo: np.ndarray, hi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lo = lo.astype("datetime64[D]")
    hi = hi.astype("datetime64[D]")
    span = np.maximum((hi - lo).astype(np.int64), 0)
    return lo + (rng.random(len(lo)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


def _years(n: float | np.ndarray) -> np.ndarray:
    return np.round(np.asarray(n) * 365.2425).astype(np.int64).astype("timedelta64[D]")


def _attributes(*, n, age, male, ptype, role, status, birth, asof, as_of, res_group, household, hj,
                residence_house, hukou_house, houses, com, id_number, rng, r_welf, r_misc, n_groups) -> dict:
    NaT = np.datetime64("NaT")
    adult = age >= 18
    living = status == 0
    out: dict[str, object] = {}

    # phones: 11 digits, unique; children and some elderly have none
    prefixes = np.array(["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                         "155", "156", "157", "158", "159", "176", "177", "180", "181", "182", "183", "185", "186",
                         "187", "188", "189", "191", "198", "199"])
    phone = np.char.add(prefixes[rng.integers(0, len(prefixes), n)],
                        np.char.zfill(rng.integers(0, 100_000_000, n).astype("<U8"), 8))
    for _ in range(20):
        _, first = np.unique(phone, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        phone[dup] = np.char.add(prefixes[rng.integers(0, len(prefixes), dup.sum())],
                                 np.char.zfill(rng.integers(0, 100_000_000, dup.sum()).astype("<U8"), 8))
    p_none = np.where(age < 12, 1.0, np.where(age < 16, 0.4, np.where(age >= 80, 0.35, np.where(age >= 60, 0.08, 0.01))))
    out["phone"] = np.where(rng.random(n) < p_none, None, phone)

    # arrival (来沪 / 境外): adults came at 16+, children after birth
    migrant = ptype != 0
    since_adult = np.minimum(np.maximum(age - 16, 0), 30)
    back = np.where(age >= 18, rng.random(n) * since_adult, rng.random(n) * age)
    arrived = asof - _years(back) - 1 * DAY
    arrived = np.maximum(arrived, birth + DAY)
    out["arrived_on"] = np.where(migrant, arrived, NaT)
    issue_year = np.maximum(arrived.astype("datetime64[Y]").astype(int) + 1970, 2013)
    permit = (ptype == 1) & (age >= 16) & ((asof - arrived).astype(np.int64) > 180) & (rng.random(n) < 0.72)
    permit_no = np.char.add(np.char.add("31", issue_year.astype("<U4")),
                            np.char.zfill((r_misc.permutation(max(10_000_000, n * 3))[:n] + 1).astype("<U10"), 10))
    out["residence_permit_no"] = np.where(permit, permit_no, None)

    # education
    by = birth.astype("datetime64[Y]").astype(int) + 1970
    edu = np.full(n, None, dtype=object)
    cohorts = np.array([1945, 1960, 1975, 1990, 9999])
    ci = np.searchsorted(cohorts, by, side="right").clip(0, 4)
    for table, mask in ((EDU_HUJI, ptype != 1), (EDU_LAIHU, ptype == 1)):
        probs = np.array([table[c] for c in cohorts], dtype=float)
        probs = probs / probs.sum(axis=1, keepdims=True)
        cum = np.cumsum(probs, axis=1)
        u = rng.random(n)
        pick = (u[:, None] > cum[ci]).sum(axis=1).clip(0, 8)
        sel = mask & (age >= 25)
        edu[sel] = EDU_LEVELS[pick[sel]]
    young = age < 25
    edu[young & (age >= 6)] = "小学"
    edu[young & (age >= 12)] = "初中"
    edu[young & (age >= 15)] = "高中"
    late = young & (age >= 18)
    edu[late] = np.where(rng.random(late.sum()) < 0.7, "高中", "大学专科")
    late = young & (age >= 22)
    edu[late] = EDU_LEVELS[rng.choice([3, 4, 5, 6], size=late.sum(), p=[0.12, 0.1, 0.3, 0.48])]

    # graduates (应届 = this year, plus last year's cohort)
    grad = np.full(n, -1, dtype=np.int64)
    w_g = living * ((age >= 21) & (age < 26)) * np.exp(-0.5 * ((age - 22.8) / 1.3) ** 2)
    g_this = _weighted_pick(w_g, round(n * 0.01), rng)
    grad[g_this] = as_of.year
    w_g2 = living * ((age >= 22) & (age < 27)) * np.exp(-0.5 * ((age - 23.8) / 1.3) ** 2) * (grad < 0)
    g_last = _weighted_pick(w_g2, round(n * 0.008), rng)
    grad[g_last] = as_of.year - 1
    is_grad = grad > 0
    grad_age = age - (as_of.year - grad) * is_grad
    degree = np.where(grad_age < 22.5, np.where(rng.random(n) < 0.3, "专科", "本科"),
                      np.where(grad_age < 24, np.where(rng.random(n) < 0.8, "本科", "硕士"),
                               np.where(rng.random(n) < 0.93, "硕士", "博士")))
    out["graduate_school"] = np.where(is_grad, np.array(UNIVERSITIES)[rng.integers(0, len(UNIVERSITIES), n)], None)
    out["graduate_major"] = np.where(is_grad, np.array(MAJORS)[rng.integers(0, len(MAJORS), n)], None)
    out["graduate_degree"] = np.where(is_grad, degree, None)
    out["graduation_year"] = np.where(is_grad, grad.astype(float), np.nan)
    edu_of_degree = {"专科": "大学专科", "本科": "大学本科", "硕士": "硕士研究生", "博士": "博士研究生"}
    for d, e in edu_of_degree.items():
        edu[is_grad & (degree == d)] = e
    out["education"] = edu

    # employment
    emp = np.full(n, None, dtype=object)
    retire_age = np.where(male, 60, np.where(rng.random(n) < 0.6, 50, 55))
    student_p = np.where(age < 18, 1.0, np.where(age < 22, np.where(migrant, 0.15, 0.7),
                                                 np.where(age < 25, np.where(migrant, 0.03, 0.2), 0.0)))
    u = rng.random(n)
    working_age = (age >= 16) & (age < retire_age)
    emp[(age >= 6)] = "在校"
    lab = working_age & (u >= student_p)
    u2 = rng.random(n)
    emp[lab] = np.where(u2[lab] < 0.86, "在职", np.where(u2[lab] < 0.896, "失业", "无业"))
    retired = age >= retire_age
    emp[retired] = np.where(rng.random(retired.sum()) < np.where(migrant[retired], 0.5, 0.96), "退休", "无业")
    g1 = grad == as_of.year
    ug = rng.random(n)
    emp[g1] = np.where(ug[g1] < 0.72, "在职", np.where(ug[g1] < 0.86, "失业", np.where(ug[g1] < 0.92, "无业", "在校")))
    out["employment_status"] = emp
    n_firms = max(30, n // 60)
    firm_names = np.array([
        f"上海{''.join(r_misc.choice(_FIRM_WORDS, 2))}{_FIRM_TRADES[i % len(_FIRM_TRADES)]}有限公司" for i in range(n_firms)
    ] + EMPLOYERS_BIG, dtype=object)
    zipf = 1.0 / np.arange(1, len(firm_names) + 1) ** 0.6
    zipf = np.roll(zipf, n_firms)  # big employers get the heaviest weights
    firm = r_misc.choice(len(firm_names), size=n, p=zipf / zipf.sum())
    out["employer"] = np.where(emp == "在职", firm_names[firm], None)
    out["unemployed_since"] = np.where(emp == "失业", asof - (15 + rng.random(n) * 700).astype(np.int64) * DAY, NaT)

    # party
    edu_hi = np.isin(edu, ["大学本科", "硕士研究生", "博士研究生"])
    w_p = adult * np.where(male, 1.3, 0.75) * np.where(age >= 60, 1.4, 1.0) * np.where(edu_hi, 1.7, 1.0) * \
        np.where(migrant, 0.5, 1.0) * (ptype != 2)
    p_p = w_p / w_p[adult].mean() * 0.08
    member = rng.random(n) < p_p
    prob = member & (rng.random(n) < 0.04) & (age >= 18.5)
    member = member & ((age >= 19.2) | prob)
    out["party_status"] = np.where(prob, "预备党员", np.where(member, "正式党员", "none"))
    join_lo = birth + _years(18) + 2 * DAY  # past the 18th birthday on the calendar too
    join_hi = np.minimum(birth + _years(np.minimum(age, 45)), asof - 400 * DAY)
    joined = _dates_between(join_lo, np.maximum(join_hi, join_lo), rng)
    joined = np.where(prob, _dates_between(np.maximum(asof - 360 * DAY, join_lo), asof - 1 * DAY, rng), joined)
    out["party_joined_on"] = np.where(member, joined, NaT)
    full_on = joined + 365 * DAY + (rng.random(n) * 20).astype(np.int64) * DAY
    out["party_full_on"] = np.where(member & ~prob, np.minimum(full_on, asof - 1 * DAY), NaT)
    house_com = houses["committee_code"].to_numpy()
    com_name = dict(zip(com["committee_code"].to_list(), com["committee_name"].to_list()))
    branch_of = {c: (nm.replace("村委会", "村党支部") if nm.endswith("村委会") else nm.replace("居委会", "居民区党支部"))
                 for c, nm in com_name.items()}
    p_house = np.where(residence_house >= 0, residence_house, hukou_house)
    p_com = house_com[p_house]
    branch = np.vectorize(branch_of.get, otypes=[object])(np.unique(p_com))
    bmap = dict(zip(np.unique(p_com).tolist(), branch.tolist()))
    out["party_branch"] = np.where(member, pl.Series(p_com).replace_strict(bmap).to_numpy(), None)

    # disability
    w_d = np.where(age < 18, 0.006, np.where(age < 40, 0.012, np.where(age < 60, 0.03, np.where(age < 80, 0.06, 0.13))))
    w_d = w_d * np.where(migrant, 0.3, 1.0)
    disabled = rng.random(n) < w_d / w_d.mean() * 0.03
    cat = rng.choice(7, size=n, p=DISABILITY_CAT_P) + 1
    grade = rng.choice(4, size=n, p=DISABILITY_GRADE_P) + 1
    out["disability_category"] = np.where(disabled, cat.astype(float), np.nan)
    out["disability_grade"] = np.where(disabled, grade.astype(float), np.nan)
    out["disability_cert_no"] = np.where(disabled, np.char.add(np.char.add(id_number, cat.astype("<U1")),
                                                               grade.astype("<U1")), None)

    # welfare at household level (户籍 only)
    hh = np.maximum(household, 0)
    n_hh = int(household.max()) + 1
    hh_size = np.bincount(hh[household >= 0], minlength=n_hh)
    hh_dis = np.bincount(hh[household >= 0], weights=disabled[household >= 0], minlength=n_hh)
    hh_unemp = np.bincount(hh[household >= 0], weights=(emp == "失业")[household >= 0], minlength=n_hh)
    hh_old = np.bincount(hh[household >= 0], weights=(age >= 70)[household >= 0], minlength=n_hh)
    hh_w = 0.2 + 3 * (hh_dis > 0) + 2 * (hh_unemp > 0) + 0.5 * (hh_old > 0)
    n_hj = int(hj.sum())
    dibao_hh = _pick_households(hh_w, hh_size, round(n_hj * 0.007), r_welf)
    hh_w2 = hh_w.copy()
    hh_w2[dibao_hh] = 0
    low_hh = _pick_households(hh_w2, hh_size, round(n_hj * 0.01), r_welf)
    district = houses["district_code"].to_numpy().astype("<U6")
    hh_district = np.full(n_hh, "310000", dtype="<U6")
    hh_district[hh[household >= 0]] = district[hukou_house[household >= 0]]
    hh_dibao = np.zeros(n_hh, dtype=bool)
    hh_dibao[dibao_hh] = True
    hh_low = np.zeros(n_hh, dtype=bool)
    hh_low[low_hh] = True
    seq = r_welf.permutation(max(1_000_000, n_hh * 2))[:n_hh] + 1
    since = asof - (30 + r_welf.random(n_hh) * 3000).astype(np.int64) * DAY
    since_y = (since.astype("datetime64[Y]").astype(int) + 1970).astype("<U4")
    base_no = np.char.add(np.char.add(hh_district, since_y), np.char.zfill(seq.astype("<U6"), 6))
    in_dibao = (household >= 0) & hh_dibao[hh]
    in_low = (household >= 0) & hh_low[hh]
    out["dibao_case_no"] = np.where(in_dibao, np.char.add("DB", base_no[hh]), None)
    p_since = np.maximum(since[hh], birth + DAY)  # children born later join the case at birth
    out["dibao_since"] = np.where(in_dibao, p_since, NaT)
    out["low_income_case_no"] = np.where(in_low, np.char.add("DSR", base_no[hh]), None)
    out["low_income_since"] = np.where(in_low, p_since, NaT)

    # 独居: 60+ alone in the residence house (living residents only)
    res_live = living & (residence_house >= 0)
    occupants = np.bincount(residence_house[res_live], minlength=houses.height)
    alone = res_live & (occupants[np.maximum(residence_house, 0)] == 1)
    old_alone = alone & (age >= 60)
    severe = disabled & (grade <= 2)
    w_t = hj * living * ((old_alone * 3.0) + (severe & (role != SPOUSE)) * 1.0) * (~in_dibao)
    tekun = np.zeros(n, dtype=bool)
    tekun[_weighted_pick(w_t, max(1, round(n * 0.001)), r_welf)] = True
    tk_seq = np.char.zfill((r_welf.permutation(max(1_000_000, n))[:n] + 1).astype("<U6"), 6)
    tk_since = asof - (30 + r_welf.random(n) * 2500).astype(np.int64) * DAY
    out["tekun_case_no"] = np.where(tekun, np.char.add(np.char.add("TK", id_number.astype("<U6")), tk_seq), None)
    out["tekun_since"] = np.where(tekun, np.maximum(tk_since, birth + DAY), NaT)
    out["tekun_support_type"] = np.where(tekun, np.where(r_welf.random(n) < 0.85, "分散供养", "集中供养"), None)

    # veterans (~1.5% of adult men)
    vet = (age >= 20) & (ptype != 2) & (rng.random(n) < np.where(male, 0.016, 0.0008))
    enlist = birth + _years(17.5 + rng.random(n) * 4.5)
    served = np.where(rng.random(n) < 0.7, 2 + rng.random(n) * 3, 5 + rng.random(n) * 12)
    discharge = np.minimum(enlist + _years(served), asof - 30 * DAY)
    vet = vet & (discharge > enlist)
    v_seq = np.char.zfill((r_misc.permutation(max(1_000_000, n))[:n] + 1).astype("<U7"), 7)
    out["veteran_no"] = np.where(vet, np.char.add(np.char.add("TY", id_number.astype("<U6")), v_seq), None)
    out["enlisted_on"] = np.where(vet, enlist, NaT)
    out["discharged_on"] = np.where(vet, discharge, NaT)
    ey = enlist.astype("datetime64[Y]").astype(int) + 1970
    pc = np.where((ey >= 1977) & (ey <= 1988) & (rng.random(n) < 0.35), "参战退役人员",
                  np.where(rng.random(n) < 0.05, "伤残军人", np.where(rng.random(n) < 0.04, "带病回乡退伍军人", None)))
    out["preferential_category"] = np.where(vet, pc, None)

    # family doctor
    p_fd = np.where(age >= 60, 0.8, np.where(age < 6, 0.3, 0.26)) * np.where(migrant, 0.5, 1.0)
    signed = living & (rng.random(n) < p_fd)
    street_code = houses["street_code"].to_numpy()[np.maximum(residence_house, 0)]
    street_names = areas_mod._street_name_map()
    dnames = areas_mod.DISTRICT_NAMES
    ustreets = np.unique(street_code)
    org_of = {}
    for s in ustreets:
        stem = street_names[s]
        for suf in ("街道", "镇", "乡"):
            if stem.endswith(suf) and len(stem) > len(suf) + 1:
                stem = stem[: -len(suf)]
                break
        org_of[s] = f"上海市{dnames[s[:6]]}{stem}社区卫生服务中心"
    out["family_doctor_org"] = np.where(signed, pl.Series(street_code).replace_strict(org_of).to_numpy(), None)
    n_doc = 12
    doc_male = r_misc.random(len(ustreets) * n_doc) < 0.4
    doc_names = names.sample_names(doc_male, r_misc.integers(1965, 1998, len(ustreets) * n_doc),
                                   np.full(len(ustreets) * n_doc, "汉族", dtype=object), r_misc)
    s_idx = np.searchsorted(ustreets, street_code)
    d_pick = s_idx * n_doc + rng.integers(0, n_doc, n)
    out["family_doctor_name"] = np.where(signed, doc_names[d_pick], None)
    signed_on = np.maximum(asof - (20 + rng.random(n) * 2900).astype(np.int64) * DAY, birth + 30 * DAY)
    out["family_doctor_signed_on"] = np.where(signed, np.minimum(signed_on, asof), NaT)
    chronic = np.full(n, "", dtype=object)
    for dis, p_old, p_mid in CHRONIC:
        pr = np.where(age >= 60, p_old, np.where(age >= 40, p_mid, 0.0))
        has = signed & (rng.random(n) < pr)
        chronic[has] = np.where(chronic[has] == "", dis, chronic[has] + "、" + dis)
    out["chronic_diseases"] = np.where(chronic == "", None, chronic)

    # status dates: after every other event of the person
    events = [out["party_joined_on"], out["party_full_on"], out["unemployed_since"], out["dibao_since"],
              out["low_income_since"], out["tekun_since"], out["enlisted_on"], out["discharged_on"],
              out["family_doctor_signed_on"], out["arrived_on"]]
    last = np.full(n, asof - 3 * 365 * DAY)
    for ev in events:
        e = np.asarray(ev, dtype="datetime64[D]")
        last = np.where(~np.isnat(e) & (e > last), e, last)
    gdate = (np.maximum(grad, 1971) - 1970).astype("datetime64[Y]").astype("datetime64[D]") + 181 * DAY
    gdate = np.where(is_grad, gdate, NaT)
    last = np.where(~np.isnat(gdate) & (gdate > last), gdate, last)
    last = np.maximum(last, birth)
    sd = _dates_between(last + 1 * DAY, np.full(n, asof), r_misc)
    out["status_date"] = np.where(status != 0, np.minimum(sd, asof), NaT)

    # 老年综合津贴 (户籍 65+, age at as_of or at death)
    ref = np.where(status != 0, out["status_date"], asof).astype("datetime64[D]")
    age_ref = (ref - birth).astype(np.int64) / 365.2425
    tier = np.full(n, None, dtype=object)
    amount = np.full(n, np.nan)
    takes = hj & (age_ref >= 65) & (rng.random(n) < 0.98)
    done = np.zeros(n, dtype=bool)
    for lo, label, amt in ALLOWANCE:
        sel = takes & (age_ref >= lo) & ~done
        tier[sel] = label
        amount[sel] = amt
        done |= sel
    out["elderly_allowance_tier"] = tier
    out["elderly_allowance_amount"] = amount

    # key care (重点关爱)
    kc = np.full(n, None, dtype=object)
    kc[living & (age >= 18) & (age < 60) & (rng.random(n) < 0.0004)] = "刑满释放"
    kc[living & (age >= 18) & (age < 60) & (rng.random(n) < 0.0003)] = "社区矫正"
    kc[living & disabled & (cat == 6) & (grade <= 2)] = "严重精神障碍"
    kc[living & (age < 18) & in_dibao] = "困境儿童"
    kc[living & tekun] = "特困供养"
    kc[living & old_alone & (disabled | tekun | (age >= 80))] = "独居老人"
    out["key_care_category"] = kc
    out["lives_alone"] = alone
    return out


def _pick_households(weights: np.ndarray, sizes: np.ndarray, target_persons: int, rng: np.random.Generator) -> np.ndarray:
    order = _weighted_pick(weights, int((weights > 0).sum()), rng, ordered=True)
    if not len(order):
        return order
    cum = np.cumsum(sizes[order])
    k = int(np.searchsorted(cum, target_persons)) + 1
    return order[:k]
