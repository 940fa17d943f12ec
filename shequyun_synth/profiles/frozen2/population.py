"""The frozen2 city's population: the default model's city plus the hard cases its systems need (profile.yaml
`population`), all of them truth persons:

- travel permits for the 港澳台 residents (`travel_permit_no`) and their Latin names (pinyin of the Chinese name);
- corrected ID numbers: `former_id_number`, the valid-looking old number of a person whose 顺序码 was re-issued (重号);
- twins: a new person born the same day as a child of a household, living at the same door (`twin_of` both ways);
- foreign residents: passport holders without a Chinese ID number (`passport_no`, `nationality`, `latin_surname`,
  `latin_given_name`, `name_zh`; `id_number` null), renting a formerly empty house (occupancy 空置 -> 出租).

    city = augment(build_city(n, seed, AS_OF), seed, profile.population)

New persons get the ids after the last one (P…), new residence groups likewise (G…). Deterministic per seed: its own
random streams, the default city does not change.
"""

from __future__ import annotations

import datetime as dt
import zlib
from types import SimpleNamespace
from typing import Any

import numpy as np
import polars as pl

from shequyun_synth import ids, names

STREAM = zlib.crc32(b"frozen2")
COMPOUND_SURNAMES = tuple(s for s, _ in names.SURNAMES if len(s) == 2)
EXTRA_COLUMNS = {"twin_of": pl.String, "former_id_number": pl.String, "travel_permit_no": pl.String,
                 "passport_no": pl.String, "nationality": pl.String, "latin_surname": pl.String,
                 "latin_given_name": pl.String, "name_zh": pl.String}
HMT = {"810000": "HKG", "820000": "MAC", "830000": "TWN"}

# (Latin, 译名) pools by nationality: male given names, female given names, surnames; JPN / KOR 译名 are the kanji / hanja
_EN_M = [("James", "詹姆斯"), ("John", "约翰"), ("Michael", "迈克尔"), ("David", "大卫"), ("Robert", "罗伯特"),
         ("William", "威廉"), ("Thomas", "托马斯"), ("Daniel", "丹尼尔"), ("Matthew", "马修"), ("Andrew", "安德鲁")]
_EN_F = [("Mary", "玛丽"), ("Sarah", "萨拉"), ("Emily", "艾米丽"), ("Jennifer", "詹妮弗"), ("Laura", "劳拉"),
         ("Emma", "艾玛"), ("Olivia", "奥利维亚"), ("Anna", "安娜"), ("Rachel", "雷切尔"), ("Jessica", "杰西卡")]
_EN_S = [("Smith", "史密斯"), ("Johnson", "约翰逊"), ("Brown", "布朗"), ("Taylor", "泰勒"), ("Wilson", "威尔逊"),
         ("Miller", "米勒"), ("Anderson", "安德森"), ("Clark", "克拉克"), ("Walker", "沃克"), ("Wright", "赖特"),
         ("Thompson", "汤普森"), ("White", "怀特")]
NATIONALITIES: dict[str, dict[str, Any]] = {
    "USA": {"w": 0.22, "m": _EN_M, "f": _EN_F, "s": _EN_S, "dot": True},
    "GBR": {"w": 0.08, "m": _EN_M, "f": _EN_F, "s": _EN_S, "dot": True},
    "CAN": {"w": 0.05, "m": _EN_M, "f": _EN_F, "s": _EN_S, "dot": True},
    "AUS": {"w": 0.05, "m": _EN_M, "f": _EN_F, "s": _EN_S, "dot": True},
    "DEU": {"w": 0.10, "dot": True,
            "m": [("Lukas", "卢卡斯"), ("Felix", "费利克斯"), ("Jonas", "约纳斯"), ("Stefan", "斯特凡"), ("Markus", "马库斯")],
            "f": [("Anna", "安娜"), ("Lena", "莱娜"), ("Katrin", "卡特琳"), ("Sabine", "扎比内"), ("Julia", "尤利娅")],
            "s": [("Müller", "穆勒"), ("Schmidt", "施密特"), ("Schneider", "施奈德"), ("Fischer", "菲舍尔"),
                  ("Weber", "韦伯"), ("Wagner", "瓦格纳"), ("Becker", "贝克尔")]},
    "FRA": {"w": 0.08, "dot": True,
            "m": [("Pierre", "皮埃尔"), ("Louis", "路易"), ("Nicolas", "尼古拉"), ("Julien", "朱利安"), ("Antoine", "安托万")],
            "f": [("Marie", "玛丽"), ("Camille", "卡米耶"), ("Claire", "克莱尔"), ("Sophie", "索菲"), ("Chloé", "克洛伊")],
            "s": [("Martin", "马丁"), ("Bernard", "贝尔纳"), ("Dubois", "杜布瓦"), ("Durand", "迪朗"), ("Lefèvre", "勒菲弗"),
                  ("Moreau", "莫罗")]},
    "ITA": {"w": 0.04, "dot": True,
            "m": [("Marco", "马可"), ("Luca", "卢卡"), ("Giuseppe", "朱塞佩"), ("Alessandro", "亚历山德罗")],
            "f": [("Giulia", "朱莉娅"), ("Francesca", "弗朗切斯卡"), ("Chiara", "基亚拉"), ("Sara", "萨拉")],
            "s": [("Rossi", "罗西"), ("Russo", "鲁索"), ("Ferrari", "法拉利"), ("Esposito", "埃斯波西托"), ("Bianchi", "比安基")]},
    "JPN": {"w": 0.22, "dot": False,
            "m": [("Hiroshi", "浩"), ("Takeshi", "武"), ("Kenji", "健二"), ("Daisuke", "大辅"), ("Yuta", "雄太"), ("Shota", "翔太")],
            "f": [("Yuki", "由纪"), ("Akiko", "明子"), ("Yumi", "由美"), ("Naoko", "直子"), ("Haruka", "遥"), ("Emi", "惠美")],
            "s": [("Tanaka", "田中"), ("Sato", "佐藤"), ("Suzuki", "铃木"), ("Takahashi", "高桥"), ("Watanabe", "渡边"),
                  ("Ito", "伊藤"), ("Yamamoto", "山本"), ("Nakamura", "中村")]},
    "KOR": {"w": 0.16, "dot": False,
            "m": [("Minjun", "敏俊"), ("Seojun", "瑞俊"), ("Jihoon", "志勋"), ("Hyunwoo", "贤宇"), ("Dongheon", "东宪")],
            "f": [("Seoyeon", "瑞妍"), ("Jiwoo", "智友"), ("Minseo", "敏瑞"), ("Soyeon", "素妍"), ("Eunji", "恩智")],
            "s": [("Kim", "金"), ("Lee", "李"), ("Park", "朴"), ("Choi", "崔"), ("Jung", "郑"), ("Kang", "姜")]},
}
FOREIGN_EMPLOYERS = ["西门子（中国）有限公司", "通用汽车（中国）投资有限公司", "巴斯夫（中国）有限公司", "欧莱雅（中国）有限公司",
                     "三星（中国）投资有限公司", "松下电器（中国）有限公司", "花旗银行（中国）有限公司", "上海迪士尼度假区",
                     "上海美国学校", "上海德国学校", "汇丰银行（中国）有限公司", "乐天（中国）投资有限公司"]


def _passport_no(nationality: str, rng: np.random.Generator) -> str:
    """A passport number in the shape of the country's numbering."""
    digits = "".join(str(d) for d in rng.integers(0, 10, 9))
    letters = "".join(chr(65 + int(c)) for c in rng.integers(0, 26, 2))
    return {
        "USA": digits, "GBR": digits, "CAN": letters + digits[:6], "AUS": letters[0] + digits[:7],
        "DEU": "C" + letters + digits[:6], "FRA": digits[:2] + letters + digits[2:7], "ITA": letters + digits[:7],
        "JPN": letters + digits[:7], "KOR": "M" + digits[:8],
    }[nationality]


def _permit_no(region: str, rng: np.random.Generator) -> str:
    digits = "".join(str(d) for d in rng.integers(0, 10, 8))
    if region == "830000":
        return digits                                     # 台湾居民来往大陆通行证: 8 digits
    renewals = f"{int(rng.integers(0, 3)):02d}"
    return ("H" if region == "810000" else "M") + digits + renewals


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Han name, compound surnames (欧阳, 司马 ...) kept whole."""
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def latin_of(name: str) -> tuple[str, str]:
    """Upper-case pinyin (no tones) of a Han name's surname and given name: ('ZHANG', 'JIANGUO')."""
    from pypinyin import lazy_pinyin

    surname, given = split_name(name)
    return "".join(lazy_pinyin(surname)).upper(), "".join(lazy_pinyin(given)).upper()


def _id18(body17: str) -> str:
    return body17 + ids.check_digit(body17)


def _free_seq(body14: str, seq: int, male: bool, taken: set[str], rng: np.random.Generator, near: bool) -> str | None:
    """An ID with another 顺序码 of the sex's parity not in `taken`: the nearest (twins), or a random one."""
    offsets = [d for k in range(1, 40) for d in (k, -k)] if near else list(rng.permutation(np.arange(-400, 401)))
    for d in offsets:
        s = seq + int(d)
        if not 1 <= s <= 999 or s == seq or (s % 2 == 1) != male:
            continue
        candidate = _id18(f"{body14}{s:03d}")
        if candidate[:17] not in taken:
            return candidate
    return None


def _add_travel_permits(p: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    region = p["id_region_code"].to_list()
    name = p["name"].to_list()
    permit, nationality, sur, given = [], [], [], []
    for r, nm in zip(region, name):
        if r in HMT:
            s, g = latin_of(nm)
            permit.append(_permit_no(r, rng))
            nationality.append(HMT[r])
            sur.append(s)
            given.append(g)
        else:
            permit.append(None)
            nationality.append(None)
            sur.append(None)
            given.append(None)
    return p.with_columns(pl.Series("travel_permit_no", permit, pl.String), pl.Series("nationality", nationality, pl.String),
                          pl.Series("latin_surname", sur, pl.String), pl.Series("latin_given_name", given, pl.String))


def _add_former_ids(p: pl.DataFrame, as_of: dt.date, rate: float, rng: np.random.Generator) -> pl.DataFrame:
    adult = p["birth_date"] <= dt.date(as_of.year - 18, as_of.month, as_of.day)
    eligible = ((p["status"] == "living") & adult & p["id_number"].str.contains(r"^\d{17}[0-9X]$")
                & p["population_type"].is_in(["户籍", "来沪"])).fill_null(False).to_numpy()
    idx = np.flatnonzero(eligible)
    pick = idx[rng.random(len(idx)) < rate]
    if len(pick) < 3 and len(idx) >= 3:
        pick = np.sort(rng.choice(idx, 3, replace=False))
    taken = {v[:17] for v in p["id_number"].drop_nulls().to_list()}
    former: list[str | None] = [None] * p.height
    id_numbers, sexes = p["id_number"].to_list(), p["sex"].to_list()
    for i in pick:
        v = id_numbers[i]
        new = _free_seq(v[:14], int(v[14:17]), sexes[i] == "男", taken, rng, near=False)
        if new is not None:
            taken.add(new[:17])
            former[i] = new
    return p.with_columns(pl.Series("former_id_number", former, pl.String))


def _twin_name(name: str, male: bool, birth_year: int, rng: np.random.Generator) -> str:
    surname, given = split_name(name)
    for _ in range(50):
        other = names.sample_given_names(np.array([male]), np.array([birth_year]), rng)[0]
        if len(given) == 2 and rng.random() < 0.6:   # 佳怡 / 佳悦: the first character shared
            other = given[0] + other[-1]
        if other != given:
            return surname + other
    return surname + given + "二"


def _add_twins(p: pl.DataFrame, as_of: dt.date, cfg: dict[str, Any], rng: np.random.Generator) -> pl.DataFrame:
    young = p["birth_date"] > dt.date(as_of.year - 50, as_of.month, as_of.day)
    eligible = ((p["status"] == "living") & p["relation_to_head"].is_in(["子女", "孙子女"]) & p["household_id"].is_not_null()
                & p["residence_house_id"].is_not_null() & young & p["id_number"].str.contains(r"^\d{17}[0-9X]$")
                ).fill_null(False).to_numpy()
    idx = np.flatnonzero(eligible)
    pick = idx[rng.random(len(idx)) < float(cfg["rate"])]
    if len(pick) < 2 and len(idx) >= 2:
        pick = np.sort(rng.choice(idx, 2, replace=False))
    if not len(pick):
        return p
    taken = {v[:17] for v in p["id_number"].drop_nulls().to_list()}
    employers = p["employer"].drop_nulls().unique().sort().to_list()
    n0 = p.height
    rows = p[pick.tolist()].to_dicts()
    twin_of = p["twin_of"].to_list()
    new_rows = []
    for k, (i, row) in enumerate(zip(pick, rows)):
        same = rng.random() < float(cfg["same_sex"])
        male = (row["sex"] == "男") == same
        new_id = _free_seq(row["id_number"][:14], int(row["id_number"][14:17]), male, taken, rng, near=True)
        if new_id is None:
            continue
        taken.add(new_id[:17])
        pid = f"P{n0 + k + 1:08d}"
        twin = {key: None for key in row}
        # the family's and the house's facts are shared; the person's own ones (disability, party, ...) are not
        for key in ("birth_date", "ethnicity", "id_region_code", "population_type", "household_id", "relation_to_head",
                    "hukou_house_id", "residence_house_id", "separated", "residence_group_id", "status", "status_date",
                    "arrived_on", "education", "employment_status", "unemployed_since", "dibao_case_no", "dibao_since",
                    "elderly_allowance_tier", "elderly_allowance_amount", "residence_since"):
            twin[key] = row[key]
        twin.update(person_id=pid, sex="男" if male else "女", id_number=new_id, twin_of=row["person_id"],
                    name=_twin_name(row["name"], male, row["birth_date"].year, rng), party_status="none",
                    lives_alone=False,
                    phone=None if row["phone"] is None else f"13{int(rng.integers(0, 10**9)):09d}",
                    employer=None if row["employer"] is None or not employers
                    else employers[int(rng.integers(0, len(employers)))])
        twin_of[i] = pid
        new_rows.append(twin)
    p = p.with_columns(pl.Series("twin_of", twin_of, pl.String))
    return pl.concat([p, pl.DataFrame(new_rows, schema=p.schema, orient="row")], how="vertical")


def _add_foreigners(p: pl.DataFrame, houses: pl.DataFrame, persons: int, as_of: dt.date, cfg: dict[str, Any],
                    rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    target = max(6, round(persons * float(cfg["rate"])))
    vacant = houses.filter((pl.col("occupancy") == "空置") & pl.col("owner_person_id").is_not_null()).sort(
        pl.col("house_type") != "商品房", "house_id")
    if vacant.height == 0:
        vacant = houses.filter(pl.col("owner_person_id").is_not_null()).sort("house_id")
    nat_codes = list(NATIONALITIES)
    weights = np.array([NATIONALITIES[c]["w"] for c in nat_codes])
    n0 = p.height
    g0 = max(int(g[1:]) for g in p["residence_group_id"].to_list()) if p.height else 0
    hi_day = as_of - dt.timedelta(days=30)
    rows: list[dict[str, Any]] = []
    chosen_houses: list[str] = []
    group = 0
    while len(rows) < target:
        nat = nat_codes[int(rng.choice(len(nat_codes), p=weights / weights.sum()))]
        pools = NATIONALITIES[nat]
        kind = rng.choice(3, p=[0.55, 0.25, 0.20])                     # single, couple, family with a child
        house = vacant["house_id"][group % vacant.height]
        chosen_houses.append(house)
        arrived = as_of - dt.timedelta(days=int(rng.integers(365, 8 * 365)))
        moved_in = min(arrived + dt.timedelta(days=int(rng.integers(1, 60))), hi_day)
        head_age = int(rng.integers(25, 61))
        members: list[tuple[bool, int, str]] = []                     # (male, age, role)
        head_male = bool(rng.random() < 0.6)
        members.append((head_male, head_age, "adult"))
        if kind >= 1:
            members.append((not head_male, int(np.clip(head_age + rng.integers(-5, 6), 23, 64)), "adult"))
        if kind == 2:
            members.append((bool(rng.random() < 0.5), int(rng.integers(1, min(13, head_age - 22))), "child"))
        surname = pools["s"][int(rng.integers(0, len(pools["s"])))]
        zh = rng.random() < float(cfg["chinese_name"])
        for m, (male, age, role) in enumerate(members):
            given = (pools["m"] if male else pools["f"])[int(rng.integers(0, len(pools["m" if male else "f"])))]
            birth = as_of - dt.timedelta(days=int(age * 365.2425 + rng.integers(0, 365)))
            sur = surname if (m == 0 or role == "child" or nat not in ("KOR",)) else \
                pools["s"][int(rng.integers(0, len(pools["s"])))]    # Korean wives keep their surname
            name_zh = None
            if zh:
                name_zh = f"{given[1]}·{sur[1]}" if pools["dot"] else f"{sur[1]}{given[1]}"
            employed = role == "adult" and (m == 0 or rng.random() < 0.7)
            rows.append({
                "person_id": f"P{n0 + len(rows) + 1:08d}", "name": f"{given[0]} {sur[0]}",
                "sex": "男" if male else "女", "birth_date": birth, "population_type": "境外",
                "residence_house_id": house, "separated": False, "residence_group_id": f"G{g0 + group + 1:07d}",
                "status": "living", "arrived_on": arrived if role == "adult" or birth < arrived else birth,
                "education": (None if age < 6 else "小学") if role == "child"
                else ["大学本科", "硕士研究生", "博士研究生"][int(rng.choice(3, p=[0.5, 0.4, 0.1]))],
                "employment_status": ("在校" if age >= 6 else None) if role == "child" else ("在职" if employed else "无业"),
                "employer": FOREIGN_EMPLOYERS[int(rng.integers(0, len(FOREIGN_EMPLOYERS)))] if employed else None,
                "phone": None if role == "child" else f"1{int(rng.choice([35, 37, 38, 39, 86, 58])):02d}"
                                                       f"{int(rng.integers(0, 10**8)):08d}",
                "party_status": "none", "lives_alone": kind == 0 and age >= 60,
                "residence_since": max(moved_in, birth + dt.timedelta(days=1)) if birth < moved_in else None,
                "passport_no": _passport_no(nat, rng), "nationality": nat,
                "latin_surname": sur[0].upper(), "latin_given_name": given[0].upper(), "name_zh": name_zh,
            })
        group += 1
    new = pl.DataFrame([{**{c: None for c in p.columns}, **r} for r in rows], schema=p.schema, orient="row")
    houses = houses.with_columns(pl.when(pl.col("house_id").is_in(chosen_houses)).then(pl.lit("出租"))
                                 .otherwise(pl.col("occupancy")).alias("occupancy"))
    return pl.concat([p, new], how="vertical"), houses


def augment(city: Any, seed: int, population: dict[str, Any], persons: int | None = None) -> SimpleNamespace:
    """The city with the profile's additions (a new object; `city` is not changed)."""
    as_of = getattr(city, "as_of", None) or dt.date(2026, 11, 1)
    streams = [np.random.default_rng([seed, STREAM, k]) for k in range(4)]
    p = city.persons.with_columns([pl.lit(None, dtype).alias(c) for c, dtype in EXTRA_COLUMNS.items()])
    if population.get("travel_permits", True):
        p = _add_travel_permits(p, streams[0])
    p = _add_former_ids(p, as_of, float(population["id_corrected"]["rate"]), streams[1])
    p = _add_twins(p, as_of, population["twins"], streams[2])
    p, houses = _add_foreigners(p, city.houses, persons or city.persons.height, as_of, population["foreigners"],
                                streams[3])
    return SimpleNamespace(areas=city.areas, houses=houses, households=city.households, persons=p, as_of=as_of)
