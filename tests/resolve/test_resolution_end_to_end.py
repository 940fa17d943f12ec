"""Person resolution on a small generated city, measured against the generator's truth.

Floors (documented): on a 2,000-person city pairwise F1 >= 0.98 and B-cubed F1 >= 0.99. On the default
20,000-person demo city the build reaches pairwise F1 0.9975 / B-cubed F1 0.9990; what is left is almost
only visit records without ID number whose address is stale (name alone is weak evidence)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from shequyun.core.settings import Paths
from shequyun.evaluation.persons import evaluate_persons
from shequyun.resolution.match_model import (
    MatchModelError,
    read_match_model,
    store_match_model,
)


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_resolved_persons_reach_the_floor_against_truth(resolved_city: tuple[Paths, Path, Path]) -> None:
    paths, db, _ = resolved_city
    figures = evaluate_persons(db, paths.truth)
    assert figures["records"] > 5000
    assert figures["pairwise_f1"] >= 0.98, figures
    assert figures["bcubed_f1"] >= 0.99, figures
    assert figures["pairwise_precision"] >= 0.99, figures
    assert abs(figures["resolved_persons"] - figures["true_persons"]) <= 0.05 * figures["true_persons"]


def test_no_cluster_holds_two_valid_ids_and_every_link_has_evidence(resolved_city: tuple[Paths, Path, Path]) -> None:
    _, db, _ = resolved_city
    two_ids = _query(db, """
        select c.person_cluster_id
        from intermediate.int_person_clusters_resolved c
        join intermediate.int_person_records_keyed k using (record_person_key)
        where k.valid_id is not null
        group by 1 having count(distinct k.valid_id) > 1""")
    assert two_ids == []
    counts = dict(_query(db, "select rule, count(*) from intermediate.int_person_links_scored where is_accepted group by 1"))
    assert counts.get("id_exact", 0) > 1000 and counts.get("fellegi_sunter", 0) > 100
    no_evidence = _query(db, """
        select count(*) from intermediate.int_person_links_scored
        where rule = 'fellegi_sunter' and is_accepted
          and (len(agreed_fields) = 0 or match_weight is null or match_probability < 0.9)""")
    assert no_evidence == [(0,)]
    # records without a trusted ID were attached by the model, and weights were estimated (EM) from the data
    attached = dict(_query(db, "select attached_by, count(*) from intermediate.int_person_clusters_resolved group by 1"))
    assert attached.get("fellegi_sunter", 0) > 100
    w = dict(_query(db, "select comparison || ':' || level, match_weight from intermediate.int_person_match_weights"))
    assert w["name:4"] > 5 and w["name:0"] < 0 and w["birth_date:3"] > 5 and w["id:1"] > 5


def test_person_keys_are_stable_when_the_resolution_reruns(resolved_city: tuple[Paths, Path, Path], run_dbt) -> None:
    paths, db, work = resolved_city
    sql = "select record_person_key, person_key, person_cluster_id from intermediate.int_person_clusters_resolved"
    before = sorted(_query(db, sql))
    # rerun the person models only (the marts downstream need the house models this city did not build)
    run_dbt(paths, db, work, "run", "--select", "int_person_names_romanised+,path:models/intermediate/person",
            "int_person_addresses_standardised+,path:models/intermediate/person")
    after = sorted(_query(db, sql))
    assert before == after
    assert len({k for _, k, _ in before}) == len({c for _, _, c in before})


def test_a_stored_match_model_is_what_scores_the_pairs(resolved_city: tuple[Paths, Path, Path], run_dbt,
                                                       tmp_path: Path) -> None:
    """The fixture's build estimated its model (none was stored). Stored, a rebuild reads it back and scores every
    pair exactly as the estimating build did; a stored model with another prior moves every score by just that."""
    paths, db, _ = resolved_city
    estimated = tmp_path / "estimated.duckdb"
    shutil.copyfile(db, estimated)
    run_dbt(paths, estimated, tmp_path, "run", "--select", "build_info")
    folder = paths.person_match_model
    scoring = ["run", "--select", "int_person_match_weights", "int_person_name_frequencies", "int_person_links_scored",
               "build_info"]
    links = "select * from intermediate.int_person_links_scored"
    try:
        stored = store_match_model(estimated, folder)
        assert stored is not None and stored.files["name_frequencies"]["rows"] > 1000
        frozen = tmp_path / "frozen.duckdb"
        shutil.copyfile(db, frozen)
        run_dbt(paths, frozen, tmp_path, *scoring)
        with duckdb.connect() as con:
            con.execute(f"attach '{estimated}' as e (read_only); attach '{frozen}' as f (read_only)")
            for a, b in (("e", "f"), ("f", "e")):
                assert con.sql(f"select count(*) from ({links.replace('intermediate', a + '.intermediate')} "
                               f"except all {links.replace('intermediate', b + '.intermediate')})").fetchone() == (0,)
            when = con.sql("select e.built_at, f.built_at, f.person_match_model_estimated_at "
                           "from e.marts.build_info e, f.marts.build_info f").fetchone()
        assert when[2] == when[0] != when[1]        # the frozen build names the model by the build that estimated it

        # the same folder with the prior raised by 2 (checksums fixed as an edit by hand would not): every
        # Fellegi–Sunter pair's match weight moves by exactly 2, its evidence not at all
        with duckdb.connect() as con:
            weights = (folder / "weights.parquet").as_posix()
            con.execute(f"copy (select * replace (prior_match_weight + 2 as prior_match_weight) from '{weights}') "
                        f"to '{tmp_path / 'raised.parquet'}' (format parquet)")
        shutil.move(tmp_path / "raised.parquet", folder / "weights.parquet")
        with pytest.raises(MatchModelError, match="weights.parquet"):
            read_match_model(folder)        # what the build checks before dbt starts (pipelines.transform)
        run_dbt(paths, frozen, tmp_path, *scoring)
        moved = _query(frozen, f"""
            attach '{estimated}' as e (read_only);
            select count(*), max(abs(f.match_weight - e.match_weight - 2)), max(abs(f.evidence_weight - e.evidence_weight))
            from intermediate.int_person_links_scored f
            join e.intermediate.int_person_links_scored e using (record_person_key_a, record_person_key_b, rule)
            where rule = 'fellegi_sunter'""")[0]
        assert moved[0] > 1000 and moved[1] < 1e-9 and moved[2] < 1e-9, moved
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
