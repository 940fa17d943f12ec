"""House accuracy: the resolved houses of the thematic database against the synthetic city's truth.

    evaluate_houses(duckdb_path, truth_dir) -> {"pairwise_f1": ..., "bcubed_f1": ..., ...}

Evaluated records: the source records whose truth names a house (truth/source_records.parquet house_id), as far as
they reach staging (exact duplicates collapse and broken rows are quarantined before). A record's predicted house is
the house_key of its address that names the record's house (int_house_records_resolved.names_record_house); the
truth house_id of a stale address is the house the record names (the generator swaps in the stale house's id), so
that is what is compared. A record whose address resolves to no house counts as a house of its own.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

_METRICS_SQL = """
with predicted as (
    select record_key, house_key from {records} where names_record_house
),
truth as (
    select system || ':' || source || ':' || row_key as record_key, house_id
    from read_parquet('{truth}') where house_id is not null
),
joined as (
    select t.record_key, t.house_id, coalesce(p.house_key, 'unresolved:' || t.record_key) as house_key,
           p.house_key is null as unresolved
    from truth t inner join predicted p using (record_key)
),
cells as (select house_key, house_id, count(*) as n from joined group by all),
pred as (select house_key, sum(n) as n from cells group by all),
true_ as (select house_id, sum(n) as n from cells group by all),
bcubed as (
    select sum(c.n * c.n / p.n) as precision_sum, sum(c.n * c.n / t.n) as recall_sum
    from cells c join pred p using (house_key) join true_ t using (house_id)
)
select
    (select count(*) from joined) as records,
    (select count(*) filter (where unresolved) from joined) as unresolved_records,
    (select count(*) from pred) as predicted_houses,
    (select count(*) from true_) as true_houses,
    (select sum(n * (n - 1) / 2) from cells) as true_positive_pairs,
    (select sum(n * (n - 1) / 2) from pred) as predicted_pairs,
    (select sum(n * (n - 1) / 2) from true_) as true_pairs,
    (select precision_sum from bcubed) as bcubed_precision_sum,
    (select recall_sum from bcubed) as bcubed_recall_sum
"""


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate_houses(duckdb_path: Path | str, truth_dir: Path | str,
                    records_relation: str = "intermediate.int_house_records_resolved") -> dict:
    """Pairwise and B-cubed precision / recall / F1 of the record -> house mapping against the truth."""
    truth = Path(truth_dir) / "source_records.parquet"
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        row = con.execute(_METRICS_SQL.format(records=records_relation, truth=truth.as_posix())).fetchone()
        cols = [d[0] for d in con.description]
    m = dict(zip(cols, row))
    records = int(m["records"] or 0)
    tp, pp, tpairs = float(m["true_positive_pairs"] or 0), float(m["predicted_pairs"] or 0), float(m["true_pairs"] or 0)
    precision = tp / pp if pp else 1.0
    recall = tp / tpairs if tpairs else 1.0
    b_p = float(m["bcubed_precision_sum"] or 0) / records if records else 0.0
    b_r = float(m["bcubed_recall_sum"] or 0) / records if records else 0.0
    return {
        "records": records,
        "unresolved_records": int(m["unresolved_records"] or 0),
        "predicted_houses": int(m["predicted_houses"] or 0),
        "true_houses": int(m["true_houses"] or 0),
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": _f1(precision, recall),
        "bcubed_precision": b_p,
        "bcubed_recall": b_r,
        "bcubed_f1": _f1(b_p, b_r),
    }
