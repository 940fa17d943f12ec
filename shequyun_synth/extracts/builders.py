"""One builder per source system: who appears and what the department writes, derived from the truth.

A builder returns the clean rows (source headers as in the system's YAML, dates still typed)
plus hidden columns: `_person_id`, `_house_id` (the truth behind the row) and, for address
columns, `_street__<col>`, `_stale__<col>`, `_stale_house__<col>` used by the noise step.
Dates that the department writes as text are listed in `date_styles` (see noise.DATE_STYLES).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from shequyun_synth.extracts.context import ETHNICITY_CODES, Context

EPOCH = date(1970, 1, 1)
ALLOWANCE = [(100, "100+", 600), (90, "90-99", 350), (80, "80-89", 180), (70, "70-79", 150), (65, "65-69", 75)]
DISABILITY_CATEGORIES = {1: "视力残疾", 2: "听力残疾", 3: "言语残疾", 4: "肢体残疾", 5: "智力残疾", 6: "精神残疾", 7: "多重残疾"}
GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
DIBAO_STANDARD = 1510  # 上海城乡低保标准, 元/人/月 (2024-07 起)


@dataclass
class Extract:
    df: pl.DataFrame
    date_styles: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- helpers

def _days(d: pl.Series | np.ndarray | date) -> np.ndarray:
    if isinstance(d, date):
        return np.array([(d - EPOCH).days])
    if isinstance(d, pl.Series):
        return d.cast(pl.Date).cast(pl.Int32).to_numpy().astype(np.float64)
    return d


def rand_dates(rng: np.random.Generator, lo: pl.Series | date, hi: pl.Series | date, n: int) -> pl.Series:
    """Uniform dates in [lo, hi] per row (nulls in lo/hi give nulls); hi is clipped to be >= lo."""
    a = np.broadcast_to(_days(lo), (n,)).astype(np.float64)
    b = np.maximum(np.broadcast_to(_days(hi), (n,)).astype(np.float64), a)
    d = np.floor(a + rng.random(n) * (b - a + 1))
    d = np.minimum(d, b)
    s = pl.Series(d, dtype=pl.Float64).fill_nan(None)
    return s.cast(pl.Int32).cast(pl.Date)


def add_years(d: pl.Series, years: int) -> pl.Series:
    return d.dt.offset_by(f"{years}y")


def sex_code() -> pl.Expr:
    return pl.when(pl.col("sex") == "男").then(pl.lit("1")).when(pl.col("sex") == "女").then(pl.lit("2")).otherwise(
        pl.lit("9"))


def random_names(ctx: Context, rng: np.random.Generator, n: int) -> pl.Series:
    names = ctx.persons["name"]
    return names.gather(rng.integers(0, names.len(), n)) if n else pl.Series([], dtype=pl.String)


def random_phones(rng: np.random.Generator, n: int) -> pl.Series:
    prefix = np.array(["139", "138", "137", "136", "135", "186", "185", "158", "159", "133", "189", "177"])
    return pl.Series(np.char.add(prefix[rng.integers(0, len(prefix), n)],
                                 np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)), dtype=pl.String)


def choice(rng: np.random.Generator, options: list[str], n: int, p: list[float] | None = None) -> pl.Series:
    return pl.Series(np.array(options)[rng.choice(len(options), n, p=p)], dtype=pl.String)


def living(ctx: Context) -> pl.DataFrame:
    return ctx.persons.filter(pl.col("status") == "living")


# ---------------------------------------------------------------- public security

def ps_hukou(ctx: Context, rng: np.random.Generator) -> Extract:
    p = ctx.persons.filter(pl.col("population_type") == "户籍").sort("household_no", "person_id")
    n = p.height
    local = p["id_region_code"].str.starts_with("31").fill_null(False).to_numpy()
    born = rand_dates(rng, p["birth_date"], p["birth_date"].dt.offset_by("60d"), n)
    moved_in = rand_dates(rng, add_years(p["birth_date"], 18), add_years(p["birth_date"], 40), n)
    reg = pl.Series(np.where(local, born.to_numpy(), moved_in.to_numpy())).cast(pl.Date)
    reg = pl.select(pl.min_horizontal(reg, pl.lit(ctx.as_of))).to_series()
    p = p.with_columns(reg.alias("_reg"))
    p = ctx.address(p, "hukou_house_id", "canonical", "户籍地址")
    df = p.select(
        pl.col("household_no").alias("户号"), pl.col("name").alias("姓名"), pl.col("sex").alias("性别"),
        pl.col("ethnicity").alias("民族"), pl.col("birth_date").alias("出生日期"), pl.col("id_number").alias("公民身份号码"),
        pl.col("relation_to_head").alias("与户主关系"), pl.col("户籍地址"), pl.col("_reg").alias("户口登记日期"),
        pl.col("status").replace_strict({"living": "正常", "deceased": "死亡注销", "moved_away": "迁出注销"},
                                        default="正常").alias("户口状态"),
        pl.when(pl.col("status") != "living").then(pl.col("status_date")).alias("注销日期"),
        pl.col("education").alias("文化程度"), pl.col("phone").alias("联系电话"),
        pl.col("person_id").alias("_person_id"), pl.col("hukou_house_id").alias("_house_id"), pl.col("_street__户籍地址"),
    )
    return Extract(df, {"出生日期": "iso", "户口登记日期": "iso", "注销日期": "iso"})


def ps_population(ctx: Context, rng: np.random.Generator) -> Extract:
    p = ctx.persons.filter(pl.col("residence_house_id").is_not_null() | (pl.col("status") != "living"))
    n = p.height
    start = datetime(2015, 1, 1)
    span = (datetime.combine(ctx.as_of, datetime.min.time()) - start).total_seconds()
    base = rng.random(n) * span
    arrived = p["arrived_on"].cast(pl.Datetime("us")).dt.epoch("s").to_numpy().astype(float) - start.timestamp()
    status = p["status_date"].cast(pl.Datetime("us")).dt.epoch("s").to_numpy().astype(float) - start.timestamp()
    secs = np.where(~np.isnan(arrived) & (arrived > 0), arrived + rng.random(n) * 30 * 86400, base)
    secs = np.where(~np.isnan(status) & (status > 0), status + rng.random(n) * 3 * 86400, secs)
    # a move is registered (居住登记变更) within 30 days of the move into today's residence: the register is never
    # older than the move, so it never keeps a previous house (system_factors: stale_address 0)
    moved = p["residence_since"].cast(pl.Datetime("us")).dt.epoch("s").to_numpy().astype(float) - start.timestamp()
    moved_reg = moved + 86400 + rng.random(n) * 29 * 86400
    secs = np.where(~np.isnan(moved), np.maximum(secs, moved_reg), secs)
    # registered during office hours (08:00-18:00) of that day
    secs = np.floor(secs / 86400) * 86400 + 8 * 3600 + np.floor(rng.random(n) * 10 * 3600)
    secs = np.minimum(secs, span - 1)
    djsj = pl.Series((start.timestamp() + secs) * 1_000_000).cast(pl.Int64).cast(pl.Datetime("us"))
    p = p.with_columns(djsj.alias("_djsj")).sort("_djsj", "person_id")
    p = p.with_columns(pl.format("R{}", pl.int_range(1, p.height + 1).cast(pl.String).str.zfill(11)).alias("_rkbh"))
    p = ctx.address(p, "home_house_id", "canonical", "jzdz", stale_from="prev_house_id")
    p = ctx.address(p, "hukou_house_id", "canonical", "hjdz")
    df = p.select(
        pl.col("_rkbh").alias("rkbh"), pl.col("name").alias("xm"), sex_code().alias("xb"),
        pl.col("ethnicity").replace_strict(ETHNICITY_CODES, default="97").alias("mz"),
        pl.col("birth_date").alias("csrq"), pl.col("id_number").alias("gmsfhm"),
        pl.col("population_type").replace_strict({"户籍": "1", "来沪": "2", "境外": "3"}, default="2").alias("rylb"),
        pl.col("jzdz"), pl.col("hjdz"),
        pl.when(pl.col("population_type") == "户籍").then(pl.col("_street__hjdz").str.slice(0, 6))
        .otherwise(pl.col("id_region_code")).alias("hjdxzqh"),
        pl.col("arrived_on").alias("lhrq"), pl.col("residence_permit_no").alias("jzzbh"), pl.col("phone").alias("lxdh"),
        pl.col("status").replace_strict({"living": "0", "deceased": "1", "moved_away": "2"}, default="0").alias("zxbs"),
        pl.col("_djsj").alias("djsj"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__jzdz"), pl.col("_stale__jzdz"), pl.col("_stale_house__jzdz"), pl.col("_street__hjdz"),
        pl.col("residence_since").alias("_moved_on"), pl.col("_djsj").cast(pl.Date).alias("_recorded_on"),
    )
    return Extract(df)


# ---------------------------------------------------------------- civil affairs

def ca_dibao(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx).filter(pl.col("household_id").is_not_null())
    cases = p.filter(pl.col("dibao_case_no").is_not_null()).group_by("household_id").agg(
        pl.col("dibao_case_no").min().alias("_case"), pl.col("dibao_since").min().alias("_since"),
        pl.len().alias("_covered"))
    m = p.join(cases, on="household_id", how="inner")
    m = m.with_columns(pl.len().over("household_id").alias("_size")).sort("_case", "person_id")
    heads = ctx.persons.select(pl.col("person_id").alias("head_person_id"), pl.col("name").alias("_head_name"),
                               pl.col("id_number").alias("_head_id"))
    m = m.join(heads, on="head_person_id", how="left", maintain_order="left")
    reasons = cases.sort("household_id").select("household_id").with_columns(
        choice(rng, ["因病", "因残", "失业", "年老体弱", "缺乏劳动力", "子女就学"], cases.height).alias("_reason"))
    m = m.join(reasons, on="household_id", how="left", maintain_order="left").sort("_case", "person_id")
    m = ctx.address(m, "home_house_id", "street", "家庭住址", stale_from="prev_house_id")
    df = m.select(
        pl.col("_case").alias("低保证号"), pl.col("_head_name").alias("户主姓名"), pl.col("_head_id").alias("户主身份证号"),
        pl.col("name").alias("姓名"), pl.col("id_number").alias("身份证号"), pl.col("relation_to_head").alias("与户主关系"),
        pl.col("_size").cast(pl.Int64).alias("家庭人口"), pl.col("_covered").cast(pl.Int64).alias("保障人数"),
        (pl.col("_covered") * DIBAO_STANDARD).cast(pl.Int64).alias("月保障金(元)"), pl.col("_since").alias("保障起始日期"),
        pl.col("_reason").alias("致困原因"), pl.col("家庭住址"), pl.col("phone").alias("联系电话"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__家庭住址"), pl.col("_stale__家庭住址"), pl.col("_stale_house__家庭住址"),
        pl.col("residence_since").alias("_moved_on"), pl.col("_since").alias("_recorded_on"),
    )
    return Extract(df, {"保障起始日期": "iso"})


def ca_low_income(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx).filter(pl.col("low_income_case_no").is_not_null()).sort("low_income_case_no", "person_id")
    n = p.height
    income = np.round(rng.uniform(DIBAO_STANDARD, 2 * DIBAO_STANDARD, n), 2)
    items = choice(rng, ["医疗救助", "医疗救助、教育救助", "临时救助", "医疗救助、住房救助", "教育救助"], n)
    p = p.with_columns(pl.Series("_income", np.char.mod("%.2f", income), dtype=pl.String), items.alias("_items"))
    p = ctx.address(p, "home_house_id", "street", "居住地址", stale_from="prev_house_id")
    df = p.select(
        pl.col("low_income_case_no").alias("认定编号"), pl.col("name").alias("姓名"), pl.col("id_number").alias("证件号码"),
        pl.col("sex").alias("性别"), pl.col("birth_date").alias("出生年月"), pl.col("low_income_since").alias("认定日期"),
        pl.col("low_income_since").dt.offset_by("3y").dt.offset_by("-1d").alias("有效期至"),
        pl.col("_income").alias("家庭人均月收入"), pl.col("_items").alias("救助项目"), pl.col("居住地址"),
        pl.col("phone").alias("手机"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__居住地址"), pl.col("_stale__居住地址"), pl.col("_stale_house__居住地址"),
        pl.col("residence_since").alias("_moved_on"), pl.col("low_income_since").alias("_recorded_on"),
    )
    return Extract(df, {"出生年月": "month", "认定日期": "iso", "有效期至": "iso"})


def ca_tekun(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx).filter(pl.col("tekun_case_no").is_not_null()).sort("tekun_case_no", "person_id")
    n = p.height
    caregiver = random_names(ctx, rng, n)
    p = p.with_columns(pl.when(pl.col("tekun_support_type") == "分散供养").then(caregiver).alias("_caregiver"))
    p = ctx.address(p, "home_house_id", "no_city", "address", stale_from="prev_house_id")
    df = p.select(
        pl.col("tekun_case_no").alias("caseNo"), pl.col("name"), pl.col("id_number").alias("idCard"),
        pl.col("sex").alias("gender"), pl.col("birth_date").alias("birthday"),
        pl.col("tekun_support_type").alias("supportType"), pl.col("tekun_since").alias("startDate"),
        pl.col("address"), pl.col("phone"), pl.col("_caregiver").alias("caregiver"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__address"), pl.col("_stale__address"), pl.col("_stale_house__address"),
        pl.col("residence_since").alias("_moved_on"), pl.col("tekun_since").alias("_recorded_on"),
    )
    return Extract(df, {"birthday": "iso", "startDate": "slash"})


def _allowance(age: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    tier = pl.when(age >= 100).then(pl.lit("100+"))
    amount = pl.when(age >= 100).then(pl.lit(600))
    for lo, label, yuan in ALLOWANCE[1:]:
        tier = tier.when(age >= lo).then(pl.lit(label))
        amount = amount.when(age >= lo).then(pl.lit(yuan))
    return tier, amount


def ca_elderly_allowance(ctx: Context, rng: np.random.Generator) -> Extract:
    if "elderly_allowance_tier" in ctx.persons.columns:   # the truth says who receives it (户籍 65+)
        eligible = pl.col("elderly_allowance_tier").is_not_null()
    else:
        eligible = (pl.col("population_type") == "户籍") & (pl.col("age") >= 65)
    p = ctx.persons.filter(eligible & (
        (pl.col("status") == "living") | ((pl.col("status") == "deceased")
                                          & (pl.col("status_date") >= ctx.as_of - timedelta(days=730)))))
    n = p.height
    start = pl.select(pl.max_horizontal(add_years(p["birth_date"], 65), pl.lit(date(2016, 5, 1)))).to_series()
    p = p.with_columns(start.alias("_start"))
    upd = rand_dates(rng, p["_start"], ctx.as_of - timedelta(days=1), n)
    upd = pl.Series(np.where(p["status"].to_numpy() == "deceased", p["status_date"].to_numpy(), upd.to_numpy())).cast(pl.Date)
    secs = pl.Series(rng.integers(8 * 3600, 18 * 3600, n) * 1_000_000)
    p = p.with_columns((upd.cast(pl.Datetime("us")) + pl.duration(microseconds=secs)).alias("_gxsj"))
    tier, amount = _allowance(pl.col("age"))
    if "elderly_allowance_tier" in p.columns:
        tier = pl.coalesce("elderly_allowance_tier", tier)
    if "elderly_allowance_amount" in p.columns:
        amount = pl.coalesce("elderly_allowance_amount", amount)
    p = p.sort("_gxsj", "person_id").with_columns(pl.int_range(1, p.height + 1, dtype=pl.Int64).alias("_id"))
    p = ctx.address(p, "home_house_id", "no_city", "jzdz", stale_from="prev_house_id")
    df = p.select(
        pl.col("_id").alias("id"), pl.col("name").alias("sqrxm"), pl.col("id_number").alias("sqrsfzh"),
        pl.col("sex").alias("xb"), pl.col("birth_date").alias("csrq"), tier.alias("jtdc"),
        amount.cast(pl.Int64).alias("jtje"), pl.col("_start").alias("ffkssj"), pl.col("jzdz"),
        pl.col("phone").alias("lxdh"),
        pl.when(pl.col("status") == "living").then(pl.lit("发放中")).otherwise(pl.lit("停发")).alias("zt"),
        pl.col("_gxsj").alias("gxsj"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__jzdz"), pl.col("_stale__jzdz"), pl.col("_stale_house__jzdz"),
        pl.col("residence_since").alias("_moved_on"), pl.col("_gxsj").cast(pl.Date).alias("_recorded_on"),
    )
    return Extract(df)


# ---------------------------------------------------------------- other departments

def dpf_disability(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx).filter(pl.col("disability_cert_no").is_not_null()).sort("disability_cert_no")
    n = p.height
    issued = rand_dates(rng, pl.select(pl.max_horizontal(pl.lit(p["birth_date"]), pl.lit(date(2008, 1, 1)))).to_series(),
                        ctx.as_of - timedelta(days=30), n)
    guardian_name = random_names(ctx, rng, n)
    guardian_phone = random_phones(rng, n)
    needs = ((pl.col("disability_grade").cast(pl.Int64) <= 2) | pl.col("disability_category").cast(pl.Int64).is_in([5, 6]))
    p = p.with_columns(issued.alias("_issued"), guardian_name.alias("_gn"), guardian_phone.alias("_gp"))
    p = ctx.address(p, "home_house_id", "canonical", "居住地址", stale_from="prev_house_id")
    df = p.select(
        pl.col("name").alias("姓名"), pl.col("sex").alias("性别"), pl.col("id_number").alias("身份证号"),
        pl.col("disability_cert_no").alias("残疾人证号"),
        pl.col("disability_category").cast(pl.Int64).replace_strict(DISABILITY_CATEGORIES, default=None,
                                                                    return_dtype=pl.String).alias("残疾类别"),
        pl.col("disability_grade").cast(pl.Int64).replace_strict(GRADES, default=None, return_dtype=pl.String).alias("残疾等级"),
        pl.col("_issued").alias("发证日期"),
        pl.when(needs).then(pl.col("_gn")).alias("监护人姓名"), pl.when(needs).then(pl.col("_gp")).alias("监护人电话"),
        pl.col("居住地址"), pl.col("phone").alias("联系电话"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__居住地址"), pl.col("_stale__居住地址"), pl.col("_stale_house__居住地址"),
        pl.col("residence_since").alias("_moved_on"), pl.col("_issued").alias("_recorded_on"),
    )
    return Extract(df, {"发证日期": "serial"})


def hc_family_doctor(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx).filter(pl.col("family_doctor_signed_on").is_not_null()).sort("family_doctor_signed_on", "person_id")
    p = p.with_columns(pl.format("QY{}", pl.int_range(1, p.height + 1).cast(pl.String).str.zfill(10)).alias("_sign"))
    years = ((pl.lit(ctx.as_of) - pl.col("family_doctor_signed_on")).dt.total_days() // 365 + 1).cast(pl.Int64)
    p = p.with_columns(pl.col("family_doctor_signed_on").dt.offset_by(pl.format("{}y", years)).alias("_expire"))
    chronic = pl.col("chronic_diseases")
    if p.schema["chronic_diseases"] == pl.List(pl.String):
        chronic = chronic.list.join("、")
    p = ctx.address(p, "home_house_id", "local", "address", stale_from="prev_house_id")
    df = p.select(
        pl.col("_sign").alias("sign_id"), pl.col("name"), pl.col("id_number").alias("id_card"), pl.col("sex").alias("gender"),
        pl.col("birth_date"), pl.col("family_doctor_org").alias("sign_org"), pl.col("family_doctor_name").alias("doctor_name"),
        pl.col("family_doctor_signed_on").alias("sign_date"), pl.col("_expire").alias("expire_date"),
        chronic.cast(pl.String).alias("chronic_diseases"), pl.col("phone"), pl.col("address"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__address"), pl.col("_stale__address"), pl.col("_stale_house__address"),
        pl.col("residence_since").alias("_moved_on"), pl.col("family_doctor_signed_on").alias("_recorded_on"),
    )
    return Extract(df)


def hr_employment(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx)
    employers = p.filter(pl.col("employer").is_not_null())["employer"].unique().sort()
    if employers.len() == 0:
        employers = pl.Series(["上海市某某有限公司"])
    adult = add_years(p["birth_date"], 18)
    lo = pl.select(pl.max_horizontal(pl.lit(adult), pl.lit(ctx.as_of - timedelta(days=15 * 365)))).to_series()
    emp_start = rand_dates(rng, lo, ctx.as_of - timedelta(days=30), p.height)
    p = p.with_columns(emp_start.alias("_emp_start"),
                       employers.gather(rng.integers(0, employers.len(), p.height)).alias("_old_employer"),
                       pl.Series(rng.random(p.height)).alias("_u"),
                       pl.coalesce("unemployed_since", pl.lit(ctx.as_of - timedelta(days=90))).alias("_unemp"))
    employed = p.filter((pl.col("employment_status") == "在职") & pl.col("employer").is_not_null())
    unemployed = p.filter(pl.col("employment_status") == "失业")
    cols = ["person_id", "name", "id_number", "sex", "birth_date", "hukou_house_id", "home_house_id", "prev_house_id", "phone",
            "residence_since"]
    frames = [
        employed.select(*cols, pl.lit("就业登记").alias("_type"), pl.col("_emp_start").alias("_reg"),
                        pl.col("employer").alias("_employer"), pl.lit(None, pl.Date).alias("_end")),
        # some employed persons were registered unemployed before their current job
        employed.filter(pl.col("_u") < 0.1).select(
            *cols, pl.lit("失业登记").alias("_type"), pl.col("_emp_start").dt.offset_by("-200d").alias("_reg"),
            pl.lit(None, pl.String).alias("_employer"), pl.col("_emp_start").dt.offset_by("-1d").alias("_end")),
        unemployed.select(*cols, pl.lit("失业登记").alias("_type"), pl.col("_unemp").alias("_reg"),
                          pl.lit(None, pl.String).alias("_employer"), pl.lit(None, pl.Date).alias("_end")),
        # the job they lost, ended the day before the unemployment registration
        unemployed.filter(pl.col("_u") < 0.7).select(
            *cols, pl.lit("就业登记").alias("_type"), pl.col("_unemp").dt.offset_by("-3y").alias("_reg"),
            pl.col("_old_employer").alias("_employer"), pl.col("_unemp").dt.offset_by("-1d").alias("_end")),
    ]
    r = pl.concat(frames).sort("_reg", "person_id", "_type")
    r = r.with_columns(pl.format("DJ{}", pl.int_range(1, r.height + 1).cast(pl.String).str.zfill(10)).alias("_no"))
    r = ctx.address(r, "hukou_house_id", "canonical", "户籍地址")
    r = ctx.address(r, "home_house_id", "no_city", "居住地址", stale_from="prev_house_id")
    df = r.select(
        pl.col("_no").alias("登记编号"), pl.col("name").alias("姓名"), pl.col("id_number").alias("证件号码"),
        pl.col("sex").alias("性别"), pl.col("birth_date").alias("出生日期"), pl.col("_type").alias("登记类别"),
        pl.col("_reg").alias("登记日期"), pl.col("_employer").alias("用人单位"), pl.col("_end").alias("终止日期"),
        pl.col("户籍地址"), pl.col("居住地址"), pl.col("phone").alias("手机号码"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__户籍地址"), pl.col("_street__居住地址"), pl.col("_stale__居住地址"), pl.col("_stale_house__居住地址"),
        pl.col("residence_since").alias("_moved_on"), pl.col("_reg").alias("_recorded_on"),
    )
    return Extract(df, {"出生日期": "iso", "登记日期": "slash", "终止日期": "slash"})


def ha_property(ctx: Context, rng: np.random.Generator) -> Extract:
    h = ctx.houses.filter(pl.col("owner_person_id").is_not_null()).sort("certificate_no", "house_id")
    n = h.height
    owners = ctx.persons.select(pl.col("person_id").alias("owner_person_id"), pl.col("name").alias("_owner"),
                                pl.col("id_number").alias("_owner_id"), pl.col("birth_date").alias("_birth"))
    h = h.join(owners, on="owner_person_id", how="left", maintain_order="left").sort("certificate_no", "house_id")
    lo = pl.select(pl.max_horizontal(pl.lit(add_years(h["_birth"], 22)), pl.lit(date(1995, 1, 1)))).to_series()
    h = h.with_columns(rand_dates(rng, lo, ctx.as_of - timedelta(days=10), n).alias("_reg"),
                       choice(rng, ["单独所有", "共同共有", "按份共有"], n, [0.6, 0.35, 0.05]).alias("_co"))
    h = ctx.address(h, "house_id", "housing", "房屋坐落")
    cert = pl.coalesce("certificate_no", pl.format("沪房地字第{}号", pl.col("house_id")))
    df = h.select(
        cert.alias("不动产权证号"), pl.col("房屋坐落"), pl.col("_owner").alias("权利人"), pl.col("_owner_id").alias("权利人证件号"),
        pl.col("_co").alias("共有情况"), pl.col("house_type").alias("房屋类型"),
        pl.col("floor_area").cast(pl.Float64).round(2).alias("建筑面积(㎡)"), pl.lit("住宅").alias("用途"),
        pl.col("_reg").alias("登记日期"),
        pl.col("owner_person_id").alias("_person_id"), pl.col("house_id").alias("_house_id"), pl.col("_street__房屋坐落"),
    )
    return Extract(df, {"登记日期": "xlsx_date"})


def va_veterans(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx).filter(pl.col("veteran_no").is_not_null()).sort("veteran_no")
    grade = choice(rng, ["一级", "二级", "三级", "四级", "五级", "六级", "七级", "八级", "九级", "十级"], p.height)
    p = p.with_columns(pl.when(pl.col("preferential_category").fill_null("").str.contains("伤残")).then(grade).alias("_grade"))
    p = ctx.address(p, "home_house_id", "veteran", "address", stale_from="prev_house_id")
    df = p.select(
        pl.col("veteran_no").alias("veteranNo"), pl.col("name"), pl.col("id_number").alias("idNumber"),
        pl.col("sex").alias("gender"), pl.col("birth_date").alias("birthDate"), pl.col("enlisted_on").alias("enlistDate"),
        pl.col("discharged_on").alias("dischargeDate"), pl.col("preferential_category").alias("preferentialCategory"),
        pl.col("_grade").alias("disabilityGrade"), pl.col("address"), pl.col("phone"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__address"), pl.col("_stale__address"), pl.col("_stale_house__address"),
        pl.col("residence_since").alias("_moved_on"), pl.col("discharged_on").alias("_recorded_on"),
    )
    return Extract(df, {"birthDate": "iso", "enlistDate": "iso", "dischargeDate": "iso"})


def po_party_members(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx).filter(pl.col("party_status").is_in(["正式党员", "预备党员"])).sort("party_branch", "person_id",
                                                                                     nulls_last=True)
    p = ctx.address(p, "home_house_id", "no_city", "现居住地", stale_from="prev_house_id")
    df = p.select(
        pl.col("name").alias("姓名"), pl.col("sex").alias("性别"), pl.col("ethnicity").alias("民族"),
        pl.col("birth_date").alias("出生日期"), pl.col("id_number").alias("公民身份证号"), pl.col("education").alias("学历"),
        pl.col("party_joined_on").alias("入党日期"),
        pl.when(pl.col("party_status") == "正式党员").then(pl.col("party_full_on")).alias("转正日期"),
        pl.col("party_status").alias("党员类别"), pl.col("party_branch").alias("所在党支部"), pl.col("phone").alias("联系电话"),
        pl.col("现居住地"),
        pl.col("person_id").alias("_person_id"), pl.col("home_house_id").alias("_house_id"),
        pl.col("_street__现居住地"), pl.col("_stale__现居住地"), pl.col("_stale_house__现居住地"),
        pl.col("residence_since").alias("_moved_on"),  # the register has no record date: any member who moved may still be listed at the previous house
    )
    return Extract(df, {"出生日期": "iso", "入党日期": "cn", "转正日期": "cn"})


def ed_graduates(ctx: Context, rng: np.random.Generator) -> Extract:
    p = ctx.persons.filter(pl.col("graduation_year").cast(pl.Int64) == ctx.as_of.year).sort("graduate_school", "person_id",
                                                                                          nulls_last=True)
    p = p.with_columns(pl.format("{}{}", pl.lit(str(ctx.as_of.year - 4)),
                                 pl.int_range(1, p.height + 1).cast(pl.String).str.zfill(6)).alias("_xh"),
                       pl.coalesce("hukou_house_id", "home_house_id").alias("_family_house"))
    jyzt = pl.col("employment_status").replace_strict({"在职": "已就业", "失业": "待就业", "在校": "升学", "无业": "待就业"},
                                                      default="待就业")
    p = ctx.address(p, "_family_house", "canonical", "jtdz")
    df = p.select(
        pl.col("_xh").alias("xh"), pl.col("name").alias("xm"), pl.col("id_number").alias("sfzh"), pl.col("sex").alias("xb"),
        pl.col("birth_date").alias("csrq"), pl.col("graduate_school").alias("byyx"), pl.col("graduate_major").alias("zy"),
        pl.col("graduate_degree").alias("xl"), pl.col("graduation_year").cast(pl.Int64).alias("bynf"), pl.col("jtdz"),
        jyzt.alias("jyzt"),
        pl.col("person_id").alias("_person_id"), pl.col("_family_house").alias("_house_id"), pl.col("_street__jtdz"),
    )
    return Extract(df, {"csrq": "compact"})


# ---------------------------------------------------------------- community visits

SITUATIONS = ["上门探望时在家休息,身体一般", "老人精神状态良好,生活能自理", "家中卫生状况较差,已联系志愿者", "近期血压偏高,提醒按时服药",
              "子女不在身边,独自居住", "家庭经济困难,申请临时救助", "行动不便,需要助餐服务", "情况稳定,无特殊需求",
              "电话询问近况,身体尚可", "反映楼道灯损坏"]
APPEALS = ["", "", "", "希望增加助餐服务", "申请居家养老服务", "咨询低保复核", "希望安装扶手", "咨询医保报销", "求职意向登记"]
DEPT_FOCUS = {"民政": "_poor", "残联": "_disabled", "卫健": "_elderly", "退役军人": "_veteran", "人社": "_unemployed"}


def cc_visits(ctx: Context, rng: np.random.Generator) -> Extract:
    p = living(ctx).filter(pl.col("residence_house_id").is_not_null())
    alone = p.group_by("residence_house_id").agg(pl.len().alias("_k"))
    alone_expr = (pl.col("age") >= 65) & (pl.col("_k") == 1)
    if "lives_alone" in p.columns:
        alone_expr = (pl.col("age") >= 60) & pl.col("lives_alone").fill_null(False)
    if "key_care_category" in p.columns:
        alone_expr = alone_expr | pl.col("key_care_category").is_not_null()
    p = p.join(alone, on="residence_house_id", how="left", maintain_order="left").with_columns(
        alone_expr.alias("_alone"),
        (pl.col("dibao_case_no").is_not_null() | pl.col("tekun_case_no").is_not_null()
         | pl.col("low_income_case_no").is_not_null()).alias("_poor"),
        pl.col("disability_cert_no").is_not_null().alias("_disabled"),
        (pl.col("age") >= 80).alias("_elderly"),
        pl.col("veteran_no").is_not_null().alias("_veteran"),
        (pl.col("employment_status") == "失业").alias("_unemployed"),
    )
    flags = ["_alone", "_poor", "_disabled", "_elderly", "_veteran", "_unemployed"]
    p = p.with_columns([pl.col(f).fill_null(False) for f in flags])
    targets = p.filter(pl.col("_alone") | pl.col("_poor") | pl.col("_disabled") | pl.col("_elderly") | pl.col("_veteran")
                       | pl.col("_unemployed")).sort("person_id")
    n = targets.height
    window = 183
    first_day = ctx.as_of - timedelta(days=window)
    # committee visits: ~monthly for the elderly alone and the poor, every ~2 months otherwise
    per = np.where(targets["_alone"].to_numpy() | targets["_poor"].to_numpy(), rng.poisson(5, n), rng.poisson(2, n))
    idx = np.repeat(np.arange(n), per)
    days = rng.integers(0, window, len(idx))
    committee = pl.DataFrame({"_i": idx, "_day": days, "_dept": "居委会"})
    frames = [committee]
    anchor = committee.group_by("_i").agg(pl.col("_day").min())
    # departmental visits, a third of them within the same week as a committee visit (repeat visits)
    for dept, flag in DEPT_FOCUS.items():
        who = np.flatnonzero(targets[flag].to_numpy() & (rng.random(n) < 0.6))
        if len(who) == 0:
            continue
        d = rng.integers(0, window, len(who))
        same_week = rng.random(len(who)) < 0.35
        anchor_day = (pl.DataFrame({"_i": who}).join(anchor, on="_i", how="left", maintain_order="left")["_day"]
                      .fill_null(-1).to_numpy())
        shifted = np.clip(anchor_day + rng.integers(-3, 4, len(who)), 0, window - 1)
        d = np.where(same_week & (anchor_day >= 0), shifted, d)
        frames.append(pl.DataFrame({"_i": who, "_day": d, "_dept": dept}))
    v = pl.concat(frames).sort("_day", "_i", "_dept")
    m = v.height
    t = targets.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
    v = v.with_columns(pl.col("_i").cast(pl.Int64)).join(t, on="_i", how="left", maintain_order="left").sort("_day", "_i", "_dept")
    visitors = random_names(ctx, rng, max(200, n // 50))
    dept = v["_dept"].to_numpy()
    is_committee = dept == "居委会"
    keep_id = np.where(is_committee, rng.random(m) < 0.35, rng.random(m) < 0.8)
    method = np.where(is_committee, np.array(["入户", "电话", "微信", "来访"])[rng.choice(4, m, p=[0.6, 0.25, 0.1, 0.05])],
                      np.array(["入户", "电话"])[rng.choice(2, m, p=[0.7, 0.3])])
    v = v.with_columns(
        pl.format("V{}", pl.int_range(1, m + 1).cast(pl.String).str.zfill(10)).alias("_vid"),
        (pl.lit(first_day) + pl.duration(days=pl.col("_day"))).alias("_date"),
        visitors.gather(rng.integers(0, visitors.len(), m)).alias("_visitor"),
        pl.Series(keep_id).alias("_keep_id"), pl.Series(method).alias("_method"),
        choice(rng, SITUATIONS, m).alias("_situation"), choice(rng, APPEALS, m).alias("_appeal"),
    )
    v = v.join(ctx.addresses.select(pl.col("house_id").alias("residence_house_id"), "committee_code"),
               on="residence_house_id", how="left", maintain_order="left").sort("_day", "_i", "_dept")
    v = ctx.address(v, "residence_house_id", "compound", "targetAddress", stale_from="prev_house_id")
    df = v.select(
        pl.col("_vid").alias("visitId"), pl.col("_date").alias("visitDate"), pl.col("_visitor").alias("visitor"),
        pl.col("_dept").alias("visitorDept"), pl.col("committee_code").alias("committeeCode"),
        pl.col("name").alias("targetName"),
        pl.when(pl.col("_keep_id")).then(pl.col("id_number")).otherwise(pl.lit("")).alias("targetIdNumber"),
        pl.col("targetAddress"), pl.col("_method").alias("method"), pl.col("_situation").alias("situation"),
        pl.col("_appeal").alias("appeal"),
        pl.when(pl.col("_appeal") != "").then(pl.lit("是")).otherwise(pl.lit("否")).alias("followUp"),
        pl.col("person_id").alias("_person_id"), pl.col("residence_house_id").alias("_house_id"),
        pl.col("_street__targetAddress"), pl.col("_stale__targetAddress"), pl.col("_stale_house__targetAddress"),
        pl.col("residence_since").alias("_moved_on"), pl.col("_date").alias("_recorded_on"),
    )
    return Extract(df, {"visitDate": "iso"})


BUILDERS: dict[str, Callable[[Context, np.random.Generator], Extract]] = {
    "ps_hukou": ps_hukou, "ps_population": ps_population, "ca_dibao": ca_dibao, "ca_low_income": ca_low_income,
    "ca_tekun": ca_tekun, "ca_elderly_allowance": ca_elderly_allowance, "dpf_disability": dpf_disability,
    "hc_family_doctor": hc_family_doctor, "hr_employment": hr_employment, "ha_property": ha_property,
    "va_veterans": va_veterans, "po_party_members": po_party_members, "ed_graduates": ed_graduates,
    "cc_visits": cc_visits,
}
