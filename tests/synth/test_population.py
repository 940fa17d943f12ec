"""Population truth: determinism, identity consistency, household relations, realistic rates."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import polars as pl
import pytest

from shequyun_synth import ids
from shequyun_synth.population import City, build_city

AS_OF = dt.date(2026, 11, 1)
N = 20000


@pytest.fixture(scope="module")
def city() -> City:
    return build_city(N, 20261126)


@pytest.fixture(scope="module")
def persons(city: City) -> pl.DataFrame:
    return city.persons.with_columns(age=(pl.lit(AS_OF) - pl.col("birth_date")).dt.total_days() / 365.2425)


@pytest.fixture(scope="module")
def living(persons: pl.DataFrame) -> pl.DataFrame:
    return persons.filter(pl.col("status") == "living")


def test_schema_contract(city: City) -> None:
    p = city.persons.columns
    for col in ["person_id", "name", "sex", "birth_date", "ethnicity", "id_number", "id_region_code", "phone",
                "population_type", "household_id", "relation_to_head", "hukou_house_id", "residence_house_id",
                "separated", "arrived_on", "residence_permit_no", "status", "status_date", "education",
                "employment_status", "employer", "unemployed_since", "party_status", "party_joined_on", "party_full_on",
                "party_branch", "disability_category", "disability_grade", "disability_cert_no", "dibao_case_no",
                "dibao_since", "low_income_case_no", "low_income_since", "tekun_case_no", "tekun_since",
                "tekun_support_type", "veteran_no", "enlisted_on", "discharged_on", "preferential_category",
                "family_doctor_org", "family_doctor_name", "family_doctor_signed_on", "chronic_diseases",
                "graduate_school", "graduate_major", "graduate_degree", "graduation_year", "elderly_allowance_tier",
                "key_care_category"]:
        assert col in p, col
    for col in ["house_id", "district_code", "street_code", "committee_code", "compound_code", "compound_name", "road",
                "lane", "sub_lane", "number", "building", "room", "address", "house_type", "floor_area",
                "owner_person_id", "certificate_no", "occupancy"]:
        assert col in city.houses.columns, col
    assert city.households.columns[:5] == ["household_id", "household_no", "hukou_house_id", "head_person_id",
                                           "is_collective"]
    assert city.areas.columns == ["level", "code", "name", "parent_code", "street_type"]
    assert city.persons.height == N
    assert city.persons.schema["birth_date"] == pl.Date and city.persons.schema["status_date"] == pl.Date
    assert not any(t == pl.Object for t in city.persons.schema.values())
    assert city.persons["person_id"][0] == "P00000001" and city.houses["house_id"][0] == "H0000001"


def test_deterministic_per_seed() -> None:
    a, b, c = build_city(3000, 5), build_city(3000, 5), build_city(3000, 6)
    for name in ("areas", "houses", "households", "persons"):
        assert getattr(a, name).equals(getattr(b, name)), name
    assert not a.persons.equals(c.persons)
    assert a.persons["id_number"].to_list() != c.persons["id_number"].to_list()


def test_deterministic_across_processes() -> None:
    code = ("import hashlib; from shequyun_synth.population import build_city; c = build_city(1500, 9); "
            "print(hashlib.sha1(b''.join(getattr(c, k).hash_rows().to_numpy().tobytes() "
            "for k in ('areas', 'houses', 'households', 'persons'))).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout.strip() for seed in (1, 2)}
    assert len(digests) == 1 and len(digests.pop()) == 40


def test_ids_valid_unique_and_consistent(persons: pl.DataFrame) -> None:
    idn = persons["id_number"].to_numpy().astype(str)
    assert persons["id_number"].n_unique() == persons.height
    assert ids.is_valid_id_array(idn).all()
    assert all(ids.is_valid_id(s) for s in idn[:3000])
    births = persons["birth_date"].to_list()
    sexes = persons["sex"].to_list()
    for s, b, x in zip(idn, births, sexes):
        assert ids.birth_date(s) == b
        assert ids.sex(s) == x
    assert (persons["id_region_code"] == persons["id_number"].str.slice(0, 6)).all()


def test_region_codes_by_population_type(persons: pl.DataFrame) -> None:
    region = persons["id_region_code"]
    pt = persons["population_type"]
    laihu = region.filter(pt == "来沪")
    assert not laihu.str.starts_with("31").any()
    assert set(region.filter(pt == "境外").unique().to_list()) <= {"810000", "820000", "830000"}
    hj = persons.filter(pt == "户籍")
    assert hj["id_region_code"].str.starts_with("31").mean() > 0.7
    # abolished codes occur, and codes respect their years of validity
    assert {"310108", "310230"} & set(hj["id_region_code"].unique().to_list())
    for code, year in hj.select("id_region_code", pl.col("birth_date").dt.year()).iter_rows():
        if code in ids.SHANGHAI_CODES:
            _, lo, hi = ids.SHANGHAI_CODES[code]
            assigned = max(year, 1984)
            assert hi is None or min(assigned, 1991) < hi, (code, year)
            if year >= 1984:
                assert lo <= year, (code, year)


def test_population_rates(living: pl.DataFrame, persons: pl.DataFrame) -> None:
    n = living.height
    pt = dict(living.group_by("population_type").len().iter_rows())
    assert 0.36 < pt["来沪"] / n < 0.44
    assert pt["境外"] >= 20
    age = living["age"]
    assert 0.20 < (age >= 60).mean() < 0.27
    assert 0.08 < (age < 15).mean() < 0.13
    assert 0.025 < (age >= 80).mean() < 0.042
    assert (age >= 100).sum() >= 3
    ratio = (living["sex"] == "男").sum() / (living["sex"] == "女").sum()
    assert 1.0 < ratio < 1.15
    gone = persons.filter(pl.col("status") != "living").height / persons.height
    assert 0.02 < gone < 0.03
    hj = living.filter(pl.col("population_type") == "户籍")
    assert 0.11 < hj["separated"].mean() < 0.19
    adults = living.filter(pl.col("age") >= 18)
    members = adults.filter(pl.col("party_status") != "none")
    assert 0.065 < members.height / adults.height < 0.095
    assert 0.015 < (members["party_status"] == "预备党员").mean() < 0.07
    assert 0.02 < persons["disability_cert_no"].is_not_null().mean() < 0.04
    assert 0.004 < hj["dibao_case_no"].is_not_null().mean() < 0.011
    assert 0.006 < hj["low_income_case_no"].is_not_null().mean() < 0.015
    assert 5 <= persons["tekun_case_no"].is_not_null().sum() <= 40
    men = adults.filter(pl.col("sex") == "男")
    assert 0.01 < men["veteran_no"].is_not_null().mean() < 0.022
    fd = living["family_doctor_org"].is_not_null()
    assert 0.28 < fd.mean() < 0.45
    assert living.filter(pl.col("age") >= 60)["family_doctor_org"].is_not_null().mean() > 0.6
    grads = living.filter(pl.col("graduation_year") == AS_OF.year)
    assert 0.007 < grads.height / n < 0.013
    assert grads["age"].min() >= 21 and grads["age"].max() < 26
    lf = living.filter(pl.col("employment_status").is_in(["在职", "失业"]))
    assert 0.025 < (lf["employment_status"] == "失业").mean() < 0.06


def test_elderly_alone_and_pure_elderly_households(living: pl.DataFrame) -> None:
    groups = living.filter(pl.col("residence_house_id").is_not_null()).group_by("residence_house_id").agg(
        n=pl.len(), youngest=pl.col("age").min())
    alone = groups.filter((pl.col("n") == 1) & (pl.col("youngest") >= 60)).height
    pure = groups.filter(pl.col("youngest") >= 60).height
    assert 150 <= alone <= 1000
    assert pure > alone + 200
    flagged = living.filter(pl.col("lives_alone") & (pl.col("age") >= 60)).height
    assert flagged == alone
    kc = living.filter(pl.col("key_care_category") == "独居老人")
    assert kc.height > 20 and kc["lives_alone"].all()


def test_household_relations(city: City, persons: pl.DataFrame) -> None:
    hh = city.households
    assert hh["household_id"].n_unique() == hh.height
    assert hh["household_no"].n_unique() == hh.height and hh["household_no"].str.len_chars().eq(9).all()
    members = persons.filter(pl.col("household_id").is_not_null())
    assert (members["population_type"] == "户籍").all()
    assert persons.filter(pl.col("population_type") != "户籍")["household_id"].null_count() == \
        persons.filter(pl.col("population_type") != "户籍").height
    heads = members.filter(pl.col("relation_to_head") == "户主")
    assert heads["household_id"].n_unique() == heads.height == hh.height
    joined = hh.join(heads.select("household_id", "person_id"), on="household_id")
    assert (joined["head_person_id"] == joined["person_id"]).all()
    fam = members.join(heads.select("household_id", head_birth=pl.col("birth_date")), on="household_id")
    gap = (pl.col("birth_date") - pl.col("head_birth")).dt.total_days() / 365.2425
    rel = fam.with_columns(gap=gap)
    assert rel.filter(pl.col("relation_to_head") == "子女")["gap"].min() >= 15
    assert rel.filter(pl.col("relation_to_head") == "孙子女")["gap"].min() >= 30
    assert rel.filter(pl.col("relation_to_head") == "父母")["gap"].max() <= -15
    spouses = rel.filter(pl.col("relation_to_head") == "配偶")
    assert spouses["age"].min() >= 20
    assert spouses.group_by("household_id").len()["len"].max() == 1
    # a spouse has the other sex than the head
    sx = spouses.join(heads.select("household_id", head_sex=pl.col("sex")), on="household_id")
    assert (sx["sex"] != sx["head_sex"]).all()
    coll = hh.filter(pl.col("is_collective"))
    assert coll.height > 0
    assert set(members.filter(pl.col("household_id").is_in(coll["household_id"].to_list()))["relation_to_head"]
               .unique().to_list()) <= {"户主", "其他"}


def test_house_references(city: City, persons: pl.DataFrame, living: pl.DataFrame) -> None:
    h = city.houses
    hid = set(h["house_id"].to_list())
    assert h["address"].n_unique() == h.height
    assert set(persons["residence_house_id"].drop_nulls().to_list()) <= hid
    assert set(persons["hukou_house_id"].drop_nulls().to_list()) <= hid
    assert set(city.households["hukou_house_id"].to_list()) <= hid
    assert set(h["owner_person_id"].drop_nulls().to_list()) <= set(persons["person_id"].to_list())
    owners = persons.filter(pl.col("person_id").is_in(h["owner_person_id"].drop_nulls().to_list()))
    assert (owners["age"] >= 18).all()
    hj = persons.filter(pl.col("population_type") == "户籍")
    assert hj["hukou_house_id"].null_count() == 0
    check = hj.join(city.households.select("household_id", hh_house="hukou_house_id"), on="household_id")
    assert (check["hukou_house_id"] == check["hh_house"]).all()
    sep = living.filter(pl.col("population_type") == "户籍")
    assert (sep["separated"] == (sep["hukou_house_id"] != sep["residence_house_id"])).all()
    occupied = set(living["residence_house_id"].drop_nulls().to_list())
    occ = dict(zip(h["house_id"].to_list(), h["occupancy"].to_list()))
    assert all(occ[x] in ("自住", "出租") for x in occupied)
    assert all(occ[x] == "空置" for x in hid - occupied)
    assert 0.04 < (h["occupancy"] == "空置").mean() < 0.2
    assert 0.2 < (h["occupancy"] == "出租").mean() < 0.5
    assert h.filter(pl.col("house_type") == "公房租赁")["owner_person_id"].null_count() == \
        h.filter(pl.col("house_type") == "公房租赁").height
    owned = h.filter(pl.col("owner_person_id").is_not_null())
    assert owned["certificate_no"].null_count() == 0 and owned["certificate_no"].n_unique() == owned.height
    assert owned["certificate_no"].str.contains(r"^沪").all()


def test_status_and_event_dates(persons: pl.DataFrame) -> None:
    gone = persons.filter(pl.col("status") != "living")
    assert gone["residence_house_id"].null_count() == gone.height
    assert gone["status_date"].null_count() == 0
    assert gone["status_date"].min() >= AS_OF - dt.timedelta(days=3 * 366) and gone["status_date"].max() <= AS_OF
    assert persons.filter(pl.col("status") == "living")["status_date"].null_count() == \
        persons.filter(pl.col("status") == "living").height
    dead = persons.filter(pl.col("status") == "deceased")
    assert dead["age"].mean() > 65
    for col in ["party_joined_on", "party_full_on", "unemployed_since", "dibao_since", "low_income_since",
                "tekun_since", "enlisted_on", "discharged_on", "family_doctor_signed_on", "arrived_on"]:
        bad = gone.filter(pl.col(col).is_not_null() & (pl.col(col) > pl.col("status_date")))
        assert bad.height == 0, col
        late = persons.filter(pl.col(col).is_not_null() & ((pl.col(col) > AS_OF) | (pl.col(col) < pl.col("birth_date"))))
        assert late.height == 0, col


def test_attribute_consistency(persons: pl.DataFrame, living: pl.DataFrame) -> None:
    d = persons.filter(pl.col("disability_cert_no").is_not_null())
    expect = d["id_number"] + d["disability_category"].cast(pl.Utf8) + d["disability_grade"].cast(pl.Utf8)
    assert (d["disability_cert_no"] == expect).all()
    assert d["disability_category"].is_between(1, 7).all() and d["disability_grade"].is_between(1, 4).all()
    assert d["disability_cert_no"].str.len_chars().eq(20).all()
    party = persons.filter(pl.col("party_status") != "none")
    assert (party["party_joined_on"] >= party["birth_date"].dt.offset_by("18y")).all()
    full = party.filter(pl.col("party_status") == "正式党员")
    assert ((full["party_full_on"] - full["party_joined_on"]).dt.total_days() >= 365).all()
    prep = party.filter(pl.col("party_status") == "预备党员")
    assert prep["party_full_on"].null_count() == prep.height
    assert party["party_branch"].str.ends_with("党支部").all()
    # 低保 covers whole households
    db = persons.filter(pl.col("dibao_case_no").is_not_null())
    per_hh = db.group_by("household_id").agg(pl.col("dibao_case_no").n_unique().alias("cases"), pl.len())
    sizes = persons.filter(pl.col("household_id").is_in(db["household_id"].unique().to_list())).group_by("household_id").len()
    assert per_hh["cases"].max() == 1
    assert per_hh.join(sizes, on="household_id")["len"].equals(per_hh.join(sizes, on="household_id")["len_right"])
    # 老年综合津贴 tier by age for living 户籍 65+
    hj = living.filter((pl.col("population_type") == "户籍") & (pl.col("elderly_allowance_tier").is_not_null()))
    tier = pl.when(pl.col("age") >= 100).then(pl.lit("100+")).when(pl.col("age") >= 90).then(pl.lit("90-99")) \
        .when(pl.col("age") >= 80).then(pl.lit("80-89")).when(pl.col("age") >= 70).then(pl.lit("70-79")).otherwise(pl.lit("65-69"))
    assert (hj["elderly_allowance_tier"] == hj.select(tier)["literal"]).all()
    assert hj["age"].min() >= 65
    eligible = living.filter((pl.col("population_type") == "户籍") & (pl.col("age") >= 65))
    assert eligible["elderly_allowance_tier"].is_not_null().mean() > 0.95
    amounts = dict(zip(["65-69", "70-79", "80-89", "90-99", "100+"], [75, 150, 180, 350, 600]))
    assert all(amounts[t] == a for t, a in hj.select("elderly_allowance_tier", "elderly_allowance_amount").iter_rows())
    assert living.filter(pl.col("population_type") != "户籍")["elderly_allowance_tier"].null_count() == \
        living.filter(pl.col("population_type") != "户籍").height
    # phones
    ph = persons["phone"].drop_nulls()
    assert ph.str.contains(r"^1[3-9]\d{9}$").all() and ph.n_unique() == ph.len()
    assert living.filter(pl.col("age") < 12)["phone"].null_count() == living.filter(pl.col("age") < 12).height
    assert living.filter(pl.col("age") >= 80)["phone"].null_count() > 0
    # 来沪: arrival, permits; employment and employers
    lh = living.filter(pl.col("population_type") == "来沪")
    assert lh["arrived_on"].null_count() == 0 and (lh["arrived_on"] > lh["birth_date"]).all()
    assert 0.4 < lh["residence_permit_no"].is_not_null().mean() < 0.9
    work = living.filter(pl.col("employment_status") == "在职")
    assert work["employer"].null_count() == 0
    assert living.filter(pl.col("employment_status") != "在职")["employer"].drop_nulls().len() == 0
    assert set(living["employment_status"].drop_nulls().unique().to_list()) == {"在职", "失业", "退休", "在校", "无业"}
    assert living.filter(pl.col("employment_status") == "退休")["age"].min() >= 50
    tk = persons.filter(pl.col("tekun_case_no").is_not_null())
    assert set(tk["tekun_support_type"].to_list()) <= {"分散供养", "集中供养"}
    assert (tk["age"] >= 60).mean() > 0.5
    # minority names with the interpunct
    uy = persons.filter(pl.col("ethnicity").is_in(["维吾尔族", "哈萨克族"]))
    assert uy["name"].str.contains("\u00b7").all()
    sig = living.filter(pl.col("family_doctor_org").is_not_null())
    assert sig["family_doctor_org"].str.ends_with("社区卫生服务中心").all()
    assert sig["family_doctor_name"].null_count() == 0
    assert sig.filter(pl.col("age") >= 60)["chronic_diseases"].str.contains("高血压").mean() > 0.3
