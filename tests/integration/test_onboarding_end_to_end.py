"""A new department system reaches dim_person through its YAML alone, end to end.

On the test city (every shipped system landed), a system the project has never seen - 临时救助, new headers, GB18030
CSV with `;` - is added as one YAML file and one extract naming 60 of the city's living persons (names written in
traditional characters for some, the 15-digit ID for others). It is landed, the dbt sources, staging models and
registry are rendered into a copy of the project, and the WHOLE project is built with every dbt test and unit test.
The new records must be resolved onto the persons the population registers already know (no new person), and the
build must not need any SQL edit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml
from dbt_city import DbtBuild, build_rendered_project

from connectors.config import load_source_configs
from connectors.landing import load_system
from shequyun.core.settings import SOURCES_DIR, Paths

SYSTEM = "ca_temp_relief"
MODEL = "stg_civil_affairs__temp_relief_cases"
YAML = {
    "system": SYSTEM, "title": "临时救助信息系统", "department": "civil_affairs", "department_title": "市民政局",
    "format": "csv", "encoding": "gb18030", "delimiter": ";", "path": f"civil_affairs/{SYSTEM}/*.csv",
    "columns": {"救助编号": "case_no", "救助对象姓名": "person_name", "公民身份号码": "id_number", "性别": "sex",
                "出生日期": "birth_date", "现住址": "address", "救助金额（元）": "relief_amount", "救助日期": "start_date"},
    "required": ["case_no"], "primary_key": ["case_no"],
    "staging": {"model": MODEL, "fields": {"relief_amount": {"kind": "decimal"}}},
    "resolution": {"recorded_on": "start_date"},
}
T2S = str.maketrans({"张": "張", "陈": "陳", "刘": "劉", "杨": "楊", "黄": "黃", "赵": "趙", "吴": "吳", "周": "週",
                     "国": "國", "华": "華", "伟": "偉", "强": "強", "丽": "麗", "军": "軍", "红": "紅"})


def _extract(truth: Path, houses: Path, rows: int = 60) -> pl.DataFrame:
    persons = (pl.read_parquet(truth)
               .filter((pl.col("status") == "living") & pl.col("residence_house_id").is_not_null())
               .sort("person_id").head(rows))
    address = pl.read_parquet(houses).select(pl.col("house_id").alias("residence_house_id"), "address")
    persons = persons.join(address, on="residence_house_id", how="left").sort("person_id")
    out = []
    for i, p in enumerate(persons.iter_rows(named=True)):
        name = p["name"].translate(T2S) if i % 3 == 0 else p["name"]
        legacy = i % 5 == 0 and p["birth_date"].year < 2000     # the 15-digit 1989 form (born in the 1900s only)
        id_number = p["id_number"][:6] + p["id_number"][8:17] if legacy else p["id_number"]
        out.append({"救助编号": f"LS{i:05d}", "救助对象姓名": name, "公民身份号码": id_number, "性别": p["sex"],
                    "出生日期": p["birth_date"].strftime("%Y年%m月%d日"), "现住址": p["address"],
                    "救助金额（元）": f"{500 + i}.00", "救助日期": "2026-10-15", "person_id": p["person_id"]})
    return pl.DataFrame(out)


@pytest.fixture(scope="module")
def onboarded_city(landed_city: Paths, full_build: DbtBuild, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("onboarded_city")
    paths = Paths(root)
    shutil.copytree(landed_city.lake, paths.lake)
    sources = root / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    (sources / f"{SYSTEM}.yaml").write_text(yaml.safe_dump(YAML, allow_unicode=True), encoding="utf-8")
    extract = _extract(landed_city.truth / "persons.parquet", landed_city.truth / "houses.parquet")
    folder = paths.landing / "civil_affairs" / SYSTEM
    folder.mkdir(parents=True)
    (folder / "relief_2026-10.csv").write_bytes(
        extract.drop("person_id").write_csv(separator=";").encode("gb18030"))
    result = load_system(load_source_configs(sources)[SYSTEM], paths)
    assert result.ok and result.rows_landed == extract.height, [str(f) for f in result.failures]

    db, _, _ = build_rendered_project(sources, paths.root, root)
    return db, extract, full_build


def test_the_whole_project_builds_and_the_new_records_join_known_persons(onboarded_city) -> None:
    db, extract, before = onboarded_city
    with duckdb.connect(str(db), read_only=True) as con:
        records = con.sql(f"""
            select regexp_extract(r.record_key, '[^:]+$') as row_key, r.person_key, r.recorded_on
            from marts.fct_person_source_records r where r.system = '{SYSTEM}' and r.role = 'subject'
        """).pl()
        persons_after = con.sql("select count(*) from marts.dim_person").fetchone()[0]
        # the person each new record was resolved to, against the person the city's registers resolve the same
        # true person to (the ps_population / ps_hukou records of the truth person)
        con.execute(f"attach '{before.duckdb_path}' as before (read_only)")
        persons_before = con.sql("select count(*) from before.marts.dim_person").fetchone()[0]
    assert records.height == extract.height and records["person_key"].null_count() == 0
    assert set(records["recorded_on"].cast(pl.String)) == {"2026-10-15"}
    assert persons_after == persons_before            # no new person: every record joined a known one
    truth = pl.read_parquet(Path(before.paths.truth) / "source_records.parquet")
    known = (truth.filter(pl.col("system").is_in(["ps_population", "ps_hukou"]))
             .select("person_id", (pl.col("system") + ":" + pl.col("source") + ":" + pl.col("row_key")).alias("record_key")))
    with duckdb.connect(str(db), read_only=True) as con:
        register_keys = con.sql("""
            select record_key, person_key from marts.fct_person_source_records
            where system in ('ps_population', 'ps_hukou') and role = 'subject'
        """).pl()
    expected = (known.join(register_keys, on="record_key").group_by("person_id")
                .agg(pl.col("person_key").first()))
    new = (extract.with_row_index("i").select((pl.col("i") + 2).cast(pl.String).alias("row_key"), "person_id")
           .join(records, on="row_key").join(expected, on="person_id", suffix="_expected"))
    assert new.height == extract.height
    wrong = new.filter(pl.col("person_key") != pl.col("person_key_expected"))
    assert wrong.height == 0, wrong
