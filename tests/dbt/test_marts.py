"""The golden records (models/marts/theme) on a generated city, checked against the generator's truth.

A resolved person is mapped to the true person most of its subject records belong to (truth/source_records), a
resolved house to the true house most of the records naming it belong to. Thresholds come from measurements:
on a 20,000-person city (seed 20261126) dim_person holds 20,072 persons for 20,000 true ones (+0.36%, the
resolution's split clusters), golden ID numbers, sex, birth date and status are 100% right, names 99.77%, and
the 户籍 bridge 100%.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pytest

from shequyun.core.duck import dbt_environment, dbt_vars_args, extension_directory
from shequyun.core.settings import PROJECT_ROOT, Paths

if TYPE_CHECKING:
    from dbt_city import DbtBuild

MARTS = "+dim_person +dim_house +dim_area +bridge_person_house +fct_person_field_lineage +snap_dim_person"
# dim_person may hold this share of persons more (split clusters) or fewer (merged ones) than the truth:
# measured +0.36% on 20,000 persons; twice that, rounded up
PERSON_COUNT_TOLERANCE = 0.01
GOLDEN_FIELDS = ["name", "id_number", "sex", "birth_date", "ethnicity", "phone", "hukou_address",
                 "hukou_house_key", "residence_address", "residence_house_key", "status", "status_date",
                 "population_type"]


@pytest.fixture(scope="module")
def marts(full_build: DbtBuild) -> DbtBuild:
    """The whole project built once per worker (tests/dbt_city.py), shared with the other test folders."""
    return full_build


def dbt(paths: Paths, db: Path, *args: str) -> None:
    """Run one dbt command against `db` (its own target and log folders beside it)."""
    env = dbt_environment()
    project = PROJECT_ROOT / "dbt_project"
    cmd = [str(Path(sys.executable).with_name("dbt")), *args, *dbt_vars_args(paths.root, db), "--project-dir", str(project), "--profiles-dir",
           str(project), "--target-path", str(db.parent / "target"), "--log-path", str(db.parent / "logs")]
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:]


@pytest.fixture(scope="module")
def rebuilt(landed_city: Paths, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same marts built a second time from scratch into a database of their own."""
    db = tmp_path_factory.mktemp("marts_rebuilt") / "shequyun.duckdb"
    dbt(landed_city, db, "build", "--select", MARTS, "--indirect-selection", "cautious")
    return db


def read(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True, config={"extension_directory": extension_directory()}) as con:
        return con.sql(sql).pl()


def truth_views(build: DbtBuild) -> str:
    truth = build.paths.truth
    return f"""
        with source_records as (
            select system || ':' || source || ':' || row_key as record_key, person_id, house_id
            from read_parquet('{truth / "source_records.parquet"}')
        ),
        true_persons as (select * from read_parquet('{truth / "persons.parquet"}')),
        person_truth as (
            select records.person_key, mode(source_records.person_id) as person_id
            from marts.fct_person_source_records as records
            inner join source_records using (record_key)
            where records.role = 'subject' and source_records.person_id is not null
            group by records.person_key
        ),
        house_truth as (
            select houses.house_key, mode(source_records.house_id) as house_id
            from intermediate.int_house_records_resolved as houses
            inner join source_records using (record_key)
            where houses.names_record_house and source_records.house_id is not null
            group by houses.house_key
        ),
        golden as (
            select dim_person.*, true_persons.name as true_name, true_persons.id_number as true_id_number,
                true_persons.sex as true_sex, true_persons.birth_date as true_birth_date,
                true_persons.status as true_status, true_persons.hukou_house_id as true_hukou_house_id
            from marts.dim_person
            inner join person_truth using (person_key)
            inner join true_persons using (person_id)
        )
    """


def test_person_count_is_close_to_the_true_number_of_persons(marts: DbtBuild) -> None:
    truth = marts.paths.truth / "source_records.parquet"
    true_persons = marts.query(f"""
        select count(distinct person_id) as n from read_parquet('{truth}')
        where person_id is not null and not is_broken""")["n"][0]
    persons = marts.query("select count(*) as n, count(distinct person_key) as keys from marts.dim_person")
    assert persons["n"][0] == persons["keys"][0]
    assert abs(persons["n"][0] - true_persons) <= PERSON_COUNT_TOLERANCE * true_persons, (persons["n"][0], true_persons)
    # every record about a person reaches dim_person
    records = marts.query("""
        select count(*) as n from intermediate.int_person_records as records
        left join marts.fct_person_source_records using (record_person_key)
        left join marts.dim_person using (person_key)
        where dim_person.person_key is null""")
    assert records["n"][0] == 0


def test_golden_id_number_is_the_true_one(marts: DbtBuild) -> None:
    df = marts.query(truth_views(marts) + """
        , with_valid_id as (
            select distinct records.person_key
            from marts.fct_person_source_records as records
            inner join intermediate.int_person_records as person_records using (record_person_key)
            where person_records.id_valid and not person_records.id_conflicts_stated
        )
        select person_key, id_number, true_id_number, person_key in (select person_key from with_valid_id) as has_id
        from golden""")
    with_id = df.filter(pl.col("has_id"))
    assert with_id.height > 0.9 * df.height
    assert with_id.filter(pl.col("id_number").is_null() | (pl.col("id_number") != pl.col("true_id_number"))).is_empty()
    assert df.filter(~pl.col("has_id"))["id_number"].null_count() == df.filter(~pl.col("has_id")).height


def test_golden_name_sex_and_birth_date_are_the_true_ones(marts: DbtBuild) -> None:
    row = marts.query(truth_views(marts) + """
        select avg((golden.name = true_name)::int) as name, avg((sex = true_sex)::int) as sex,
            avg((birth_date = true_birth_date)::int) as birth_date
        from golden""").row(0, named=True)
    assert row["name"] >= 0.99, row
    assert row["sex"] >= 0.99 and row["birth_date"] >= 0.99, row


def test_status_matches_the_truth_for_registered_persons(marts: DbtBuild) -> None:
    df = marts.query(truth_views(marts) + """
        select status, true_status from golden
        where list_has_any(systems, ['ps_hukou', 'ps_population'])""")
    assert df.height > 0
    assert (df["status"] == df["true_status"]).mean() >= 0.99
    # the city has deaths and departures, and they are found
    for status in ("deceased", "moved_away"):
        true = df.filter(pl.col("true_status") == status)
        assert true.height > 0 and (true["status"] == status).mean() >= 0.95, status


def test_dim_house_has_every_resolved_house(marts: DbtBuild) -> None:
    counts = marts.query("""
        select (select count(*) from marts.dim_house) as houses,
            (select count(distinct house_key) from marts.dim_house) as keys,
            (select count(*) from intermediate.int_houses_resolved) as resolved,
            (select count(*) from marts.dim_house where certificate_no is not null) as titled,
            (select count(*) from staging.stg_housing_administration__property_titles) as titles""").row(0, named=True)
    assert counts["houses"] == counts["keys"] == counts["resolved"], counts
    assert counts["titled"] >= 0.99 * counts["titles"], counts


def test_owner_and_house_type_come_from_the_title(marts: DbtBuild) -> None:
    houses = marts.paths.truth / "houses.parquet"
    df = marts.query(truth_views(marts) + f"""
        select dim_house.house_type, true_houses.house_type as true_house_type,
            person_truth.person_id as owner_id, true_houses.owner_person_id as true_owner_id
        from marts.dim_house
        inner join house_truth using (house_key)
        inner join read_parquet('{houses}') as true_houses using (house_id)
        left join person_truth on dim_house.owner_person_key = person_truth.person_key
        where dim_house.certificate_no is not null""")
    assert df.height > 0
    assert (df["house_type"] == df["true_house_type"]).mean() >= 0.99
    assert (df["owner_id"] == df["true_owner_id"]).mean() >= 0.99


def test_hukou_bridge_matches_the_true_hukou_house(marts: DbtBuild) -> None:
    df = marts.query(truth_views(marts) + """
        select house_truth.house_id, golden.true_hukou_house_id
        from marts.bridge_person_house as bridge
        inner join golden using (person_key)
        left join house_truth using (house_key)
        where bridge.relation = '户籍' and bridge.is_current""")
    assert df.height > 0
    assert (df["house_id"] == df["true_hukou_house_id"]).fill_null(False).mean() >= 0.99
    relations = set(marts.query("select distinct relation from marts.bridge_person_house")["relation"])
    assert relations == {"户籍", "实住", "产权"}


def test_golden_residence_is_the_house_last_named_then_most_observations_name(marts: DbtBuild) -> None:
    """Strategy house: no candidate house of a person was last named on a later dated record than the golden one, and
    none last named on the same day (or only undated) is named by more observations (records of one system on one
    day); the lineage's record names the golden house; a graduate's 家庭地址 is no candidate."""
    df = marts.query("""
        with observations as (
            select person_key, residence_house_key as house_key,
                   count(distinct system || ' ' || cast(coalesce(recorded_on, cast(loaded_at as date)) as varchar)) as n,
                   coalesce(max(recorded_on), date '0001-01-01') as last_named_on
            from marts.fct_person_source_records
            where residence_address is not null and residence_house_key is not null
            group by all
        ),
        latest as (select person_key, max(last_named_on) as latest from observations group by person_key),
        best as (
            select observations.person_key, latest.latest, max(observations.n) as best
            from observations inner join latest
                on observations.person_key = latest.person_key and observations.last_named_on = latest.latest
            group by all
        )
        select person.person_key, coalesce(golden.n, 0) as golden_n, best.best, golden.last_named_on, best.latest,
               lineage.house_key as lineage_house, person.residence_house_key, lineage.rule
        from marts.dim_person as person
        inner join best using (person_key)
        left join observations as golden
            on golden.person_key = person.person_key and golden.house_key = person.residence_house_key
        left join marts.fct_person_field_lineage as lineage
            on lineage.person_key = person.person_key and lineage.field = 'residence_address'
    """)
    assert df.height > 1000
    assert (df["last_named_on"] == df["latest"]).all()
    assert df.filter(df["golden_n"] < df["best"]).is_empty()
    # the dates decide against the plain majority somewhere (a previous house named more often, but earlier)
    outvoted = marts.query("""
        select count(*) as n from (
            select person_key, residence_house_key, count(distinct system || ' ' || cast(coalesce(recorded_on,
                   cast(loaded_at as date)) as varchar)) as n
            from marts.fct_person_source_records
            where residence_address is not null and residence_house_key is not null
            group by all
        ) as o
        inner join marts.dim_person as person using (person_key)
        where o.residence_house_key <> person.residence_house_key
          and o.n >= (select count(distinct system || ' ' || cast(coalesce(recorded_on, cast(loaded_at as date)) as varchar))
                      from marts.fct_person_source_records as r
                      where r.person_key = person.person_key and r.residence_house_key = person.residence_house_key)
    """)["n"][0]
    assert outvoted > 0
    assert (df["lineage_house"] == df["residence_house_key"]).all()
    assert all(rule.endswith(" house") for rule in df["rule"])
    graduates = marts.query("""
        select count(*) as n, count(residence_address) as residence, count(residence_house_key) as residence_house
        from marts.fct_person_source_records where system = 'ed_graduates'""").row(0, named=True)
    assert graduates["n"] > 0 and graduates["residence"] == graduates["residence_house"] == 0, graduates


def test_dim_area_has_the_districts_and_every_true_committee(marts: DbtBuild) -> None:
    areas = marts.paths.truth / "areas.parquet"
    districts = marts.query("select code from marts.dim_area where level = 'district'")
    assert districts.height == 16
    missing = marts.query(f"""
        select truth.code from read_parquet('{areas}') as truth
        left join marts.dim_area as area
            on area.code = truth.code and area.level = truth.level and area.name = truth.name
            and area.parent_code = truth.parent_code
        where truth.level = 'committee' and area.code is null""")
    assert missing.is_empty(), missing
    # every committee carries its contact, every building hangs under a 小区 of a committee
    contact = marts.query("select count(*) filter (where phone is null or email is null) as n from marts.dim_area "
                          "where level = 'committee'")
    assert contact["n"][0] == 0
    orphans = marts.query("""
        select count(*) as n from marts.dim_area as child
        left join marts.dim_area as parent on child.parent_code = parent.code
        where child.level <> 'district' and parent.code is null""")
    assert orphans["n"][0] == 0


def test_person_keys_are_stable_across_builds(marts: DbtBuild, rebuilt: Path) -> None:
    first = marts.query(f"select person_key, {', '.join(GOLDEN_FIELDS)} from marts.dim_person order by person_key")
    second = read(rebuilt, f"select person_key, {', '.join(GOLDEN_FIELDS)} from marts.dim_person order by person_key")
    assert first.height > 0
    assert first["person_key"].to_list() == second["person_key"].to_list()
    assert first.equals(second)


def test_snapshot_keeps_the_history_of_dim_person(landed_city: Paths, rebuilt: Path, tmp_path: Path) -> None:
    # a copy: the rebuilt database stays as built for the other tests
    db = tmp_path / "shequyun.duckdb"
    shutil.copy2(rebuilt, db)
    persons = read(db, "select count(*) as n from marts.dim_person")["n"][0]
    # a second build on unchanged input adds no version
    dbt(landed_city, db, "snapshot", "--select", "snap_dim_person")
    versions = read(db, """
        select count(*) as n, count(*) filter (where dbt_valid_to is null) as current,
            count(distinct person_key) as keys from snapshots.snap_dim_person""").row(0, named=True)
    assert versions == {"n": persons, "current": persons, "keys": persons}
    # a changed golden phone opens a new version and closes the old one
    with duckdb.connect(str(db)) as con:
        key, phone = con.sql("select person_key, phone from marts.dim_person where phone is not null "
                             "order by person_key limit 1").fetchone()
        con.execute("update marts.dim_person set phone = '13000000000' where person_key = ?", [key])
    dbt(landed_city, db, "snapshot", "--select", "snap_dim_person")
    history = read(db, f"""
        select phone, dbt_valid_to is null as current from snapshots.snap_dim_person
        where person_key = '{key}' order by dbt_valid_from""")
    assert history.rows() == [(phone, False), ("13000000000", True)]
    assert read(db, "select count(*) as n from snapshots.snap_dim_person")["n"][0] == persons + 1


def test_a_merge_between_builds_is_recorded_as_an_event_with_its_evidence(landed_city: Paths, rebuilt: Path,
                                                                          tmp_path: Path) -> None:
    db = tmp_path / "shequyun.duckdb"
    shutil.copy2(rebuilt, db)
    dbt(landed_city, db, "build", "--select", "snap_person_record_keys", "fct_person_key_events")
    assert read(db, "select count(*) as n from marts.fct_person_key_events")["n"][0] == 0   # one build: no change
    # the next build finds one person's record to be another person's: its key moves (a merge of two persons)
    with duckdb.connect(str(db)) as con:
        (keep,) = con.sql("select min(person_key) from intermediate.int_person_clusters_resolved "
                          "where cluster_size > 1").fetchone()
        gone, record = con.sql("select person_key, record_person_key from intermediate.int_person_clusters_resolved "
                               "where cluster_size = 1 order by record_person_key limit 1").fetchone()
        con.execute("update intermediate.int_person_clusters_resolved set person_key = ?, attached_by = 'fellegi_sunter', "
                    "attach_weight = 12.5 where record_person_key = ?", [keep, record])
    dbt(landed_city, db, "build", "--select", "snap_person_record_keys", "fct_person_key_events")
    events = read(db, "select event, person_key, from_keys, to_keys, records_moved, attached_by, best_attach_weight "
                      "from marts.fct_person_key_events")
    assert events.rows() == [("merge", keep, sorted([keep, gone]), [keep], 1, ["fellegi_sunter"], 12.5)]


def test_build_info_records_the_day_the_code_and_every_loaded_system(marts: DbtBuild) -> None:
    """One row: as_of is the generator's day (the var as_of), the code version is this checkout's, and every system
    landed into bronze is listed with the batch its receipts name last and the rows they landed."""
    import json

    from connectors.landing import read_receipts
    from shequyun.core.build_info import read_build_info
    from shequyun.core.duck import code_version

    info = read_build_info(marts.duckdb_path)
    manifest = json.loads((Path(marts.paths.truth).parent / "manifest.json").read_text(encoding="utf-8"))
    assert info.as_of.isoformat() == manifest["as_of"]
    assert info.code_version == code_version()
    receipts = read_receipts(marts.paths)
    landed = receipts.filter(pl.col("rows_landed") > 0)
    by_system = {b["system"]: b for b in info.source_batches}
    assert set(by_system) == set(receipts["system"].unique())
    for system, rows in landed.group_by("system").agg(pl.col("rows_landed").sum()).iter_rows():
        assert by_system[system]["rows_landed"] == rows, system
    last = receipts.sort("finished_at").group_by("system").agg(pl.col("batch_id").last())
    for system, batch in last.iter_rows():
        assert by_system[system]["last_batch_id"] == batch, system
    # every system's last load landed: none is stale, and each says when rows last landed
    landed_at = receipts.filter(pl.col("status") == "landed").group_by("system").agg(pl.col("finished_at").max())
    for system, finished in landed_at.iter_rows():
        assert by_system[system]["stale"] is False and by_system[system]["last_landed_at"] == finished, system
