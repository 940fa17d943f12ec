"""Staging and int_person_records on a generated city, checked against the generator's truth.

The city's noise (truth/noise.parquet) says what was done to each value; wherever the noise is reversible
(15-digit IDs, lower-case x, full-width digits, traditional characters, full-width spaces, other date formats)
the staged value must equal the truth, and where it is not (a digit replaced or two swapped) the ID must be flagged
invalid, never accepted as another valid number.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl
import pytest

from connectors.config import load_source_configs

if TYPE_CHECKING:
    from dbt_city import DbtBuild

STAGING = {
    "ps_hukou": "stg_public_security__hukou_persons",
    "ps_population": "stg_public_security__population_records",
    "ca_dibao": "stg_civil_affairs__dibao_members",
    "ca_low_income": "stg_civil_affairs__low_income_persons",
    "ca_tekun": "stg_civil_affairs__tekun_persons",
    "ca_elderly_allowance": "stg_civil_affairs__elderly_allowances",
    "dpf_disability": "stg_disabled_persons_federation__disabled_persons",
    "hc_family_doctor": "stg_health_commission__family_doctor_signings",
    "hr_employment": "stg_human_resources__employment_registrations",
    "ha_property": "stg_housing_administration__property_titles",
    "va_veterans": "stg_veterans_affairs__veterans",
    "po_party_members": "stg_party_organisation__party_members",
    "ed_graduates": "stg_education__graduates",
    "cc_visits": "stg_community_committees__visits",
}
REVERSIBLE_ID = {"id_legacy15", "id_lowercase_x", "id_fullwidth"}
REVERSIBLE_NAME = {"name_traditional", "name_fullwidth_space"}
# the canonical field that names the record's person, per role
PERSON_FIELDS = {"subject": ("id_number", "person_name"), "owner": ("owner_id_number", "owner_name")}


@pytest.fixture(scope="module")
def build(full_build: DbtBuild) -> DbtBuild:
    """The whole project built once per worker (tests/dbt_city.py), shared with the other test folders."""
    return full_build


@pytest.fixture(scope="module")
def records(build: DbtBuild) -> pl.DataFrame:
    """int_person_records (subjects and owners) joined to the true person of their source record."""
    truth = build.paths.truth
    return build.query(f"""
        select r.*, p.person_id, p.id_number as true_id_number, p.name as true_name, p.birth_date as true_birth_date,
            p.sex as true_sex, p.phone as true_phone
        from intermediate.int_person_records r
        join '{truth}/source_records.parquet' s using (system, source, row_key)
        join '{truth}/persons.parquet' p on p.person_id = s.person_id
        where r.role in ('subject', 'owner')
    """)


@pytest.fixture(scope="module")
def noise(build: DbtBuild) -> pl.DataFrame:
    """Noise events with the source header translated to the canonical field name."""
    header_to_field = pl.DataFrame(
        [{"system": c.system, "field": header, "canonical": canonical}
         for c in load_source_configs().values() for header, canonical in c.columns.items()]
    )
    events = pl.read_parquet(build.paths.truth / "noise.parquet")
    return events.join(header_to_field, on=["system", "field"], how="left")


def _kinds(records: pl.DataFrame, noise: pl.DataFrame, fields: dict[str, str]) -> pl.DataFrame:
    """records + `kinds`: the noise kinds applied to the person's field of the record (empty list when none)."""
    per_role = pl.DataFrame({"role": list(fields), "canonical": list(fields.values())})
    hits = (noise.join(per_role, on="canonical").group_by("system", "row_key", "role")
            .agg(pl.col("kind").unique().alias("kinds")))
    return (records.join(hits, on=["system", "row_key", "role"], how="left")
            .with_columns(pl.col("kinds").fill_null(pl.lit([], dtype=pl.List(pl.String)))))


def test_staging_rows_are_bronze_minus_exact_duplicates(build: DbtBuild) -> None:
    truth = build.paths.truth
    for system, model in STAGING.items():
        counts = build.query(f"""
            select
                (select count(*) from delta_scan('{build.paths.bronze / system}')) as bronze,
                (select count(distinct (_source, _row_hash)) from delta_scan('{build.paths.bronze / system}')) as distinct_rows,
                (select count(*) from staging.{model}) as staged,
                (select count(distinct record_key) from staging.{model}) as keys,
                (select count(*) from staging.{model} m
                 anti join '{truth}/source_records.parquet' s using (system, source, row_key)) as unknown
        """).row(0, named=True)
        assert counts["staged"] == counts["distinct_rows"] == counts["keys"], (system, counts)
        assert counts["unknown"] == 0, (system, counts)
        cfg = load_source_configs()[system]
        if cfg.format not in {"postgres", "mysql"}:   # file systems: the injected duplicates are exact copies
            injected = (pl.read_parquet(truth / "source_records.parquet")
                        .filter((pl.col("system") == system) & pl.col("is_duplicate") & ~pl.col("is_broken")).height)
            assert counts["bronze"] - counts["staged"] == injected, (system, counts, injected)


def test_id_numbers_normalise_to_the_truth(records: pl.DataFrame, noise: pl.DataFrame) -> None:
    r = _kinds(records, noise, {"subject": "id_number", "owner": "owner_id_number"})
    reversible = r.filter((pl.col("kinds").list.set_difference(list(REVERSIBLE_ID)).list.len() == 0)
                          & pl.col("id_number").is_not_null())
    for kind in REVERSIBLE_ID:   # each reversible kind occurs in the city, so each is really exercised
        assert reversible.filter(pl.col("kinds").list.contains(kind)).height > 0, kind
    wrong = reversible.filter((pl.col("id_number") != pl.col("true_id_number")) | ~pl.col("id_valid"))
    assert wrong.is_empty(), wrong.select("record_key", "id_number", "true_id_number", "kinds").head(10).to_dicts()
    # a replaced or swapped digit is always caught by MOD 11-2: never valid, never someone else's number
    broken = r.filter(pl.col("kinds").list.set_intersection(["id_substitution", "id_transposition"]).list.len() > 0)
    assert broken.height > 0
    assert not broken["id_valid"].any()
    assert records.filter(pl.col("id_valid") & (pl.col("id_number") != pl.col("true_id_number"))).is_empty()


def test_abolished_region_codes_stay_valid(records: pl.DataFrame) -> None:
    old = records.filter(pl.col("true_id_number").str.slice(0, 6).is_in(["310102", "310103", "310108", "310225", "310230"])
                         & (pl.col("id_number") == pl.col("true_id_number")))
    assert old.height > 0
    assert old["id_valid"].all()


def test_names_normalise_to_the_truth(records: pl.DataFrame, noise: pl.DataFrame) -> None:
    r = _kinds(records, noise, {"subject": "person_name", "owner": "owner_name"})
    reversible = r.filter(pl.col("kinds").list.set_difference(list(REVERSIBLE_NAME)).list.len() == 0)
    for kind in REVERSIBLE_NAME:
        assert reversible.filter(pl.col("kinds").list.contains(kind)).height > 0, kind
    wrong = reversible.filter(pl.col("person_name") != pl.col("true_name"))
    assert wrong.is_empty(), wrong.select("record_key", "person_name", "true_name", "kinds").head(10)


def test_stated_birth_dates_parse_to_the_truth(build: DbtBuild, records: pl.DataFrame, noise: pl.DataFrame) -> None:
    stated = records.filter(~pl.col("birth_date_from_id") & pl.col("birth_date").is_not_null())
    # ca_low_income states the month only (birth_date_precision: month): the day comes from a valid ID number that
    # agrees on the month, else the date stays the first of the month
    month = pl.col("system") == "ca_low_income"
    wrong = stated.filter(
        (~month & (pl.col("birth_date") != pl.col("true_birth_date")))
        | (month & (pl.col("birth_date") != pl.col("true_birth_date"))
           & (pl.col("birth_date") != pl.col("true_birth_date").dt.truncate("1mo"))))
    assert wrong.is_empty(), wrong.select("record_key", "birth_date", "true_birth_date").head(10)
    refined = stated.filter(month & (pl.col("birth_date") == pl.col("true_birth_date"))
                            & (pl.col("true_birth_date").dt.day() != 1))
    assert refined.height > 0          # days taken from the ID numbers
    # every alternative format the generator wrote into a birth-date field was parsed
    formats = noise.filter((pl.col("kind") == "date_format") & (pl.col("canonical") == "birth_date"))
    assert formats.height > 0
    reparsed = formats.join(stated.select("system", "row_key"), on=["system", "row_key"], how="anti")
    assert reparsed.is_empty(), reparsed.head(10)


def test_every_source_date_parses(build: DbtBuild) -> None:
    """No non-empty date in any source is lost: each DATE column of a staging table has a value wherever bronze had text."""
    for system, model in STAGING.items():
        with build.connect() as con:
            staged = con.sql(f"describe staging.{model}").fetchall()
            bronze = {row[0] for row in con.sql(f"describe select * from delta_scan('{build.paths.bronze / system}')").fetchall()}
            date_columns = [row[0] for row in staged if row[1] == "DATE" and row[0] in bronze]
            assert date_columns, system
            for col in date_columns:
                lost = con.sql(f"""
                    select b.{col} from staging.{model} m
                    join delta_scan('{build.paths.bronze / system}') b
                      on b._source = m.source and b._row_number = m.source_row_number and b._row_hash = m.row_hash
                    where nullif(trim(b.{col}), '') is not null and m.{col} is null
                """).fetchall()
                assert not lost, (system, col, lost[:10])


def test_population_codes_are_decoded(build: DbtBuild) -> None:
    truth = build.paths.truth
    df = build.query(f"""
        select m.sex, m.ethnicity, m.population_type, m.status, p.sex as t_sex, p.ethnicity as t_ethnicity,
            p.population_type as t_type, p.status as t_status
        from staging.stg_public_security__population_records m
        join '{truth}/source_records.parquet' s using (system, source, row_key)
        join '{truth}/persons.parquet' p on p.person_id = s.person_id
    """)
    assert df.height > 0
    assert (df["sex"] == df["t_sex"]).all()
    assert (df["ethnicity"] == df["t_ethnicity"]).all()
    assert (df["population_type"] == df["t_type"]).all()
    status = df["t_status"].replace_strict({"living": "正常", "deceased": "死亡", "moved_away": "迁出"})
    assert (df["status"] == status).all()


def test_phones_normalise_to_the_truth(records: pl.DataFrame, noise: pl.DataFrame) -> None:
    r = _kinds(records, noise, {"subject": "phone"})
    kept = r.filter((pl.col("kinds").list.set_difference(["phone_fullwidth"]).list.len() == 0)
                    & pl.col("phone").is_not_null())
    assert kept.filter(pl.col("kinds").list.contains("phone_fullwidth")).height > 0
    assert (kept["phone"] == kept["true_phone"]).all()


def test_person_records_contract(build: DbtBuild) -> None:
    df = build.query("select * from intermediate.int_person_records")
    assert df["record_person_key"].is_unique().all()
    assert set(df["system"]) == set(STAGING)
    assert set(df["role"]) == {"subject", "owner", "head"}
    heads = df.filter(pl.col("role") == "head")
    members = df.filter(pl.col("role") == "subject").select("record_key", pl.col("id_number").alias("member_id"))
    joined = heads.join(members, on="record_key")
    assert joined.height == heads.height
    assert (joined["id_number"] != joined["member_id"]).all()


def test_staging_models_deduplicate_on_the_connector_primary_key() -> None:
    """Each staging model is the macro staging_model on its system's entry of the generated registry
    source_systems(), and that entry carries the primary key of the connector YAML (which the macro hands to
    bronze_deduplicated)."""
    import json

    from shequyun.core.settings import PROJECT_ROOT

    configs = load_source_configs()
    registry = (PROJECT_ROOT / "dbt_project" / "macros" / "generated" / "source_systems.sql").read_text(encoding="utf-8")
    for system, model in STAGING.items():
        sql = next((PROJECT_ROOT / "dbt_project" / "models" / "staging").glob(f"*/{model}.sql")).read_text(encoding="utf-8")
        assert f"{{{{ staging_model(source_systems()['{system}']) }}}}" in sql, model
        entry = re.search(rf'    "{system}": {{\n(.*?)\n    }},', registry, re.DOTALL)
        assert entry is not None, system
        assert f'"model": "{model}",' in entry.group(1), system
        key = re.search(r'"primary_key": (\[[^\]]*\]),', entry.group(1))
        assert key is not None and json.loads(key.group(1)) == list(configs[system].primary_key), model


def test_reference_seeds_are_generated_from_their_sources() -> None:
    """ref_t2s_characters / ref_region_codes / ref_ethnicity_codes equal what scripts/make_ref_seeds.py derives
    from OpenCC, python-stdnum and the GB/T 3304 table (no hand edits)."""
    import subprocess
    import sys

    from shequyun.core.settings import PROJECT_ROOT

    proc = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "make_ref_seeds.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    t2s = pl.read_csv(PROJECT_ROOT / "dbt_project" / "seeds" / "ref_t2s_characters.csv")
    pairs = dict(zip(t2s["traditional"], t2s["simplified"]))
    assert pairs["陳"] == "陈" and pairs["張"] == "张" and pairs["歐"] == "欧"
    regions = pl.read_csv(PROJECT_ROOT / "dbt_project" / "seeds" / "ref_region_codes.csv", infer_schema=False)
    codes = set(regions["region_code"])
    assert {"310102", "310103", "310108", "310111", "310119", "810000", "820000", "830000"} <= codes
    assert {f"3102{n}" for n in range(21, 31)} <= codes


def test_addresses_are_cleaned_back_to_the_truth_text(build: DbtBuild, noise: pl.DataFrame) -> None:
    """An address whose only noise is traditional characters or full-width digits is staged as the original text."""
    fields = noise.filter(pl.col("canonical").is_in(["address", "hukou_address"]))
    only = (fields.group_by("system", "row_key", "canonical")
            .agg(pl.col("kind").unique().alias("kinds"), pl.col("before").first())
            .filter(pl.col("kinds").list.set_difference(["address_traditional", "address_fullwidth"]).list.len() == 0))
    checked = 0
    for system, model in STAGING.items():
        for canonical in ("address", "hukou_address"):
            events = only.filter((pl.col("system") == system) & (pl.col("canonical") == canonical))
            if events.is_empty():
                continue
            staged = build.query(f"select row_key, {canonical} as staged from staging.{model}")
            joined = events.join(staged, on="row_key")
            wrong = joined.filter(pl.col("staged").is_null() | (pl.col("staged") != pl.col("before")))
            assert wrong.is_empty(), (system, canonical, wrong.head(5).to_dicts())
            checked += joined.height
    kinds = {k for ks in only["kinds"].to_list() for k in ks}
    assert {"address_traditional", "address_fullwidth"} <= kinds
    assert checked > 0


def _python_date(text: str) -> date:
    """An independent parser for the generator's date forms (the oracle for parse_date)."""
    text = text.strip()
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return date(1899, 12, 30) + timedelta(days=int(float(text)))
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m", "%Y年%m月", "%Y%m"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def test_every_date_format_the_generator_writes_parses(build: DbtBuild, noise: pl.DataFrame) -> None:
    """Each date_format noise event: the staged DATE equals the date of the value before the noise, whichever of
    the forms (ISO, slash, compact, 年月日, month forms, Excel serial) was written."""
    events = noise.filter(pl.col("kind") == "date_format")
    styles = set()
    for (system, canonical), group in events.group_by("system", "canonical"):
        staged = build.query(f"select row_key, {canonical} as staged from staging.{STAGING[system]}")
        joined = group.join(staged, on="row_key")
        missing = group.filter(~pl.col("row_key").is_in(_dropped(build, system))).join(staged, on="row_key", how="anti")
        assert missing.is_empty(), (system, canonical, missing.head(5).to_dicts())
        for row in joined.iter_rows(named=True):
            assert row["staged"] == _python_date(row["before"]) == _python_date(row["after"]), (system, canonical, row)
            styles.add(_style(row["after"]))
    assert {"slash", "compact", "cn", "iso"} <= styles, styles


def _style(text: str) -> str:
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return "serial"
    if "年" in text:
        return "cn" if "日" in text else "month_cn"
    if "/" in text:
        return "slash"
    if re.fullmatch(r"\d{8}", text):
        return "compact"
    if re.fullmatch(r"\d{6}", text):
        return "month_compact"
    return "iso"


def _dropped(build: DbtBuild, system: str) -> list[str]:
    """Row keys that never reach staging: injected exact duplicates and broken (quarantined) rows."""
    sr = pl.read_parquet(build.paths.truth / "source_records.parquet")
    return sr.filter((pl.col("system") == system) & (pl.col("is_duplicate") | pl.col("is_broken")))["row_key"].to_list()


def test_id_conflicts_are_flagged_only_against_a_wrong_statement(records: pl.DataFrame) -> None:
    """id_conflicts_stated marks a valid ID contradicting the stated birth date / sex: with the truth at hand, a flagged
    record must state a birth date, sex or ID that is not the person's; an unflagged one with a true ID states no other."""
    true_month = pl.col("true_birth_date").dt.truncate("1mo")
    stated_wrong = (
        (~pl.col("birth_date_from_id") & pl.col("birth_date").is_not_null()
         & (pl.col("birth_date") != pl.when(pl.col("system") == "ca_low_income").then(true_month)
            .otherwise(pl.col("true_birth_date"))))
        | (~pl.col("sex_from_id") & pl.col("sex").is_not_null() & (pl.col("sex") != pl.col("true_sex")))
        | (pl.col("id_number") != pl.col("true_id_number"))
    ).fill_null(False)
    flagged = records.filter(pl.col("id_conflicts_stated"))
    assert flagged.filter(~stated_wrong).is_empty()
    clean = records.filter(pl.col("id_valid") & (pl.col("id_number") == pl.col("true_id_number")) & ~stated_wrong)
    assert clean.height > 0 and not clean["id_conflicts_stated"].any()
