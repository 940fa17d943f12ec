"""Benchmark: shequyun's person resolution (dbt + Fellegi–Sunter EM + constrained clustering) against splink 5
(DuckDB backend) on the same person records, both measured against the generator's truth.

Needs a data directory whose DuckDB file has been built by dbt (`make demo`, or `dbt build`):

    .venv/bin/python benchmarks/bench_splink.py --data-dir data

A deployment with its own connector YAMLs (the frozen2 city) is benchmarked the same way with
SHEQUYUN_SOURCES_DIR set: the resolution models are then rebuilt in the deployment's dbt project.

shequyun: the resolution models (from int_person_records to int_person_clusters_resolved) are rebuilt by dbt on a copy of the
DuckDB file and timed (wall clock including dbt's start-up, and the sum of the models' own times).
splink: the same records (int_person_records_keyed: the staged records plus pinyin and door keys) with
comparable blocking rules, comparisons and training (random-pair u, EM per blocking rule, the prior from
records sharing a valid ID), predictions clustered at the same probability threshold.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# the resolution models only, up to the clusters splink is compared on (before 2026-12-07 the selection was every
# model downstream of them too: marts, tags and 54 ledgers, which splink does not build)
ESTIMATE_MATCH_MODEL = {"person_match_model": ""}
RESOLUTION_SELECTION = ["int_person_names_romanised+,+int_person_clusters_resolved",
                        "int_person_addresses_standardised+,+int_person_clusters_resolved"]


def _table(con: duckdb.DuckDBPyConnection, name: str) -> str:
    schema = con.execute("select table_schema from information_schema.tables where table_name = ? limit 1",
                         [name]).fetchone()
    if schema is None:
        raise SystemExit(f"{name} is missing: build the dbt project first")
    return f'"{schema[0]}"."{name}"'


def run_shequyun(data_dir: Path, db: Path, work: Path, project: Path) -> dict[str, float]:
    """Rebuild the resolution models on a copy of the database; evaluate them."""
    from shequyun.core.duck import dbt_environment, dbt_vars_args
    from shequyun.evaluation.persons import evaluate_persons

    copy = work / "bench_shequyun.duckdb"
    shutil.copy(db, copy)
    env = dbt_environment()
    # person_match_model "": estimate the weights as splink trains them, not read the data directory's stored model
    cmd = [str(Path(sys.executable).with_name("dbt")), "run", *dbt_vars_args(data_dir, copy, ESTIMATE_MATCH_MODEL),
           "--select", *RESOLUTION_SELECTION,
           "--project-dir", str(project), "--profiles-dir", str(project),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"dbt failed:\n{proc.stdout[-4000:]}")
    results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))
    figures = evaluate_persons(copy, data_dir / "truth")
    figures["seconds"] = seconds
    figures["model_seconds"] = sum(r["execution_time"] for r in results["results"])
    figures["models"] = {r["unique_id"].rsplit(".", 1)[-1]: round(r["execution_time"], 2) for r in results["results"]}
    return figures


def run_splink(db: Path, data_dir: Path, threshold: float, work: Path) -> dict[str, float]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from shequyun.evaluation.persons import (
        EVALUATED_ROLES,
        evaluate_clusters,
        one_cluster_per_record,
        truth_records,
    )

    with duckdb.connect(str(db), read_only=True) as src:
        records = src.sql(f"""
            select record_person_key as unique_id, record_key, role, person_name, name_pinyin, surname_pinyin,
                   strftime(birth_date, '%Y-%m-%d') as birth_date, cast(year(birth_date) as varchar) as birth_year,
                   sex, phone, address, address_door, id_18, valid_id
            from {_table(src, 'int_person_records_keyed')}
        """).df()
    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    con = duckdb.connect(str(work / "bench_splink.duckdb"))
    con.execute("set enable_progress_bar = false")
    api = DuckDBAPI(connection=con)
    sdf = api.register(records, table_name="person_records")

    name = cl.CustomComparison(output_column_name="person_name", comparison_levels=[
        cll.NullLevel("person_name"),
        cll.ExactMatchLevel("person_name").configure(tf_adjustment_column="person_name"),
        cll.ExactMatchLevel("name_pinyin"),
        cll.JaroWinklerLevel("person_name", 0.85),
        cll.ElseLevel(),
    ])
    birth = cl.CustomComparison(output_column_name="birth_date", comparison_levels=[
        cll.NullLevel("birth_date"),
        cll.ExactMatchLevel("birth_date"),
        cll.LevenshteinLevel("birth_date", 1),
        cll.ElseLevel(),
    ])
    address = cl.CustomComparison(output_column_name="address", comparison_levels=[
        cll.NullLevel("address_door"),
        cll.ExactMatchLevel("address"),
        cll.ExactMatchLevel("address_door"),
        cll.ElseLevel(),
    ])
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("valid_id"),
            # birth date with the surname, as int_person_pairs_blocked blocks since the 5M run (a birth date alone
            # pairs a share of the city with each other)
            block_on("birth_date", "surname_pinyin"),
            block_on("substr(id_18, 1, 14)"),
            block_on("substr(id_18, 7, 11)"),
            block_on("phone"),
            block_on("name_pinyin", "birth_year"),
            block_on("surname_pinyin", "address_door"),
        ],
        comparisons=[
            name, birth, cl.ExactMatch("sex"), cl.ExactMatch("phone"), address,
            cl.DamerauLevenshteinAtThresholds("id_18", [1]),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match([block_on("valid_id")], recall=0.98)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("birth_date", "surname_pinyin"), block_on("phone"), block_on("surname_pinyin", "address_door")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    resolved = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds = time.perf_counter() - started
    con.close()

    resolved = (resolved.merge(records[["unique_id", "record_key", "role"]], on="unique_id")
                .rename(columns={"cluster_id": "person_cluster_id"}))
    figures = evaluate_clusters(one_cluster_per_record(resolved, EVALUATED_ROLES), truth_records(data_dir / "truth"))
    figures["seconds"] = seconds
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("SHEQUYUN_DATA_DIR", "data")))
    parser.add_argument("--duckdb", type=Path, default=None, help="default: <data-dir>/warehouse/shequyun.duckdb")
    parser.add_argument("--threshold", type=float, default=0.9, help="match probability to cluster at")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--project-dir", type=Path, default=None,
                        help="dbt project; default: the deployment's (shipped dbt_project/ unless SHEQUYUN_SOURCES_DIR)")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_ROOT))
    from connectors.deployment import deployment_project_dir

    project = (args.project_dir or deployment_project_dir()).resolve()
    data_dir = args.data_dir.resolve()
    db = (args.duckdb or data_dir / "warehouse" / "shequyun.duckdb").resolve()
    work = Path(tempfile.mkdtemp(prefix="bench_splink_"))
    try:
        ours = run_shequyun(data_dir, db, work, project)
        theirs = run_splink(db, data_dir, args.threshold, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = pd.DataFrame({"shequyun": ours, "splink": theirs}).loc[[
        "records", "true_persons", "resolved_persons", "pairwise_precision", "pairwise_recall", "pairwise_f1",
        "bcubed_precision", "bcubed_recall", "bcubed_f1", "seconds"]]
    print(f"person resolution on {db} (threshold {args.threshold})")
    print(table.to_string(float_format=lambda v: f"{v:,.4f}" if v < 2 else f"{v:,.1f}"))
    print(f"shequyun model seconds (sum over dbt models, without dbt start-up): {ours['model_seconds']:.1f}")
    for name, secs in sorted(ours["models"].items(), key=lambda kv: -kv[1]):
        print(f"    {name:<40} {secs:>7.2f}")
    if args.json:
        print(json.dumps({"shequyun": ours, "splink": theirs}, default=float))


if __name__ == "__main__":
    main()
