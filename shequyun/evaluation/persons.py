"""Accuracy of the resolved persons against the generator's truth: pairwise and B-cubed figures.

Records are matched to truth on (system, source, row key); records whose true person is null (house-only
records) are left out, every other subject record is counted (one left unresolved counts as a singleton)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

EVALUATED_ROLES = ("subject", "owner")
# a truth row's record_key (system:source:row_key), as int_person_records names its records
TRUTH_RECORD_KEY = "system || ':' || source || ':' || row_key"


def _pairs(sizes: np.ndarray) -> float:
    return float((sizes * (sizes - 1) // 2).sum())


def clustering_metrics(truth: np.ndarray | pd.Series, predicted: np.ndarray | pd.Series) -> dict[str, float]:
    """Pairwise precision/recall/F1 and B-cubed precision/recall/F1 of a predicted clustering against the
    true one (two labels per item, same order)."""
    df = pd.DataFrame({"t": np.asarray(truth), "p": np.asarray(predicted)})
    t_size = df.groupby("t")["t"].transform("size").to_numpy()
    p_size = df.groupby("p")["p"].transform("size").to_numpy()
    both = df.groupby(["t", "p"]).size()
    tp = _pairs(both.to_numpy())
    pred_pairs = _pairs(df.groupby("p").size().to_numpy())
    true_pairs = _pairs(df.groupby("t").size().to_numpy())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # B-cubed: per item, share of its predicted cluster that is truly its own, and vice versa
    inter = df.merge(both.rename("n_tp").reset_index(), on=["t", "p"])["n_tp"].to_numpy()
    b_p = float(np.mean(inter / p_size))
    b_r = float(np.mean(inter / t_size))
    b_f1 = 2 * b_p * b_r / (b_p + b_r) if b_p + b_r else 0.0
    return {"pairwise_precision": precision, "pairwise_recall": recall, "pairwise_f1": f1,
            "bcubed_precision": b_p, "bcubed_recall": b_r, "bcubed_f1": b_f1,
            "true_pairs": int(true_pairs), "predicted_pairs": int(pred_pairs), "true_positive_pairs": int(tp)}


def truth_records(truth_dir: str | Path) -> pd.DataFrame:
    """record_key (system:source:row_key) -> true person_id, for records that name a person."""
    path = Path(truth_dir) / "source_records.parquet"
    return duckdb.sql(f"""
        select {TRUTH_RECORD_KEY} as record_key, person_id
        from read_parquet('{path.as_posix()}') where person_id is not null
    """).df()


def evaluate_clusters(resolved: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """resolved: record_key, person_cluster_id (one row per evaluated record); truth: record_key, person_id."""
    df = truth.merge(resolved, on="record_key", how="inner")
    df["person_cluster_id"] = df["person_cluster_id"].fillna("unresolved:" + df["record_key"])
    return _with_counts(df["person_id"], df["person_cluster_id"])


def _with_counts(truth: pd.Series | np.ndarray, predicted: pd.Series | np.ndarray) -> dict[str, float]:
    out = clustering_metrics(truth, predicted)
    out.update({"records": len(truth), "true_persons": int(pd.Series(truth).nunique()),
                "resolved_persons": int(pd.Series(predicted).nunique())})
    return out


def evaluate_persons(duckdb_path: str | Path, truth_dir: str | Path, *,
                     relation: str = "int_person_clusters_resolved", records_relation: str = "int_person_records",
                     roles: tuple[str, ...] = EVALUATED_ROLES) -> dict[str, float]:
    """Pairwise and B-cubed precision, recall and F1 of the resolved person clusters in the DuckDB file
    against truth, plus counts (records, true persons, resolved persons).

    The same figures as evaluate_clusters(one_cluster_per_record(...), truth_records(...)), with the joins, the
    choice of one cluster per record and the labelling done in DuckDB: the metrics get two integer label arrays
    instead of millions of ~70-character keys in pandas."""
    truth = (Path(truth_dir) / "source_records.parquet").as_posix()
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        def qualified(name: str) -> str:
            row = con.execute("select table_schema from information_schema.tables where table_name = ? "
                              "order by table_schema limit 1", [name]).fetchone()
            if row is None:
                raise LookupError(f"{name} not found in {duckdb_path}")
            return f'"{row[0]}"."{name}"'
        role_list = ", ".join(f"'{r}'" for r in roles)
        role_rank = " ".join(f"when '{r}' then {i}" for i, r in enumerate(roles))
        con.execute("set preserve_insertion_order = false")
        labels = con.execute(f"""
            with one as (    -- one_cluster_per_record: the first evaluated role, then the smallest cluster id
                select r.record_key, c.person_cluster_id
                from {qualified(records_relation)} r
                left join {qualified(relation)} c using (record_person_key)
                where r.role in ({role_list})
                qualify row_number() over (partition by r.record_key
                                           order by case r.role {role_rank} end, c.person_cluster_id nulls last) = 1
            ), labelled as (
                select t.person_id, coalesce(o.person_cluster_id, 'unresolved:' || o.record_key) as cluster
                from (select {TRUTH_RECORD_KEY} as record_key, person_id from read_parquet('{truth}')) t
                join one o using (record_key)
                where t.person_id is not null
            )
            select dense_rank() over (order by person_id) as t, dense_rank() over (order by cluster) as p
            from labelled
        """).fetchnumpy()
    finally:
        con.close()
    return _with_counts(labels["t"], labels["p"])


def one_cluster_per_record(resolved: pd.DataFrame, roles: tuple[str, ...] = EVALUATED_ROLES) -> pd.DataFrame:
    """record_key, person_cluster_id, role (one row per record and evaluated role) -> record_key, person_cluster_id.
    The truth names the record's own person (source_records.person_id): the subject when the record has one (a rental
    record names its tenant as subject and the landlord as owner), else its first evaluated role."""
    resolved = resolved[resolved["role"].isin(roles)]
    return (resolved.assign(_rank=resolved["role"].map({r: i for i, r in enumerate(roles)}))
            .sort_values(["record_key", "_rank", "person_cluster_id"]).drop_duplicates("record_key")
            [["record_key", "person_cluster_id"]])


def format_report(figures: dict[str, float], title: str = "persons") -> str:
    lines = [(f"{title}: {figures.get('records', 0):,} records, {figures.get('true_persons', 0):,} true persons, "
             f"{figures.get('resolved_persons', 0):,} resolved")]
    for kind in ("pairwise", "bcubed"):
        lines.append(f"  {kind:<9} precision {figures[f'{kind}_precision']:.4f}  recall {figures[f'{kind}_recall']:.4f}"
                     f"  F1 {figures[f'{kind}_f1']:.4f}")
    return "\n".join(lines)


def print_report(figures: dict[str, float], title: str = "persons") -> None:
    print(format_report(figures, title))
