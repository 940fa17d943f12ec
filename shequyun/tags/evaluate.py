"""Precision and recall of the tags (fct_person_tag_current) against the generator's truth.

Each resolved person is mapped to the true person most of its records belong to (fct_person_source_records joined to
truth/source_records.parquet on system:source:row_key); a tag's predicted set is the true persons of the resolved
persons carrying it (a resolved person with no truth counts as a false positive of its own). Each tag's truth is
defined below from truth/persons.parquet (and truth/houses.parquet for residence areas), at the as_of of
truth/../manifest.json:

    python -m shequyun.tags.evaluate <duckdb file> <truth dir>
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import duckdb
import polars as pl

from shequyun.core.build_info import build_as_of

# the truth of each tag: a condition over truth persons p (columns of persons.parquet plus: age (calendar years at
# as_of), living, as_of, res_district/res_street/res_committee, res_count (living residents of the residence house)
# and res_min_age (their youngest age))
TRUTH: dict[str, str] = {
    "party_full_member": "living and party_status = '正式党员'",
    "party_probationary_member": "living and party_status = '预备党员'",
    "ethnic_minority": "living and ethnicity <> '汉族'",
    "migrant": "living and population_type = '来沪'",
    "hukou_separated": "separated",
    "elderly_80": "living and age >= 80",
    "elderly_90": "living and age >= 90",
    "centenarian": "living and age >= 100",
    "elderly_living_alone": "living and lives_alone and age >= 60",
    "elderly_only_household": "living and res_count >= 2 and res_min_age >= 60",
    "graduate_this_year": "living and graduation_year = year(as_of)",
    "dibao": "living and dibao_case_no is not null",
    "low_income": "living and low_income_case_no is not null",
    "tekun": "living and tekun_case_no is not null",
    # 重点关爱 as the generator assigns it, less 刑满释放 / 社区矫正 (random, delivered by no system)
    "key_care": ("living and (tekun_case_no is not null or (disability_category = 6 and disability_grade <= 2)"
                 " or (age < 18 and dibao_case_no is not null)"
                 " or (age >= 60 and lives_alone and (age >= 80 or disability_category is not null"
                 " or tekun_case_no is not null)))"),
    "disabled": "living and disability_category is not null",
    **{f"disabled_{name}": f"living and disability_category = {code}" for code, name in enumerate(
        ["visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"], start=1)},
    **{f"disabled_grade_{g}": f"living and disability_grade = {g}" for g in range(1, 5)},
    "veteran": "living and veteran_no is not null",
    "unemployment_registered": "living and employment_status = '失业'",
    "family_doctor_signed": "living and family_doctor_signed_on is not null",
    # the area-owned tags of the catalogue
    "xuhui_elderly_care": "living and res_district = '310104' and age >= 75 and res_min_age >= 60",
    "changqiao_family_doctor_elderly": "living and res_street = '310104010' and age >= 65 and family_doctor_signed_on is not null",
    "changqiao1_party_elderly": "living and res_committee = '310104010001' and party_status = '正式党员' and age >= 70",
}


def database_as_of(duckdb_path: str | Path) -> str:
    """The day the database describes (its build_info): truth is evaluated on that same day."""
    return build_as_of(Path(duckdb_path)).isoformat()


def _truth_persons(con: duckdb.DuckDBPyConnection, truth_dir: Path, as_of: str) -> None:
    persons = (truth_dir / "persons.parquet").as_posix()
    houses = (truth_dir / "houses.parquet").as_posix()
    con.execute(f"""
        create or replace temp table truth_persons as
        with p as (
            select *, status = 'living' as living, cast(? as date) as as_of,
                   cast(date_part('year', age(cast(? as timestamp), cast(birth_date as timestamp))) as integer) as age
            from read_parquet('{persons}')
        ),
        residents as (
            select residence_house_id, count(*) as res_count, min(age) as res_min_age
            from p where living and residence_house_id is not null group by residence_house_id
        )
        select p.*, h.district_code as res_district, h.street_code as res_street, h.committee_code as res_committee,
               residents.res_count, residents.res_min_age
        from p
        left join read_parquet('{houses}') h on p.residence_house_id = h.house_id
        left join residents on p.residence_house_id = residents.residence_house_id
    """, [as_of, as_of])


def _connect(duckdb_path: str | Path, truth_dir: Path, as_of: str,
             extra_predicted: pl.DataFrame | None = None) -> duckdb.DuckDBPyConnection:
    """A connection with the warehouse attached and temp tables truth_persons, person_map and predicted (the current
    tags, plus extra_predicted's (person_key, tag_code) rows when given)."""
    con = duckdb.connect()
    con.execute(f"attach '{Path(duckdb_path).as_posix()}' as wh (read_only)")
    _truth_persons(con, truth_dir, as_of)
    records = (truth_dir / "source_records.parquet").as_posix()
    con.execute(f"""
        create or replace temp table person_map as
        with votes as (
            select r.person_key, t.person_id, count(*) as n
            from wh.marts.fct_person_source_records r
            inner join read_parquet('{records}') t
                on r.record_key = t.system || ':' || t.source || ':' || t.row_key
            where t.person_id is not null
            group by all
        )
        select person_key, arg_max(person_id, n) as person_id from votes group by person_key
    """)
    con.execute("""
        create or replace temp table predicted as
        select distinct tags.tag_code, coalesce(m.person_id, 'unmapped:' || tags.person_key) as person_id
        from wh.marts.fct_person_tag_current tags
        left join person_map m on tags.person_key = m.person_key
    """)
    if extra_predicted is not None:
        con.register("extra_predicted", extra_predicted.select("person_key", "tag_code"))
        con.execute("""
            insert into predicted
            select distinct extra.tag_code, coalesce(m.person_id, 'unmapped:' || extra.person_key)
            from extra_predicted extra
            left join person_map m on extra.person_key = m.person_key
        """)
    return con


def _errors_sql(condition: str) -> str:
    """fp / fn true persons of one tag (parameter: the tag code)."""
    return f"""
        with truth as (select person_id from truth_persons where coalesce({condition}, false)),
             pred as (select person_id from predicted where tag_code = $code)
        select 'fp' as kind, person_id from pred where person_id not in (select person_id from truth)
        union all
        select 'fn', person_id from truth where person_id not in (select person_id from pred)
    """


def evaluate_tags(duckdb_path: str | Path, truth_dir: str | Path, as_of: str | None = None,
                  truth: Mapping[str, str] | None = None,
                  extra_predicted: pl.DataFrame | None = None) -> dict[str, dict[str, float]]:
    """{tag_code: {precision, recall, tp, fp, fn}} of every tag with a truth definition: TRUTH, or `truth` (code ->
    condition over truth persons). extra_predicted (person_key, tag_code) adds predicted sets beside the current tags,
    under codes of their own (shequyun.policy.evaluate passes the policies' matches and conditions)."""
    truth_dir = Path(truth_dir)
    con = _connect(duckdb_path, truth_dir, as_of or database_as_of(duckdb_path), extra_predicted)
    try:
        out: dict[str, dict[str, float]] = {}
        for code, condition in (TRUTH if truth is None else truth).items():
            tp, fp, fn = con.execute(f"""
                with truth as (select person_id from truth_persons where coalesce({condition}, false)),
                     pred as (select person_id from predicted where tag_code = ?)
                select
                    (select count(*) from pred where person_id in (select person_id from truth)),
                    (select count(*) from pred where person_id not in (select person_id from truth)),
                    (select count(*) from truth where person_id not in (select person_id from pred))
            """, [code]).fetchone()
            out[code] = {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
                         "tp": tp, "fp": fp, "fn": fn}
        return out
    finally:
        con.close()


# A resolved person (on a population register, living in truth) whose golden residence is not the true house although
# the records could have told it, as fct_person_field_lineage reads them: the true house is named on a dated record
# later than every record naming the chosen one, or both were last named on the same day (or never on a dated record)
# and the true house is named by more observations (records of one system on one day). Any other wrong residence is
# undecidable from the records: no record names the true house, or a record naming a previous house is as recent and
# as many observations name it (a tie goes to the documented tie-breaks, which can only follow what is usual).
_RESIDENCE_SQL = """
create or replace temp table house_map as
with votes as (
    select r.house_key, t.house_id, count(*) as n
    from wh.intermediate.int_house_records_resolved r
    inner join read_parquet('{records}') t on r.record_key = t.system || ':' || t.source || ':' || t.row_key
    where r.names_record_house and t.house_id is not null
    group by all
)
select house_key, arg_max(house_id, n) as house_id from votes group by house_key;

create or replace temp table residence_check as
with persons as (
    select d.person_key, m.person_id, h.house_id as predicted_house, p.residence_house_id as true_house
    from wh.marts.dim_person_profile d
    inner join person_map m on d.person_key = m.person_key
    inner join truth_persons p on m.person_id = p.person_id
    left join house_map h on d.residence_house_key = h.house_key
    where d.status = 'living' and d.on_population_register and p.living
),
observations as (
    select r.person_key, h.house_id,
           count(distinct r.system || ' ' || cast(coalesce(r.recorded_on, cast(r.loaded_at as date)) as varchar)) as n,
           max(r.recorded_on) as last_named_on
    from wh.marts.fct_person_source_records r
    inner join house_map h on r.residence_house_key = h.house_key
    where r.residence_address is not null
    group by all
)
select
    persons.*,
    predicted_house is not distinct from true_house as residence_right,
    coalesce(true_obs.n, 0) as true_house_observations,
    coalesce(predicted_obs.n, 0) as predicted_house_observations,
    coalesce(true_obs.last_named_on, date '0001-01-01') > coalesce(predicted_obs.last_named_on, date '0001-01-01')
    or (true_obs.n is not null
        and true_obs.last_named_on is not distinct from predicted_obs.last_named_on
        and true_obs.n > coalesce(predicted_obs.n, 0)) as decidable
from persons
left join observations as true_obs
    on persons.person_key = true_obs.person_key and persons.true_house = true_obs.house_id
left join observations as predicted_obs
    on persons.person_key = predicted_obs.person_key and persons.predicted_house = predicted_obs.house_id;
"""


def unexplained_tag_errors(duckdb_path: str | Path, truth_dir: str | Path,
                           as_of: str | None = None) -> dict[str, list[dict[str, str]]]:
    """{tag_code: [{kind, person_id}]}: the tag errors (fp / fn against TRUTH) that no undecidable residence explains.

    An error of person q is explained when a living registered resolved person whose residence the records cannot
    decide (see _RESIDENCE_SQL) is placed at, or belongs to, q's true or predicted residence house: q's own residence
    (人户分离, areas) or a co-resident's (household composition: 独居, 纯老家庭). Every other error is a defect.
    """
    truth_dir = Path(truth_dir)
    con = _connect(duckdb_path, truth_dir, as_of or database_as_of(duckdb_path))
    try:
        con.execute(_RESIDENCE_SQL.format(records=(truth_dir / "source_records.parquet").as_posix()))
        out: dict[str, list[dict[str, str]]] = {}
        for code, condition in TRUTH.items():
            rows = con.execute(f"""
                with errors as ({_errors_sql(condition)}),
                houses as (
                    select errors.kind, errors.person_id, p.residence_house_id as house_id
                    from errors inner join truth_persons p using (person_id)
                    union all
                    select errors.kind, errors.person_id, c.predicted_house
                    from errors inner join residence_check c using (person_id)
                ),
                undecided as (
                    select predicted_house as house_id from residence_check where not residence_right and not decidable
                    union all
                    select true_house from residence_check where not residence_right and not decidable
                )
                select distinct kind, person_id from errors
                where not exists (
                    select 1 from houses inner join undecided using (house_id)
                    where houses.kind = errors.kind and houses.person_id = errors.person_id
                )
                order by kind, person_id
            """, {"code": code}).fetchall()
            out[code] = [{"kind": kind, "person_id": person_id} for kind, person_id in rows]
        return out
    finally:
        con.close()


def residence_summary(duckdb_path: str | Path, truth_dir: str | Path, as_of: str | None = None) -> dict[str, int]:
    """Living registered resolved persons: residence right, wrong but undecidable from the records, wrong and decidable."""
    truth_dir = Path(truth_dir)
    con = _connect(duckdb_path, truth_dir, as_of or database_as_of(duckdb_path))
    try:
        con.execute(_RESIDENCE_SQL.format(records=(truth_dir / "source_records.parquet").as_posix()))
        right, undecidable, wrong = con.execute("""
            select count(*) filter (where residence_right),
                   count(*) filter (where not residence_right and not decidable),
                   count(*) filter (where not residence_right and decidable)
            from residence_check
        """).fetchone()
        return {"persons": right + undecidable + wrong, "right": right, "undecidable": undecidable, "wrong": wrong}
    finally:
        con.close()


def render_tag_evaluation(figures: dict[str, dict[str, float]]) -> str:
    lines = [f"{'tag':<34} {'precision':>9} {'recall':>7} {'tp':>6} {'fp':>5} {'fn':>5}"]
    for code, m in figures.items():
        lines.append(f"{code:<34} {m['precision']:>9.4f} {m['recall']:>7.4f} {m['tp']:>6} {m['fp']:>5} {m['fn']:>5}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_tag_evaluation(evaluate_tags(sys.argv[1], sys.argv[2])))
