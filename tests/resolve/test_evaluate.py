"""Evaluation metrics on tiny clusterings whose answer is known by construction."""

from __future__ import annotations

import itertools

import duckdb
import pandas as pd
import pytest

from shequyun.evaluation.persons import (
    clustering_metrics,
    evaluate_clusters,
    evaluate_persons,
    format_report,
)


def _pairs(labels: list[str]) -> set[tuple[int, int]]:
    return {(i, j) for i, j in itertools.combinations(range(len(labels)), 2) if labels[i] == labels[j]}


def _bcubed(truth: list[str], pred: list[str]) -> tuple[float, float]:
    n = len(truth)
    p = sum(sum(1 for j in range(n) if pred[j] == pred[i] and truth[j] == truth[i])
            / sum(1 for j in range(n) if pred[j] == pred[i]) for i in range(n)) / n
    r = sum(sum(1 for j in range(n) if pred[j] == pred[i] and truth[j] == truth[i])
            / sum(1 for j in range(n) if truth[j] == truth[i]) for i in range(n)) / n
    return p, r


def test_perfect_clustering_scores_one() -> None:
    truth = ["p1", "p1", "p1", "p2", "p2", "p3"]
    m = clustering_metrics(truth, ["c9", "c9", "c9", "c4", "c4", "c1"])
    for k in ("pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_precision", "bcubed_recall", "bcubed_f1"):
        assert m[k] == 1.0


@pytest.mark.parametrize("pred", [
    ["a", "a", "a", "a", "a", "b"],  # one wrong merge of p1 and p2
    ["a", "a", "b", "c", "c", "d"],  # one split of p1
    ["a", "b", "a", "b", "c", "c"],  # split and merges
])
def test_metrics_match_the_definitions(pred: list[str]) -> None:
    truth = ["p1", "p1", "p1", "p2", "p2", "p3"]
    m = clustering_metrics(truth, pred)
    tp = len(_pairs(truth) & _pairs(pred))
    precision, recall = tp / len(_pairs(pred)), tp / len(_pairs(truth))
    assert m["pairwise_precision"] == pytest.approx(precision)
    assert m["pairwise_recall"] == pytest.approx(recall)
    assert m["pairwise_f1"] == pytest.approx(2 * precision * recall / (precision + recall) if tp else 0.0)
    bp, br = _bcubed(truth, pred)
    assert m["bcubed_precision"] == pytest.approx(bp)
    assert m["bcubed_recall"] == pytest.approx(br)


def test_one_wrong_merge_known_figures() -> None:
    # p1 (3 records) and p2 (2 records) merged: 10 predicted pairs, 4 true -> precision 0.4, recall 1
    m = clustering_metrics(["p1", "p1", "p1", "p2", "p2", "p3"], ["a", "a", "a", "a", "a", "b"])
    assert m["pairwise_precision"] == pytest.approx(0.4)
    assert m["pairwise_recall"] == 1.0
    # B-cubed precision: p1 records 3/5 each, p2 records 2/5 each, p3 1 -> (9/5 + 4/5 + 1) / 6
    assert m["bcubed_precision"] == pytest.approx((9 / 5 + 4 / 5 + 1) / 6)


def test_unresolved_records_count_as_singletons_and_house_only_records_are_left_out(tmp_path) -> None:
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    pd.DataFrame({"system": ["s"] * 4, "source": ["f.csv"] * 4, "row_key": ["2", "3", "4", "5"],
                  "person_id": ["P1", "P1", "P2", None]}).to_parquet(truth_dir / "source_records.parquet")
    db = tmp_path / "t.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema intermediate")
    con.execute("""create table intermediate.int_person_records as select * from (values
        ('s:f.csv:2:subject', 's:f.csv:2', 'subject'), ('s:f.csv:3:subject', 's:f.csv:3', 'subject'),
        ('s:f.csv:4:subject', 's:f.csv:4', 'subject'), ('s:f.csv:5:owner', 's:f.csv:5', 'owner'),
        ('s:f.csv:3:head', 's:f.csv:3', 'head')) t(record_person_key, record_key, role)""")
    con.execute("""create table intermediate.int_person_clusters_resolved as select * from (values
        ('s:f.csv:2:subject', 'c1'), ('s:f.csv:5:owner', 'c1'), ('s:f.csv:3:head', 'c1'))
        t(record_person_key, person_cluster_id)""")
    con.close()
    figures = evaluate_persons(db, truth_dir)
    # rows 2 and 3 (P1) are apart: row 3 is unresolved as a subject; its head role is not evaluated
    assert figures["records"] == 3 and figures["true_persons"] == 2 and figures["resolved_persons"] == 3
    assert figures["pairwise_recall"] == 0.0 and figures["pairwise_precision"] == 1.0
    assert "pairwise" in format_report(figures)
    same = evaluate_clusters(pd.DataFrame({"record_key": ["s:f.csv:2", "s:f.csv:3"], "person_cluster_id": ["c", "c"]}),
                             pd.DataFrame({"record_key": ["s:f.csv:2", "s:f.csv:3"], "person_id": ["P1", "P1"]}))
    assert same["pairwise_f1"] == 1.0


def test_a_record_naming_two_persons_is_scored_by_its_subject(tmp_path) -> None:
    # a rental record: the tenant is the subject (the truth's person), the landlord is named as owner; the landlord's
    # cluster sorts first, yet the record must be scored by its subject's cluster
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    pd.DataFrame({"system": ["r"] * 3, "source": ["t"] * 3, "row_key": ["1", "2", "3"],
                  "person_id": ["tenant", "tenant", "landlord"]}).to_parquet(truth_dir / "source_records.parquet")
    db = tmp_path / "t.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema intermediate")
    con.execute("""create table intermediate.int_person_records as select * from (values
        ('r:t:1:subject', 'r:t:1', 'subject'), ('r:t:1:owner', 'r:t:1', 'owner'),
        ('r:t:2:subject', 'r:t:2', 'subject'), ('r:t:3:owner', 'r:t:3', 'owner')) t(record_person_key, record_key, role)""")
    con.execute("""create table intermediate.int_person_clusters_resolved as select * from (values
        ('r:t:1:subject', 'z_tenant'), ('r:t:1:owner', 'a_landlord'), ('r:t:2:subject', 'z_tenant'),
        ('r:t:3:owner', 'a_landlord')) t(record_person_key, person_cluster_id)""")
    con.close()
    figures = evaluate_persons(db, truth_dir)
    assert figures["records"] == 3 and figures["pairwise_precision"] == 1.0 and figures["pairwise_recall"] == 1.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_database_path_gives_the_figures_of_the_pandas_path(tmp_path, seed: int) -> None:
    # evaluate_persons joins, picks one cluster per record and labels in DuckDB; the pandas functions are the
    # reference: random records with one to three roles, unresolved ones, records the truth lacks or has no person for
    import random

    from shequyun.evaluation.persons import one_cluster_per_record, truth_records

    rnd = random.Random(seed)
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    rows = [str(i) for i in range(400)]
    truth = pd.DataFrame({"system": "s", "source": "f.csv", "row_key": rows,
                          "person_id": [None if rnd.random() < 0.05 else f"P{rnd.randrange(120)}" for _ in rows]})
    truth.iloc[:-20].to_parquet(truth_dir / "source_records.parquet")           # the last 20 records are not in truth
    records, clusters = [], []
    for row in rows:
        for role in rnd.sample(["subject", "owner", "head"], rnd.randint(1, 3)):
            key = f"s:f.csv:{row}:{role}"
            records.append((f"s:f.csv:{row}", key, role))
            if rnd.random() > 0.1:                                               # else unresolved
                clusters.append((key, f"C{rnd.randrange(150):03d}"))
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table int_person_records(record_key varchar, record_person_key varchar, role varchar)")
    con.executemany("insert into int_person_records values (?, ?, ?)", records)
    con.execute("create table int_person_clusters_resolved(record_person_key varchar, person_cluster_id varchar)")
    con.executemany("insert into int_person_clusters_resolved values (?, ?)", clusters)
    resolved = con.execute("""select r.record_key, c.person_cluster_id, r.role from int_person_records r
                              left join int_person_clusters_resolved c using (record_person_key)""").df()
    con.close()
    expected = evaluate_clusters(one_cluster_per_record(resolved), truth_records(truth_dir))
    got = evaluate_persons(db, truth_dir)
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-12, abs=0), name
    assert 0 < got["pairwise_f1"] < 1 and got["records"] > 300
