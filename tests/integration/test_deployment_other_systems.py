"""Another city's deployment: the two reference registers and systems the project has never seen build the WHOLE project.

The deployment's sources directory holds only the shipped reference registers (ps_standard_addresses, ca_divisions)
and two new systems declared in YAML alone: a 公安 household register (resolution.register, with households) and a
救助 roster that provides the 低保 fact group (resolution.facts). None of the fourteen shipped department systems is
configured. The dbt sources, staging models and registry are rendered from that directory into a copy of the project
(the shipped staging models' hand-written YAML goes with their models, as connectors.deployment does), and
`dbt build` runs every model, data test and unit test. The new systems' persons must reach dim_person and the profile;
the department rosters of systems the deployment lacks are disabled, the profile columns of their fact groups exist
and find nobody, and the export catalogue skips exactly the ledgers dbt did not build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml
from dbt_city import build_rendered_project

from connectors.config import load_source_configs
from connectors.landing import load_system
from exports.catalogue import built_ledgers, configured_staging_models, load_ledgers
from shequyun.core.settings import SOURCES_DIR, Paths

REFERENCE = ["ps_standard_addresses", "ca_divisions"]
REGISTER = {
    "system": "gx_household_register", "title": "户籍人口登记系统", "department": "public_security",
    "department_title": "市公安局", "format": "csv", "path": "public_security/gx_household_register/*.csv",
    "columns": {"户编号": "household_no", "人员姓名": "person_name", "身份号码": "id_number", "性别": "sex",
                "出生年月": "birth_date", "户籍住址": "hukou_address", "与户主关系": "relation_to_head",
                "登记日期": "registered_on", "人员状态": "status", "变更日期": "status_changed_on"},
    "required": ["household_no", "person_name"], "primary_key": ["household_no", "id_number"],
    "staging": {"model": "stg_public_security__household_register_persons"},
    "resolution": {"register": {
        "status": {"column": "status", "values": {"在册": "living", "死亡": "deceased", "迁出": "moved_away"}},
        "status_changed_on": "status_changed_on", "recorded_on": "coalesce(status_changed_on, registered_on)",
        "population_type": "'户籍'", "period_start": "registered_on", "household": "household_no"}},
}
ROSTER = {
    "system": "gx_relief_roster", "title": "社会救助对象名册", "department": "civil_affairs", "department_title": "市民政局",
    "format": "csv", "path": "civil_affairs/gx_relief_roster/*.csv",
    "columns": {"救助编号": "case_no", "姓名": "person_name", "证件号码": "id_number", "居住地址": "address",
                "救助起始日期": "start_date"},
    "required": ["case_no"], "primary_key": ["case_no"],
    "staging": {"model": "stg_civil_affairs__relief_roster_persons"},
    # the roster provides the 低保 facts of the person view (the group the tag rule 低保 reads)
    "resolution": {"recorded_on": "start_date",
                   "facts": {"group": "dibao", "flag": "dibao", "aggregates": {"dibao_since": "min(start_date)"}}},
}
STATUS = {"living": "在册", "deceased": "死亡", "moved_away": "迁出"}


def _extracts(truth: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The register: every 户籍 person of the city; the roster: every 7th living person (户籍 or not)."""
    persons = pl.read_parquet(truth / "persons.parquet").sort("person_id")
    houses = pl.read_parquet(truth / "houses.parquet").select("house_id", "address")
    households = pl.read_parquet(truth / "households.parquet").select("household_id", "household_no")
    registered = (persons.filter(pl.col("population_type") == "户籍")
                  .join(households, on="household_id", how="left")
                  .join(houses.rename({"house_id": "hukou_house_id", "address": "hukou_address"}),
                        on="hukou_house_id", how="left"))
    register = pl.DataFrame([
        {"户编号": p["household_no"], "人员姓名": p["name"], "身份号码": p["id_number"], "性别": p["sex"],
         "出生年月": p["birth_date"].strftime("%Y年%m月%d日"), "户籍住址": p["hukou_address"],
         "与户主关系": p["relation_to_head"], "登记日期": "2010-01-01", "人员状态": STATUS[p["status"]],
         "变更日期": p["status_date"].isoformat() if p["status_date"] else None, "person_id": p["person_id"]}
        for p in registered.iter_rows(named=True)])
    relieved = (persons.filter(pl.col("status") == "living").gather_every(7)
                .join(houses.rename({"house_id": "residence_house_id"}), on="residence_house_id", how="left"))
    roster = pl.DataFrame([
        {"救助编号": f"JZ{i:05d}", "姓名": p["name"], "证件号码": p["id_number"], "居住地址": p["address"],
         "救助起始日期": "2025-06-01", "person_id": p["person_id"], "on_register": p["population_type"] == "户籍"}
        for i, p in enumerate(relieved.iter_rows(named=True))])
    return register, roster


@pytest.fixture(scope="module")
def deployment(landed_city: Paths, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("other_city")
    paths = Paths(root)
    for system in REFERENCE:
        shutil.copytree(landed_city.lake / "bronze" / system, paths.lake / "bronze" / system)
    sources = root / "sources"
    sources.mkdir()
    for system in REFERENCE:
        shutil.copy(SOURCES_DIR / f"{system}.yaml", sources)
    register, roster = _extracts(landed_city.truth)
    for spec, extract in ((REGISTER, register), (ROSTER, roster)):
        (sources / f"{spec['system']}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        folder = paths.landing / spec["department"] / spec["system"]
        folder.mkdir(parents=True)
        extract.drop("person_id", "on_register", strict=False).write_csv(folder / "extract.csv")
        result = load_system(load_source_configs(sources)[spec["system"]], paths)
        assert result.ok and result.rows_landed == extract.height, [str(f) for f in result.failures]

    db, project, output = build_rendered_project(sources, paths.root, root)
    return db, sources, project, register, roster, output


def test_every_model_test_and_unit_test_builds(deployment) -> None:
    db, _sources, _project, _register, _roster, log = deployment
    done = next(line for line in log.splitlines() if "Done. PASS=" in line)
    assert "ERROR=0" in done and "SKIP=0" in done and "WARN=0" in done, done
    assert "unit test" in log                      # the unit tests of the models every deployment has ran
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {(s, t) for s, t in con.sql("select table_schema, table_name from information_schema.tables").fetchall()}
    # the staging models are the deployment's; no shipped department system is staged
    staging = {t for s, t in tables if s == "staging"}
    assert staging == {"stg_public_security__standard_addresses", "stg_civil_affairs__divisions",
                       "stg_public_security__household_register_persons", "stg_civil_affairs__relief_roster_persons"}
    assert ("marts", "dim_person_profile") in tables and ("reports", "rpt_ledger__hukou_roster") in tables
    assert ("reports", "rpt_ledger__dibao_households") not in tables     # the shipped 低保 roster's own ledger


def test_the_new_systems_persons_reach_dim_person(deployment) -> None:
    db, _sources, _project, register, roster, _log = deployment
    with duckdb.connect(str(db), read_only=True) as con:
        records = con.sql("""
            select r.system, cast(regexp_extract(r.record_key, '[^:]+$') as integer) - 2 as row_index, r.person_key
            from marts.fct_person_source_records r
            inner join marts.dim_person p on r.person_key = p.person_key
            where r.role = 'subject'
        """).pl()
        persons = con.sql("select count(*) from marts.dim_person").fetchone()[0]
    truth = pl.concat([
        register.with_row_index("row_index").select(pl.lit(REGISTER["system"]).alias("system"), "row_index", "person_id"),
        roster.with_row_index("row_index").select(pl.lit(ROSTER["system"]).alias("system"), "row_index", "person_id"),
    ]).with_columns(pl.col("row_index").cast(pl.Int32))
    linked = truth.join(records.with_columns(pl.col("row_index").cast(pl.Int32)), on=["system", "row_index"], how="left")
    assert linked["person_key"].null_count() == 0                  # every record of both systems is a person
    # one person per true person: a roster entry of a registered person joins that person, the others are new
    per_person = linked.group_by("person_id").agg(pl.col("person_key").n_unique().alias("keys"))
    assert per_person["keys"].max() == 1
    assert persons == truth["person_id"].n_unique() == linked["person_key"].n_unique()
    assert roster["on_register"].any() and not roster["on_register"].all()


def test_profile_facts_come_from_the_yaml_and_missing_groups_find_nobody(deployment) -> None:
    db, _sources, _project, _register, roster, _log = deployment
    with duckdb.connect(str(db), read_only=True) as con:
        profile = con.sql("""
            select
                count(*) filter (where dibao) as dibao,
                count(*) filter (where dibao_since = date '2025-06-01') as dibao_since,
                count(*) filter (where len(dibao_record_keys) > 0) as dibao_records,
                count(*) filter (where disabled or veteran or tekun or unemployed or family_doctor_signed
                                 or low_income or low_income_review_due or is_graduate_this_year) as other_flags,
                count(*) filter (where disability_grade is not null or party_member_type is not null
                                 or graduation_year is not null or len(party_record_keys) > 0) as other_values
            from marts.dim_person_profile
        """).fetchone()
        tagged = con.sql("select count(*) from marts.fct_person_tag_current where tag_code = 'dibao'").fetchone()[0]
        ledger_base = con.sql("""
            select count(*), count(household_no), count(relation_to_head), count(hukou_registered_on)
            from intermediate.int_ledger_person_base where population_type = '户籍'
        """).fetchone()
    assert profile == (roster.height, roster.height, roster.height, 0, 0)
    assert tagged == roster.height                                   # every roster person is living
    # the 户籍 facts of the ledgers come from the new household register (register.household), not from ps_hukou
    assert ledger_base[0] > 0 and ledger_base[1] == ledger_base[2] == ledger_base[3] == ledger_base[0]


def test_the_export_catalogue_skips_exactly_the_ledgers_not_built(deployment) -> None:
    db, sources, project, _register, _roster, _log = deployment
    built, skipped = built_ledgers(load_ledgers(project), configured_staging_models(sources))
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {t for (t,) in con.sql("select table_name from information_schema.tables "
                                         "where table_schema = 'reports'").fetchall()}
    assert {ledger.model for ledger in built} <= tables
    assert not {f"rpt_ledger__{name}" for name in skipped} & tables
    assert {"dibao_households", "elderly_allowance", "veterans", "party_members"} <= set(skipped)
