"""Precision and recall of the tags (fct_person_tag_current) against the generator's truth.

Each resolved person is mapped to the true person most of its records belong to (fct_person_source_records joined to
truth/source_records.parquet on system:source:row_key); a tag's predicted set is the true persons of the resolved
persons carrying it (a resolved person with no truth counts as a false positive of its own). Each tag's truth is
defined below from truth/persons.parquet (and truth/houses.parquet for residence areas), at the as_of of
truth/../manifest.json:

    python -m shequyun.tags.evaluate <duckdb file> <truth dir>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

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


def as_of_of(truth_dir: Path) -> str:
    manifest = Path(truth_dir).parent / "manifest.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["as_of"]


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


def evaluate_tags(duckdb_path: str | Path, truth_dir: str | Path, as_of: str | None = None) -> dict[str, dict[str, float]]:
    """{tag_code: {precision, recall, tp, fp, fn}} of every tag with a truth definition (TRUTH)."""
    truth_dir = Path(truth_dir)
    as_of = as_of or as_of_of(truth_dir)
    con = duckdb.connect()
    try:
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
        out: dict[str, dict[str, float]] = {}
        for code, condition in TRUTH.items():
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


def render_tag_evaluation(figures: dict[str, dict[str, float]]) -> str:
    lines = [f"{'tag':<34} {'precision':>9} {'recall':>7} {'tp':>6} {'fp':>5} {'fn':>5}"]
    for code, m in figures.items():
        lines.append(f"{code:<34} {m['precision']:>9.4f} {m['recall']:>7.4f} {m['tp']:>6} {m['fp']:>5} {m['fn']:>5}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_tag_evaluation(evaluate_tags(sys.argv[1], sys.argv[2])))
