"""A tiny stand-in City with the columns of SCHEMA.md, for tests of the extracts.

Used only when `shequyun_synth.population.build_city` is not importable; the real
population model is the reference. Vectorised numpy, deterministic per seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

_W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_SURNAMES = list("张王李刘陈杨黄赵吴周徐孙朱胡") + ["欧阳"]
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文")
_ROADS = ["四平路", "天山西路", "漕宝路", "虹漕路", "共和新路", "八一路", "淮海中路", "浦东大道"]


@dataclass
class FakeCity:
    areas: pl.DataFrame
    houses: pl.DataFrame
    households: pl.DataFrame
    persons: pl.DataFrame
    as_of: date = date(2026, 11, 1)


def _check_digits(body: np.ndarray) -> np.ndarray:
    digits = body.view("U1").reshape(len(body), 17).astype(np.int64)
    return np.array(list("10X98765432"))[(digits * _W).sum(axis=1) % 11]


def fake_city(persons: int = 600, seed: int = 7) -> FakeCity:
    rng = np.random.default_rng(seed)
    as_of = date(2026, 11, 1)
    streets = [("310106015", "天目西路街道", "310106", "静安区"), ("310115005", "陆家嘴街道", "310115", "浦东新区"),
               ("310151101", "城桥镇", "310151", "崇明区"), ("310110009", "四平路街道", "310110", "杨浦区")]
    n_houses = max(persons // 2, 10)
    st = rng.integers(0, len(streets), n_houses)
    committee = np.array([s[0] for s in streets])[st] + np.char.zfill(rng.integers(1, 3, n_houses).astype(str), 3)
    lane = rng.integers(1, 1600, n_houses)
    building = np.where(rng.random(n_houses) < 0.3, rng.integers(1, 60, n_houses), -1)
    houses = pl.DataFrame({
        "house_id": [f"H{i + 1:07d}" for i in range(n_houses)],
        "district_code": np.array([s[2] for s in streets])[st],
        "district_name": np.array([s[3] for s in streets])[st],
        "street_code": np.array([s[0] for s in streets])[st],
        "committee_code": committee,
        "compound_code": np.char.add("C", np.char.add(committee, "01")),
        "compound_name": np.array(["公交新村", "长桥新村", "三林苑", "八一小区"])[st],
        "road": np.array(_ROADS)[rng.integers(0, len(_ROADS), n_houses)],
        "lane": lane, "sub_lane": np.where(rng.random(n_houses) < 0.05, 2, -1),
        "number": rng.integers(1, 80, n_houses), "building": building,
        "room": rng.integers(1, 7, n_houses) * 100 + rng.integers(1, 4, n_houses),
        "house_type": np.array(["商品房", "售后公房", "公房租赁", "动迁安置房"])[rng.integers(0, 4, n_houses)],
        "floor_area": np.round(rng.uniform(30, 140, n_houses), 2),
    }).with_columns(
        pl.when(pl.col("sub_lane") < 0).then(None).otherwise(pl.col("sub_lane")).alias("sub_lane"),
        pl.when(pl.col("building") < 0).then(None).otherwise(pl.col("building")).alias("building"),
    )
    houses = houses.with_columns(
        pl.concat_str([pl.lit("上海市"), pl.col("district_name"), pl.col("road"), pl.col("lane").cast(str), pl.lit("弄"),
                       pl.when(pl.col("sub_lane").is_not_null()).then(pl.col("sub_lane").cast(str) + "支弄").otherwise(pl.lit("")),
                       pl.col("number").cast(str), pl.lit("号"),
                       pl.when(pl.col("building").is_not_null()).then(pl.col("building").cast(str) + "号楼").otherwise(pl.lit("")),
                       pl.col("room").cast(str), pl.lit("室")]).alias("address"),
    ).drop("district_name")
    # households: 2 persons each on average
    hh_of = np.sort(rng.integers(0, max(persons // 2, 1), persons))
    _, hh_idx = np.unique(hh_of, return_inverse=True)
    n_hh = hh_idx.max() + 1
    hh_house = rng.integers(0, n_houses, n_hh)
    first = np.r_[True, hh_idx[1:] != hh_idx[:-1]]
    birth = np.array([date(1930, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 34000, persons)])
    ptype = np.where(rng.random(persons) < 0.75, "户籍", np.where(rng.random(persons) < 0.9, "来沪", "境外"))
    sex = np.where(rng.random(persons) < 0.5, "男", "女")
    region = np.where(ptype == "户籍", np.array(["310106", "310108", "310115", "310230"])[rng.integers(0, 4, persons)], "320102")
    seq = rng.integers(0, 500, persons) * 2 + (sex == "男")
    body = np.char.add(np.char.add(region, np.array([b.strftime("%Y%m%d") for b in birth])), np.char.zfill(seq.astype(str), 3))
    ids = np.char.add(body, _check_digits(body))
    names = np.char.add(np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), persons)],
                        np.char.add(np.array(_GIVEN)[rng.integers(0, len(_GIVEN), persons)],
                                    np.where(rng.random(persons) < 0.7, np.array(_GIVEN)[rng.integers(0, len(_GIVEN), persons)], "")))
    names[rng.random(persons) < 0.02] = "买买提·艾力"
    status = np.where(rng.random(persons) < 0.04, "deceased", np.where(rng.random(persons) < 0.04, "moved_away", "living"))
    hukou = ptype == "户籍"
    house_of_hh = np.array([f"H{i + 1:07d}" for i in hh_house])[hh_idx]
    resid_house = np.where(rng.random(persons) < 0.1, np.array([f"H{i + 1:07d}" for i in rng.integers(0, n_houses, persons)]), house_of_hh)
    age = np.array([(as_of - b).days // 365 for b in birth])
    def pick(p: float) -> np.ndarray:
        return rng.random(persons) < p
    alive = status == "living"
    dis = pick(0.06) & alive
    dis_cat = rng.integers(1, 8, persons)
    dis_grade = rng.integers(1, 5, persons)
    hh_dibao = rng.random(n_hh) < 0.05
    dibao = hh_dibao[hh_idx] & hukou & alive
    party = pick(0.1) & (age >= 18)
    vet = pick(0.03) & (age >= 22) & (sex == "男")
    grad = pick(0.05) & (age >= 21) & (age <= 25)
    doc = pick(0.3) & alive
    emp = np.where(age < 18, "在校", np.where(age >= 60, "退休", np.where(rng.random(persons) < 0.08, "失业", "在职")))
    def dcol(mask: np.ndarray, lo: int, hi: int) -> list[date | None]:
        days = rng.integers(lo, hi, persons)
        return [as_of - timedelta(days=int(d)) if m else None for m, d in zip(mask, days)]
    def scol(mask: np.ndarray, fmt: str) -> list[str | None]:
        return [fmt.format(i) if m else None for i, m in enumerate(mask)]
    persons_df = pl.DataFrame({
        "person_id": [f"P{i + 1:08d}" for i in range(persons)],
        "name": names, "sex": sex, "birth_date": pl.Series(list(birth), dtype=pl.Date), "ethnicity": np.where(names == "买买提·艾力", "维吾尔族", "汉族"),
        "id_number": ids, "id_region_code": region,
        "phone": np.char.add("139", np.char.zfill(rng.integers(0, 10**8, persons).astype(str), 8)),
        "population_type": ptype,
        "household_id": [f"F{h + 1:07d}" if k else None for h, k in zip(hh_idx, hukou)],
        "relation_to_head": np.where(first, "户主", np.where(rng.random(persons) < 0.5, "配偶", "子女")),
        "hukou_house_id": np.where(hukou, house_of_hh, None),
        "residence_house_id": np.where(alive, resid_house, None),
        "separated": hukou & (resid_house != house_of_hh),
        "arrived_on": dcol(~hukou, 30, 5000), "residence_permit_no": scol(ptype == "来沪", "3101{:014d}"),
        "status": status, "status_date": dcol(~alive, 10, 2000),
        "education": np.array(["小学", "初中", "高中", "大学本科", "研究生"])[rng.integers(0, 5, persons)],
        "employment_status": emp, "employer": np.where(emp == "在职", "上海某某有限公司", None),
        "unemployed_since": dcol(emp == "失业", 30, 700),
        "party_status": np.where(party, np.where(rng.random(persons) < 0.9, "正式党员", "预备党员"), "none"),
        "party_joined_on": dcol(party, 400, 9000), "party_full_on": dcol(party, 30, 300),
        "party_branch": np.where(party, "第一党支部", None),
        "disability_category": pl.Series(np.where(dis, dis_cat, -1)).replace(-1, None), "disability_grade": pl.Series(np.where(dis, dis_grade, -1)).replace(-1, None),
        "disability_cert_no": np.where(dis, np.char.add(np.char.add(ids, dis_cat.astype(str)), dis_grade.astype(str)), None),
        "dibao_case_no": np.where(dibao, np.char.add("DB", np.char.zfill(hh_idx.astype(str), 8)), None),
        "dibao_since": dcol(dibao, 30, 3000),
        "low_income_case_no": scol(pick(0.03) & hukou & alive, "DSR{:08d}"), "low_income_since": dcol(np.ones(persons, bool), 30, 900),
        "tekun_case_no": scol(pick(0.01) & hukou & alive, "TK{:08d}"), "tekun_since": dcol(np.ones(persons, bool), 30, 3000),
        "tekun_support_type": np.where(rng.random(persons) < 0.8, "分散供养", "集中供养"),
        "veteran_no": scol(vet, "TY{:09d}"), "enlisted_on": dcol(vet, 9000, 12000), "discharged_on": dcol(vet, 3000, 8000),
        "preferential_category": np.where(vet & pick(0.2), "伤残军人", None),
        "family_doctor_org": np.where(doc, "天目西路街道社区卫生服务中心", None),
        "family_doctor_name": np.where(doc, "李医生", None), "family_doctor_signed_on": dcol(doc, 10, 2000),
        "chronic_diseases": np.where(doc & (age > 50), "高血压", None),
        "graduate_school": np.where(grad, "复旦大学", None), "graduate_major": np.where(grad, "计算机科学与技术", None),
        "graduate_degree": np.where(grad, "本科", None), "graduation_year": pl.Series(np.where(grad, np.where(pick(0.5), 2026, 2024), -1)).replace(-1, None),
        "elderly_allowance_tier": np.where(hukou & alive & (age >= 65), "65-69", None),
        "key_care_category": None,
    }, strict=False).with_columns(pl.col("graduation_year").cast(pl.Int32))
    persons_df = persons_df.with_columns(
        [pl.Series(c, [None if v is None else str(v) for v in persons_df[c].to_list()], dtype=pl.String)
         for c, t in persons_df.schema.items() if t in (pl.Object, pl.Null)])
    # low income / tekun dates only where the case exists
    persons_df = persons_df.with_columns(
        pl.when(pl.col("low_income_case_no").is_null()).then(None).otherwise(pl.col("low_income_since")).alias("low_income_since"),
        pl.when(pl.col("tekun_case_no").is_null()).then(None).otherwise(pl.col("tekun_since")).alias("tekun_since"),
        pl.when(pl.col("tekun_case_no").is_null()).then(None).otherwise(pl.col("tekun_support_type")).alias("tekun_support_type"),
    )
    heads = persons_df.filter(pl.col("relation_to_head") == "户主")
    owner = np.where(rng.random(n_houses) < 0.6, np.array(persons_df["person_id"])[rng.integers(0, persons, n_houses)], None)
    houses = houses.with_columns(
        pl.Series("owner_person_id", owner, dtype=pl.String),
        pl.Series("certificate_no", [f"沪(2019)静字不动产权第{i:06d}号" if o else None for i, o in enumerate(owner)], dtype=pl.String),
        pl.lit("自住").alias("occupancy"),
    )
    households = pl.DataFrame({
        "household_id": [f"F{h + 1:07d}" for h in range(n_hh)],
        "household_no": [f"{310000000 + h}" for h in range(n_hh)],
        "hukou_house_id": [f"H{i + 1:07d}" for i in hh_house],
    }).join(heads.select(pl.col("household_id"), pl.col("person_id").alias("head_person_id")), on="household_id", how="left", maintain_order="left"
            ).with_columns(pl.lit(False).alias("is_collective"))
    areas = pl.DataFrame({"level": ["district"] * 4, "code": [s[2] for s in streets], "name": [s[3] for s in streets],
                          "parent_code": [None] * 4, "street_type": [None] * 4}, schema_overrides={"parent_code": pl.String, "street_type": pl.String})
    areas = pl.concat([areas, pl.DataFrame({"level": ["street"] * 4, "code": [s[0] for s in streets], "name": [s[1] for s in streets],
                                            "parent_code": [s[2] for s in streets], "street_type": ["街道", "街道", "镇", "街道"]})])
    return FakeCity(areas=areas, houses=houses, households=households, persons=persons_df, as_of=as_of)
