"""The visits marts against the synthetic city's truth: link accuracy, the repeated-visit list and the 独居老人 overdue list.

The truth of a visit row is truth/source_records.parquet (system, source, row_key -> person_id); its date and department
are the landed row's (staging: the generator does not noise them beyond date formats). The true household is the true
person's residence house (truth/persons.parquet residence_house_id): source_records.house_id is the house the record's
address names, which for a stale address is the old house, not the household visited.

A resolved person stands for the true person most of whose records it holds (votes over fct_person_source_records);
a visit is linked right when its person_key is the one standing for its true person.

    python tests/visits/visit_truth.py <data dir>      # the figures on a built city (e.g. the demo's data dir)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import polars as pl

WINDOW_DAYS = 7   # fct_visit_repeat's default var visit_repeat_window_days
ALONE_MAX_DAYS = 30   # visit_frequency_rules: elderly_living_alone


def connect(duckdb_path: Path, truth_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the warehouse attached read-only as `wh` and the truth tables loaded:
    truth_visits (visit_key, visited_on, department, person_id, true_house), person_for (person_id -> person_key)."""
    con = duckdb.connect()
    con.execute(f"attach '{Path(duckdb_path).as_posix()}' as wh (read_only)")
    records = (truth_dir / "source_records.parquet").as_posix()
    persons = (truth_dir / "persons.parquet").as_posix()
    con.execute(f"""
        create temp table truth_records as
        select system || ':' || source || ':' || row_key as record_key, person_id
        from read_parquet('{records}') where person_id is not null
    """)
    con.execute(f"""
        create temp table truth_visits as
        select s.record_key as visit_key, cast(s.visited_on as date) as visited_on, s.visitor_department as department,
               t.person_id, p.residence_house_id as true_house
        from wh.staging.stg_community_committees__visits s
        inner join truth_records t on s.record_key = t.record_key
        left join read_parquet('{persons}') p on t.person_id = p.person_id
    """)
    con.execute("""
        create temp table person_for as
        with votes as (
            select t.person_id, r.person_key, count(*) as n
            from wh.marts.fct_person_source_records r inner join truth_records t on r.record_key = t.record_key
            group by all
        )
        select person_id, arg_max(person_key, (n, person_key)) as person_key from votes group by person_id
    """)
    return con


def link_accuracy(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> pl.DataFrame:
    """Visits linked to the right person (fct_visit.person_key; and by the person resolution alone, resolved_person_key):
    overall, without a valid ID, the hard ones (no valid ID and a stale address, truth/noise.parquet), by link_method."""
    noise = (truth_dir / "noise.parquet").as_posix()
    return con.sql(f"""
        with stale as (
            select distinct row_key from read_parquet('{noise}') where system = 'cc_visits' and kind = 'stale_address'
        ),
        judged as (
            select v.visit_key, v.link_method, s.id_valid is true as has_id,
                   s.row_key in (select row_key from stale) as stale_address,
                   v.person_key is not distinct from pf.person_key as right_person,
                   v.resolved_person_key is not distinct from pf.person_key as right_by_resolution
            from wh.marts.fct_visit v
            inner join truth_visits tv on v.visit_key = tv.visit_key
            inner join wh.staging.stg_community_committees__visits s on v.visit_key = s.record_key
            left join person_for pf on tv.person_id = pf.person_id
        )
        select 'all' as slice, count(*) as visits, count(*) filter (where right_person) as right_person,
               count(*) filter (where right_by_resolution) as right_by_resolution
        from judged
        union all
        select 'no valid ID', count(*), count(*) filter (where right_person), count(*) filter (where right_by_resolution) from judged where not has_id
        union all
        select 'no valid ID, stale address', count(*), count(*) filter (where right_person), count(*) filter (where right_by_resolution)
        from judged where not has_id and stale_address
        union all
        select 'link_method = ' || link_method, count(*), count(*) filter (where right_person), count(*) filter (where right_by_resolution)
        from judged group by link_method
        order by slice
    """).pl().with_columns((pl.col("right_person") / pl.col("visits")).alias("share"),
                            (pl.col("right_by_resolution") / pl.col("visits")).alias("share_by_resolution"))


def truth_repeats(con: duckdb.DuckDBPyConnection, window_days: int = WINDOW_DAYS) -> pl.DataFrame:
    """The repeated visits by fct_visit_repeat's definition on the true household, date and department: visit_key,
    prior_visit_key (the nearest earlier visit of another department; same-day visits ordered by visit_key)."""
    return con.sql(f"""
        with pairs as (
            select later.visit_key, earlier.visit_key as prior_visit_key, earlier.visited_on as prior_visited_on
            from truth_visits later
            inner join truth_visits earlier
                on later.true_house = earlier.true_house
                and later.department <> earlier.department
                and earlier.visited_on between later.visited_on - to_days({window_days}) and later.visited_on
                and (earlier.visited_on < later.visited_on or earlier.visit_key < later.visit_key)
        )
        select visit_key, arg_max(prior_visit_key, (prior_visited_on, prior_visit_key)) as prior_visit_key
        from pairs group by visit_key
    """).pl()


def predicted_repeats(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("select visit_key, prior_visit_key from wh.marts.fct_visit_repeat").pl()


def repeat_differences(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Predicted vs truth repeated visits: counts, the visits in one list only, and why (the household differs)."""
    truth, pred = truth_repeats(con), predicted_repeats(con)
    con.register("truth_repeat_list", truth)
    con.register("pred_repeat_list", pred)
    missing = con.sql("""
        select t.visit_key, t.prior_visit_key, v.house_key, tv.true_house, v.person_key, pf.person_key as true_person_key
        from truth_repeat_list t
        left join wh.marts.fct_visit v on t.visit_key = v.visit_key
        left join truth_visits tv on t.visit_key = tv.visit_key
        left join truth_visits tp on t.prior_visit_key = tp.visit_key
        left join person_for pf on tv.person_id = pf.person_id
        where t.visit_key not in (select visit_key from pred_repeat_list)
    """).pl()
    extra = con.sql("""
        select p.visit_key, p.prior_visit_key, tv.true_house, tp.true_house as prior_true_house
        from pred_repeat_list p
        left join truth_visits tv on p.visit_key = tv.visit_key
        left join truth_visits tp on p.prior_visit_key = tp.visit_key
        where p.visit_key not in (select visit_key from truth_repeat_list)
    """).pl()
    same_pair = truth.join(pred, on=["visit_key", "prior_visit_key"], how="inner").height
    return {"truth": truth.height, "predicted": pred.height, "both": truth.height - missing.height,
            "same_pair": same_pair, "missing": missing, "extra": extra}


def alone_overdue(con: duckdb.DuckDBPyConnection, as_of: str) -> pl.DataFrame:
    """Per true 独居老人 (living, lives alone, 60+ at as_of, the tag's truth in shequyun.tags.evaluate): the truth
    overdue state (no visit in the 30 days up to as_of, counting the true person's visits) next to the predicted one
    (fct_visit_overdue of the resolved person standing for them; null when they are not tagged)."""
    return con.sql(f"""
        with alone as (
            select p.person_id
            from read_parquet(getvariable('persons_path')) p
            where p.status = 'living' and coalesce(p.lives_alone, false)
                and date_diff('year', p.birth_date, cast('{as_of}' as date))
                    - case when strftime(cast('{as_of}' as date), '%m%d') < strftime(p.birth_date, '%m%d') then 1 else 0 end >= 60
        ),
        truth_last as (
            select person_id, max(visited_on) as last_visited_on
            from truth_visits where visited_on <= cast('{as_of}' as date) group by person_id
        ),
        predicted as (
            select o.person_key, o.is_overdue, o.max_days, o.last_visited_on
            from wh.marts.fct_visit_overdue o where list_contains(o.tag_codes, 'elderly_living_alone')
        )
        select alone.person_id, pf.person_key, truth_last.last_visited_on as truth_last_visited_on,
               truth_last.last_visited_on is null
                   or date_diff('day', truth_last.last_visited_on, cast('{as_of}' as date)) > {ALONE_MAX_DAYS} as truth_overdue,
               predicted.person_key is not null as tagged, predicted.is_overdue, predicted.max_days,
               predicted.last_visited_on
        from alone
        left join truth_last using (person_id)
        left join person_for pf using (person_id)
        left join predicted on pf.person_key = predicted.person_key
    """).pl()


def set_persons_path(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> None:
    con.execute("set variable persons_path = ?", [(truth_dir / "persons.parquet").as_posix()])


def build_as_of(con: duckdb.DuckDBPyConnection) -> str:
    """The as_of the build used (dbt var as_of, stamped on fct_visit_overdue)."""
    return str(con.sql("select any_value(as_of) from wh.marts.fct_visit_overdue").fetchone()[0])


def main(data_dir: Path) -> None:
    truth_dir = data_dir / "truth"
    con = connect(data_dir / "warehouse" / "shequyun.duckdb", truth_dir)
    set_persons_path(con, truth_dir)
    print(link_accuracy(con, truth_dir))
    diff = repeat_differences(con)
    print({k: v for k, v in diff.items() if not isinstance(v, pl.DataFrame)})
    print("missing", diff["missing"]), print("extra", diff["extra"])
    as_of = build_as_of(con)
    alone = alone_overdue(con, as_of)
    tagged = alone.filter(pl.col("tagged"))
    print(f"as_of {as_of} (manifest {json.loads((data_dir / 'manifest.json').read_text())['as_of']}): true 独居老人 "
          f"{alone.height}, tagged {tagged.height}; overdue truth {tagged['truth_overdue'].sum()}, predicted "
          f"{tagged['is_overdue'].sum()}, disagreeing {tagged.filter(pl.col('truth_overdue') != pl.col('is_overdue')).height}")
    print(con.sql("""
        select visit_month, sum(visits) as visits, sum(repeated_visits) as repeated_visits,
               any_value(repeat_rate) as repeat_rate, any_value(repeated_visits_change) as change_vs_baseline,
               any_value(repeat_rate_change) as rate_change_vs_baseline
        from wh.marts.agg_visit_repeat_monthly where level = 'city' group by all order by 1
    """))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
