"""Who appears in which frozen2 system, and the fields each record carries (before rendering and noise).

A builder returns one row per record with the fields its system's YAML names (`field:`), plus hidden columns:
`_person_id`, `_house_id` (the truth behind the row), `_twin_of`, `_moved_on` / `_recorded_on` (stale addresses:
shequyun_synth.noise._stale_values), `prev_house_id`, and for an ID field F the alternatives the noise kinds put in its
place: `F__former` (id_former), `F__permit` (permit_instead_of_id), `F__passport` (passport_instead_of_id).
Rows come in the order the system keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import polars as pl

from shequyun_synth.extracts.builders import choice, rand_dates, random_phones
from shequyun_synth.extracts.context import Context

HIDDEN = ["_person_id", "_house_id", "_twin_of", "_moved_on", "_recorded_on", "prev_house_id"]
RELATION_CODES = {("户主", "男"): "02", ("户主", "女"): "02", ("配偶", "男"): "10", ("配偶", "女"): "10",
                  ("子女", "男"): "20", ("子女", "女"): "30", ("孙子女", "男"): "41", ("孙子女", "女"): "42",
                  ("父母", "男"): "51", ("父母", "女"): "52", ("其他", "男"): "99", ("其他", "女"): "99"}


def _hidden(person: str = "person_id", house: str = "home_house_id", recorded: pl.Expr | None = None) -> list[pl.Expr]:
    return [pl.col(person).alias("_person_id"), pl.col(house).alias("_house_id"), pl.col("twin_of").alias("_twin_of"),
            pl.col("residence_since").alias("_moved_on"),
            (recorded if recorded is not None else pl.lit(None, pl.Date)).alias("_recorded_on"), pl.col("prev_house_id")]


def _id_alts(field: str = "id_number", prefix: str = "") -> list[pl.Expr]:
    """The alternatives of an ID field (see the module doc); `prefix` names another person's columns (owner_)."""
    return [pl.col(f"{prefix}former_id_number").alias(f"{field}__former"),
            pl.col(f"{prefix}travel_permit_no").alias(f"{field}__permit"),
            pl.when(pl.col(f"{prefix}id_number").is_null()).then(pl.col(f"{prefix}passport_no")).alias(f"{field}__passport")]


def random_names(ctx: Context, rng: np.random.Generator, n: int) -> pl.Series:
    """Names of the city's Chinese residents (clerks, doctors, guardians, grid workers)."""
    pool = ctx.persons.filter(pl.col("passport_no").is_null())["name"]
    return pool.gather(rng.integers(0, pool.len(), n)) if n else pl.Series([], dtype=pl.String)


def _living(ctx: Context) -> pl.DataFrame:
    return ctx.persons.filter(pl.col("status") == "living")


def _street_names(ctx: Context) -> pl.DataFrame:
    """house_id -> home street code and name."""
    names = ctx.areas.filter(pl.col("level") == "street").select(pl.col("code").alias("street_code"), pl.col("name").alias("_street_name"))
    return ctx.addresses.select("house_id", "street_code", "committee_code").join(names, on="street_code", how="left")


def _with_street(ctx: Context, df: pl.DataFrame, house: str = "home_house_id") -> pl.DataFrame:
    s = _street_names(ctx).rename({"house_id": house, "street_code": "_street_code", "committee_code": "_committee_code"})
    return df.join(s, on=house, how="left", maintain_order="left")


def _timestamps(rng: np.random.Generator, days: pl.Series) -> pl.Series:
    """A time during office hours (08:00-18:00) on each day."""
    secs = rng.integers(8 * 3600, 18 * 3600, days.len())
    return days.cast(pl.Datetime("us")) + pl.Series(secs * 1_000_000).cast(pl.Duration("us"))


def _age_at(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    later = (birth.dt.month() * 100 + birth.dt.day()) > (on.dt.month() * 100 + on.dt.day())
    return (on.dt.year() - birth.dt.year() - later.cast(pl.Int32)).cast(pl.Int64)


# ---------------------------------------------------------------- 公安 户籍

def gaj_czrk(ctx: Context, rng: np.random.Generator) -> pl.DataFrame:
    p = ctx.persons.filter(pl.col("population_type") == "户籍").sort("household_no", "person_id")
    n = p.height
    local = p["id_region_code"].str.starts_with("31").fill_null(False).to_numpy()
    born = rand_dates(rng, p["birth_date"], p["birth_date"].dt.offset_by("60d"), n)
    moved_in = rand_dates(rng, p["birth_date"].dt.offset_by("18y"), p["birth_date"].dt.offset_by("40y"), n)
    reg = pl.Series(np.where(local, born.to_numpy(), moved_in.to_numpy())).cast(pl.Date)
    reg = pl.select(pl.min_horizontal(reg, pl.lit(ctx.as_of))).to_series()
    relation = pl.struct("relation_to_head", "sex").map_elements(
        lambda r: RELATION_CODES.get((r["relation_to_head"], r["sex"]), "99"), return_dtype=pl.String)
    return p.with_columns(reg.alias("registered_on")).select(
        "household_no", "id_number", "name", "sex", "ethnicity", "birth_date", relation.alias("relation_code"),
        "hukou_house_id", "registered_on", "status",
        pl.when(pl.col("status") != "living").then(pl.col("status_date")).alias("closed_on"), "education", "phone",
        *_hidden(house="hukou_house_id"),
    )


# ---------------------------------------------------------------- 卫健 慢病随访

def wjw_mbsf(ctx: Context, rng: np.random.Generator) -> pl.DataFrame:
    p = _living(ctx).filter(pl.col("chronic_diseases").is_not_null() & pl.col("home_house_id").is_not_null()).sort("person_id")
    p = _with_street(ctx, p).with_columns(
        pl.format("JK{}", (pl.int_range(1, p.height + 1) + 3101000000).cast(pl.String)).alias("health_record_no"))
    per = 1 + rng.binomial(3, 0.6, p.height)
    v = p[np.repeat(np.arange(p.height), per).tolist()]
    m = v.height
    visit = pl.Series(np.array([(ctx.as_of - timedelta(days=int(d)) - date(1970, 1, 1)).days
                                for d in rng.integers(1, 366, m)])).cast(pl.Int32).cast(pl.Date)
    hyper = v["chronic_diseases"].str.contains("高血压").to_numpy()
    diabetes = v["chronic_diseases"].str.contains("糖尿病").to_numpy()
    systolic = np.round(np.where(hyper, rng.normal(145, 15, m), rng.normal(125, 12, m))).astype(np.int64)
    diastolic = np.round(np.where(hyper, rng.normal(88, 9, m), rng.normal(78, 8, m))).astype(np.int64)
    glucose = np.char.mod("%.1f", np.clip(rng.normal(7.8, 1.5, m), 4.0, 16.0))
    doctors = random_names(ctx, rng, m)
    v = v.with_columns(
        visit.alias("visit_date"), choice(rng, ["门诊", "家庭", "电话"], m, [0.6, 0.2, 0.2]).alias("visit_method"),
        pl.Series("systolic", systolic), pl.Series("diastolic", diastolic),
        pl.Series("glucose", [str(g) if d else None for g, d in zip(glucose, diabetes)], dtype=pl.String),
        pl.coalesce("family_doctor_name", doctors).alias("doctor"),
        pl.coalesce("family_doctor_org", pl.col("_street_name") + "社区卫生服务中心").alias("clinic"),
    ).sort("visit_date", "person_id")
    v = v.with_columns(pl.format("SF{}{}", pl.col("visit_date").dt.strftime("%Y%m%d"),
                                 pl.int_range(1, m + 1).cast(pl.String).str.zfill(5)).alias("visit_no"))
    return v.select(
        "visit_no", "health_record_no", "name", "sex", "birth_date", "id_number", "phone", "home_house_id",
        "chronic_diseases", "visit_date", "visit_method", "systolic", "diastolic", "glucose", "doctor", "clinic",
        *_id_alts(), *_hidden(recorded=pl.col("visit_date")),
    )


# ---------------------------------------------------------------- 民政 临时救助

AID_REASONS = ["突发重大疾病", "家庭成员意外伤亡", "火灾等意外事故", "医疗费用支出较大", "子女教育支出较大", "失业后生活困难",
               "遭遇交通事故", "住房漏水受损"]


def _group_size(ctx: Context) -> pl.DataFrame:
    return _living(ctx).filter(pl.col("residence_house_id").is_not_null()).group_by("residence_group_id").agg(
        pl.len().cast(pl.Int64).alias("family_size"))


def mzj_lsjz(ctx: Context, rng: np.random.Generator) -> pl.DataFrame:
    p = _living(ctx).filter((pl.col("age") >= 18) & pl.col("residence_house_id").is_not_null()).sort("person_id")
    poor = (p["dibao_case_no"].is_not_null() | p["low_income_case_no"].is_not_null()
            | p["tekun_case_no"].is_not_null()).to_numpy()
    u = rng.random(p.height)
    p = p.filter(pl.Series((poor & (u < 0.4)) | (~poor & (u < 0.008))))
    p = p.join(_group_size(ctx), on="residence_group_id", how="left", maintain_order="left")
    g = p[np.repeat(np.arange(p.height), 1 + (rng.random(p.height) < 0.3)).tolist()]
    m = g.height
    poor_g = (g["dibao_case_no"].is_not_null() | g["low_income_case_no"].is_not_null()
              | g["tekun_case_no"].is_not_null()).to_numpy()
    approved = rand_dates(rng, date(ctx.as_of.year, 1, 1), ctx.as_of - timedelta(days=1), m)
    amount = np.where(poor_g, rng.integers(10, 61, m), rng.integers(20, 121, m)) * 100
    kind = np.where(rng.random(m) < np.where(poor_g, 0.8, 0.2), "支出型", "急难型")
    hukou = (pl.when(pl.col("population_type") == "户籍").then(pl.lit("本市户籍"))
             .when(pl.col("population_type") == "来沪").then(pl.lit("外省市户籍"))
             .when(pl.col("passport_no").is_not_null()).then(pl.lit("外籍")).otherwise(pl.lit("港澳台")))
    g = g.with_columns(approved.alias("approved_on"), pl.Series("aid_amount", amount, dtype=pl.Int64),
                       pl.Series("aid_kind", kind, dtype=pl.String), choice(rng, AID_REASONS, m).alias("aid_reason"))
    g = g.sort("approved_on", "person_id")
    return g.select(
        pl.lit(None, pl.Int64).alias("row_seq"), "name", "id_number", "sex",
        _age_at(pl.col("birth_date"), pl.col("approved_on")).alias("age"), pl.col("family_size").fill_null(1),
        hukou.alias("hukou_kind"), "home_house_id", "phone", "aid_kind", "aid_reason", "aid_amount", "approved_on",
        *_id_alts(), *_hidden(recorded=pl.col("approved_on")),
    )


# ---------------------------------------------------------------- 街道 网格员走访

SITUATIONS = ["老人在家,身体状况尚可", "独居,生活基本能自理", "家中卫生较差,已联系志愿者", "近期住院,家属照料", "精神状态良好",
              "新入住,已登记", "出租屋,已核实居住人员", "反映楼道堆物", "家中无人,电话联系", "行动不便,需要助餐"]
APPEALS = ["", "", "", "", "希望增加助餐服务", "咨询临时救助", "反映邻居噪音", "希望安装扶手", "咨询居住证办理", "要求上门理发"]


def jd_wgzf(ctx: Context, rng: np.random.Generator) -> pl.DataFrame:
    p = _living(ctx).filter(pl.col("residence_house_id").is_not_null())
    recent = pl.col("arrived_on").is_not_null() & (pl.col("arrived_on") >= pl.lit(ctx.as_of - timedelta(days=365)))
    target = (((pl.col("age") >= 60) & pl.col("lives_alone").fill_null(False)) | (pl.col("age") >= 80)
              | pl.col("disability_cert_no").is_not_null() | pl.col("dibao_case_no").is_not_null()
              | pl.col("low_income_case_no").is_not_null() | pl.col("tekun_case_no").is_not_null()
              | ((pl.col("population_type") == "来沪") & recent) | (pl.col("population_type") == "境外"))
    t = _with_street(ctx, p.filter(target.fill_null(False)).sort("person_id"))
    per = np.minimum(1 + rng.poisson(1.5, t.height), 6)
    v = t[np.repeat(np.arange(t.height), per).tolist()]
    m = v.height
    day = rand_dates(rng, ctx.as_of - timedelta(days=183), ctx.as_of - timedelta(days=1), m)
    seen_id = rng.random(m) < 1 / 3
    seen_phone = rng.random(m) < 0.5
    # three grid workers per committee, drawn from the city's names
    committees = t["_committee_code"].unique().sort()
    workers = random_names(ctx, rng, 3 * committees.len())
    w_of = pl.DataFrame({"_committee_code": committees.to_list() * 3,
                         "_k": np.repeat(np.arange(3), committees.len()), "grid_worker": workers})
    v = v.with_columns(day.alias("visit_date"), pl.Series("_k", rng.integers(0, 3, m)),
                       pl.Series("_grid", rng.integers(1, 7, m)), pl.Series("_seen_id", seen_id),
                       pl.Series("_seen_phone", seen_phone),
                       choice(rng, ["入户走访", "电话回访", "路遇"], m, [0.7, 0.2, 0.1]).alias("visit_method"),
                       choice(rng, SITUATIONS, m).alias("situation"), choice(rng, APPEALS, m).alias("appeal"))
    v = v.join(w_of, on=["_committee_code", "_k"], how="left", maintain_order="left").sort("visit_date", "person_id")
    v = v.with_columns(pl.format("WG{}", pl.int_range(1, m + 1).cast(pl.String).str.zfill(10)).alias("visit_no"))
    return v.select(
        "visit_no", "visit_date", pl.format("{}{}", pl.col("_committee_code"), pl.col("_grid").cast(pl.String).str.zfill(2)
                                            ).alias("grid_no"),
        "grid_worker", pl.coalesce("name_zh", "name").alias("spoken_name"), "sex", "age",
        pl.when(pl.col("_seen_id")).then(pl.col("id_number")).alias("id_number_seen"),
        pl.when(pl.col("_seen_phone")).then(pl.col("phone")).alias("phone_seen"), "home_house_id", "visit_method",
        "situation", "appeal", pl.when(pl.col("appeal") != "").then(pl.lit("是")).otherwise(pl.lit("否")).alias("follow_up"),
        pl.when(pl.col("_seen_id") & pl.col("id_number").is_null()).then(pl.col("passport_no")).alias("id_number_seen__passport"),
        *_hidden(recorded=pl.col("visit_date")),
    )


# ---------------------------------------------------------------- 出入境 境外人员住宿登记

def _owners(ctx: Context) -> pl.DataFrame:
    return ctx.houses.select(pl.col("house_id").alias("home_house_id"), "owner_person_id", "floor_area", "certificate_no",
                             "house_type")


def crj_jwry(ctx: Context, rng: np.random.Generator) -> pl.DataFrame:
    p = _living(ctx).filter((pl.col("population_type") == "境外") & pl.col("residence_house_id").is_not_null()).sort("person_id")
    p = _with_street(ctx, p.join(_owners(ctx), on="home_house_id", how="left", maintain_order="left"))
    n = p.height
    moved_in = pl.coalesce("residence_since", "arrived_on", "birth_date")
    lodging = np.where(rng.random(n) < 0.9, "租住", "亲友家")
    visa = choice(rng, ["S", "Q"], n)
    p = p.with_columns(moved_in.alias("moved_in_on"), pl.Series("_lodging", lodging, dtype=pl.String), visa.alias("_visa"))
    p = p.with_columns(_timestamps(rng, pl.Series(rand_dates(rng, p["moved_in_on"], p["moved_in_on"].dt.offset_by("3d"), n)))
                       .alias("registered_at")).sort("registered_at", "person_id")
    foreign = pl.col("passport_no").is_not_null()
    visa_kind = (pl.when(~foreign).then(None).when(pl.col("employment_status") == "在职").then(pl.lit("Z"))
                 .when(pl.col("employment_status") == "在校").then(pl.lit("X")).otherwise(pl.col("_visa")))
    return p.select(
        "id_number", "latin_surname", "latin_given_name",
        pl.when(foreign).then(pl.col("name_zh")).otherwise(pl.col("name")).alias("chinese_name"), "sex", "birth_date",
        "nationality", "home_house_id",
        pl.when(pl.col("owner_person_id") == pl.col("person_id")).then(pl.lit("自有住房")).otherwise(pl.col("_lodging"))
        .alias("lodging_kind"), "moved_in_on", visa_kind.alias("visa_kind"),
        (pl.col("_street_name").str.replace(r"(街道|镇|乡)$", "") + "派出所").alias("police_station"), "registered_at",
        *_id_alts(), *_hidden(recorded=pl.col("registered_at").cast(pl.Date)),
    )


# ---------------------------------------------------------------- 房管 租赁登记备案

def fgj_zlba(ctx: Context, rng: np.random.Generator) -> pl.DataFrame:
    people = _living(ctx).filter(pl.col("residence_house_id").is_not_null())
    owners = ctx.persons.select(
        pl.col("person_id").alias("owner_person_id"), pl.col("household_id").alias("_owner_household"),
        *[pl.col(c).alias(f"owner_{c}") for c in ("name", "id_number", "phone", "former_id_number", "travel_permit_no",
                                                  "passport_no")])
    h = ctx.houses.filter((pl.col("occupancy") == "出租") & pl.col("owner_person_id").is_not_null()).select(
        pl.col("house_id").alias("residence_house_id"), "owner_person_id", "floor_area", "certificate_no")
    r = people.join(h, on="residence_house_id", how="inner").join(owners, on="owner_person_id", how="left")
    # a residence group renting from the owner: nobody of it is the owner or of the owner's household
    own = ((pl.col("person_id") == pl.col("owner_person_id"))
           | (pl.col("household_id").is_not_null() & (pl.col("household_id") == pl.col("_owner_household")))).fill_null(False)
    r = r.with_columns(own.any().over("residence_group_id").alias("_own"), pl.len().over("residence_group_id").alias("_size"))
    tenants = r.filter(~pl.col("_own") & (pl.col("age") >= 18)).sort("residence_group_id", "birth_date", "person_id")
    tenants = tenants.group_by("residence_group_id", maintain_order=True).first().sort("person_id")
    n = tenants.height
    start = pl.coalesce(pl.col("residence_since"), pl.lit(None, pl.Date))
    fallback = rand_dates(rng, ctx.as_of - timedelta(days=3 * 365), ctx.as_of - timedelta(days=30), n)
    years = rng.integers(1, 4, n)
    tenants = tenants.with_columns(start.fill_null(fallback).alias("lease_from"), pl.Series("_years", years))
    tenants = tenants.with_columns(
        pl.col("lease_from").dt.offset_by(pl.format("{}y", pl.col("_years"))).dt.offset_by("-1d").alias("lease_to"),
        pl.min_horizontal(pl.col("lease_from") + pl.duration(days=pl.Series(rng.integers(0, 31, n))), pl.lit(ctx.as_of))
        .alias("registered_on"),
        (pl.col("floor_area") * pl.Series(rng.uniform(60, 140, n)) / 100).round(0).mul(100).alias("monthly_rent"),
    )
    later = rng.random(n) < 0.2
    touched = rand_dates(rng, tenants["registered_on"], ctx.as_of - timedelta(days=1), n)
    upd_day = pl.Series(np.where(later, touched.to_numpy(), tenants["registered_on"].to_numpy())).cast(pl.Date)
    tenants = tenants.with_columns(_timestamps(rng, upd_day).alias("updated_at")).sort("registered_on", "person_id")
    tenants = tenants.with_columns(pl.format("ZLBA{}{}", pl.col("registered_on").dt.year().cast(pl.String),
                                             pl.int_range(1, n + 1).cast(pl.String).str.zfill(6)).alias("record_no"))
    tenants = tenants.sort("updated_at", "record_no")
    passport_name = (pl.when(pl.col("passport_no").is_not_null())
                     .then(pl.format("{} {}", pl.col("latin_given_name"), pl.col("latin_surname"))).otherwise(pl.col("name")))
    return tenants.select(
        "record_no", pl.col("residence_house_id").alias("house_id"), "certificate_no", "owner_name", "owner_id_number",
        "owner_phone", passport_name.alias("passport_order_name"), "id_number", "phone",
        (pl.col("_size") - 1).cast(pl.Int64).alias("co_residents"), "monthly_rent", "lease_from", "lease_to",
        "registered_on", "updated_at", "owner_person_id",
        *_id_alts(), *_id_alts("owner_id_number", "owner_"),
        *_hidden(house="residence_house_id", recorded=pl.col("registered_on")),
    )


# ---------------------------------------------------------------- 人社 社保参保

def rsj_sbcb(ctx: Context, rng: np.random.Generator) -> pl.DataFrame:
    recent_death = (pl.col("status") == "deceased") & (pl.col("status_date") >= pl.lit(ctx.as_of - timedelta(days=730)))
    p = ctx.persons.filter(((pl.col("status") == "living") | recent_death) & (pl.col("age") >= 16)).sort("person_id")
    u = pl.Series(rng.random(p.height))
    emp = pl.col("employment_status")
    insured = (((emp == "在职") & pl.col("employer").is_not_null()) | emp.is_in(["退休", "失业"])
               | ((emp == "无业") & (pl.col("age").is_between(18, 59)) & (pl.lit(u) < 0.5)))
    p = p.with_columns(pl.lit(u).alias("_u")).filter(insured.fill_null(False))
    n = p.height
    worker = (emp != "无业") & ~((emp == "退休") & (pl.col("_u") < 0.15))
    status = (pl.when(pl.col("status") == "deceased").then(pl.lit("终止参保")).when(emp == "退休").then(pl.lit("待遇领取"))
              .when(emp == "失业").then(pl.lit("暂停缴费")).otherwise(pl.lit("参保缴费")))
    first_job = rand_dates(rng, p["birth_date"].dt.offset_by("18y"), p["birth_date"].dt.offset_by("26y"), n)
    resident_enrol = rand_dates(rng, date(2011, 7, 1), ctx.as_of - timedelta(days=30), n)
    p = p.with_columns(first_job.alias("_job"), resident_enrol.alias("_res"))
    enrolled = pl.min_horizontal(pl.when(worker).then(pl.max_horizontal(pl.col("_job"), pl.lit(date(1993, 1, 1))))
                                 .otherwise(pl.col("_res")), pl.lit(ctx.as_of - timedelta(days=30)))
    p = p.with_columns(worker.alias("_worker"), enrolled.alias("enrolled_on"), status.alias("insured_status"))
    p = p.with_columns(pl.max_horizontal("enrolled_on", pl.col("arrived_on").fill_null(date(1900, 1, 1))).alias("enrolled_on"))
    touched = rand_dates(rng, pl.select(pl.max_horizontal(p["enrolled_on"], pl.lit(ctx.as_of - timedelta(days=3 * 365))))
                         .to_series(), ctx.as_of - timedelta(days=1), n)
    died = p["status_date"].dt.offset_by("10d")
    upd = pl.Series(np.where(p["status"].to_numpy() == "deceased", died.to_numpy(), touched.to_numpy())).cast(pl.Date)
    upd = pl.select(pl.min_horizontal(upd, pl.lit(ctx.as_of - timedelta(days=1)))).to_series()
    p = p.with_columns(_timestamps(rng, upd).alias("updated_at")).sort("enrolled_on", "person_id")
    p = p.with_columns((pl.int_range(1, n + 1) * 7 + 3100000000).cast(pl.String).alias("insured_no")).sort("updated_at",
                                                                                                        "insured_no")
    name = (pl.when(pl.col("passport_no").is_not_null())
            .then(pl.format("{} {}", pl.col("latin_surname"), pl.col("latin_given_name"))).otherwise(pl.col("name")))
    insurance = pl.when(pl.col("_worker")).then(pl.lit("城镇职工基本养老保险")).otherwise(pl.lit("城乡居民基本养老保险"))
    return p.select(
        "insured_no", name.alias("surname_first_name"), "id_number", "sex", "birth_date", insurance.alias("insurance"),
        "insured_status", "enrolled_on", pl.when(pl.col("_worker") & (emp == "在职")).then(pl.col("employer")).alias("employer"),
        "phone", "home_house_id", "updated_at",
        *_id_alts(), *_hidden(recorded=pl.col("updated_at").cast(pl.Date)),
    )


# ---------------------------------------------------------------- 残联 持证残疾人花名册

def cl_cjrhmc(ctx: Context, rng: np.random.Generator) -> pl.DataFrame:
    p = _with_street(ctx, _living(ctx).filter(pl.col("disability_cert_no").is_not_null()))
    p = p.sort("_street_code", "disability_cert_no", nulls_last=True)
    n = p.height
    issued = rand_dates(rng, pl.select(pl.max_horizontal(pl.lit(p["birth_date"]), pl.lit(date(2008, 1, 1)))).to_series(),
                        ctx.as_of - timedelta(days=30), n)
    needs = (pl.col("disability_grade") <= 2) | pl.col("disability_category").is_in([5, 6])
    p = p.with_columns(issued.alias("issued_on"), random_names(ctx, rng, n).alias("_gn"), random_phones(rng, n).alias("_gp"))
    return p.select(
        pl.lit(None, pl.Int64).alias("row_seq"), "name", "sex", "disability_cert_no",
        pl.col("disability_category").cast(pl.String), pl.col("disability_grade").cast(pl.String), "birth_date", "phone",
        pl.when(needs).then(pl.col("_gn")).alias("guardian_name"), pl.when(needs).then(pl.col("_gp")).alias("guardian_phone"),
        pl.col("_street_name").alias("home_street_name"), "home_house_id", "issued_on",
        (pl.col("former_id_number") + pl.col("disability_cert_no").str.slice(18)).alias("disability_cert_no__former"),
        *_hidden(recorded=pl.col("issued_on")),
    )


BUILDERS: dict[str, Callable[[Context, np.random.Generator], pl.DataFrame]] = {
    "gaj_czrk": gaj_czrk, "wjw_mbsf": wjw_mbsf, "mzj_lsjz": mzj_lsjz, "jd_wgzf": jd_wgzf, "crj_jwry": crj_jwry,
    "fgj_zlba": fgj_zlba, "rsj_sbcb": rsj_sbcb, "cl_cjrhmc": cl_cjrhmc,
}
