"""The folded column tests (dbt_project/tests/generic/column_tests.sql, one per model) catch exactly what dbt's own
not_null / unique / accepted_values tests catch: on the small city's full build, broken one way per
kind, both are run and must name the same failing column tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from dbt_city import DBT_PROJECT, DbtBuild

from shequyun.core.duck import (
    FOLDED_COLUMN_TESTS,
    dbt_environment,
    dbt_vars_args,
    failed_column_tests,
    unfolded_column_tests,
)

BREAK = {
    # one row made to fail the test; rowid picks a row with a value
    "not_null": "update {rel} set {col} = null where rowid = (select min(rowid) from {rel})",
    "unique": "insert into {rel} select * from {rel} where {col} is not null limit 1",
    "accepted_values": "update {rel} set {col} = '__not_accepted__' where rowid = "
                       "(select min(rowid) from {rel} where {col} is not null)",
}


def _victims(manifest: dict, con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    """Per folded kind, one column test on a staging or intermediate table without an enforced contract and with a
    text column (the breaking SQL writes text): kind -> (test name, relation, column)."""
    chosen: dict[str, tuple[str, str, str]] = {}
    used: set[str] = set()
    for test in sorted((n for n in manifest["nodes"].values() if n["resource_type"] == "test"),
                       key=lambda n: n["name"]):
        kind = (test.get("test_metadata") or {}).get("name")
        if kind not in FOLDED_COLUMN_TESTS or kind in chosen or test["config"]["severity"].lower() != "error":
            continue
        owner = manifest["nodes"].get(test.get("attached_node") or "", {})
        column = test["test_metadata"]["kwargs"].get("column_name")
        if (owner.get("resource_type") != "model" or owner["schema"] not in ("staging", "intermediate")
                or owner["config"]["materialized"] != "table" or owner["config"].get("contract", {}).get("enforced")
                or owner["name"] in used):
            continue
        kind_of = con.execute("select data_type from information_schema.columns where table_schema = ? "
                              "and table_name = ? and column_name = ?", [owner["schema"], owner["alias"], column]).fetchone()
        if kind_of is None or kind_of[0] != "VARCHAR":
            continue
        chosen[kind] = (test["name"], f'{owner["schema"]}."{owner["alias"]}"', column)
        used.add(owner["name"])      # one break per table, so each test fails for its own break
    return chosen


def _dbt_test(build: DbtBuild, db: Path, work: Path, selection: str) -> dict[str, str]:
    """`dbt test --select selection` on `db`: status by test name (dbt exits 1 when a test fails: expected here)."""
    cmd = [str(Path(sys.executable).with_name("dbt")), "test", "--select", selection,
           *dbt_vars_args(build.paths.root, db), "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
           "--target-path", str(work), "--log-path", str(work)]
    proc = subprocess.run(cmd, cwd=DBT_PROJECT, env=dbt_environment(), capture_output=True, text=True, check=False)
    results = json.loads((work / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert results, proc.stdout[-3000:]
    return {r["unique_id"].split(".")[-2]: r["status"] for r in results}


def test_folded_column_tests_fail_exactly_where_dbts_own_column_tests_fail(full_build: DbtBuild, tmp_path: Path) -> None:
    db = tmp_path / "broken.duckdb"
    shutil.copyfile(full_build.duckdb_path, db)
    manifest = json.loads((full_build.duckdb_path.parent / "target" / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(db)) as con:
        victims = _victims(manifest, con)
        assert sorted(victims) == sorted(FOLDED_COLUMN_TESTS), victims
        for kind, (_, rel, col) in victims.items():
            con.execute(BREAK[kind].format(rel=rel, col=col))

    own = _dbt_test(full_build, db, tmp_path / "own", " ".join(f"test_name:{k}" for k in FOLDED_COLUMN_TESTS))
    own_failed = {name for name, status in own.items() if status == "fail"}
    assert {name for name, _, _ in victims.values()} <= own_failed
    assert len(own) > 500        # every column test of the project ran

    folded_dir = tmp_path / "folded"
    folded = _dbt_test(full_build, db, folded_dir, "test_name:column_tests")
    assert len(folded) < len(own) / 4
    named = failed_column_tests(folded_dir / "run_results.json", db)
    assert sorted(n.rsplit(" (", 1)[0] for n in named) == sorted(own_failed)
    assert all(n.rsplit(" (", 1)[1].rstrip(")").isdigit() for n in named)
    # and on the unbroken build every folded test passes, as every column test did
    unbroken = tmp_path / "unbroken.duckdb"
    shutil.copyfile(full_build.duckdb_path, unbroken)
    clean = _dbt_test(full_build, unbroken, tmp_path / "clean", "test_name:column_tests")
    assert set(clean.values()) == {"pass"}


def test_a_column_test_that_no_build_would_run_is_named() -> None:
    """A model whose YAML gained a column test but declares no column_tests: the build would skip that test
    silently, so the definitions refuse to load (pipelines.transform.ensure_manifest) naming it."""
    from pipelines.transform import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    assert unfolded_column_tests(manifest) == []
    nodes = manifest["nodes"]
    warned = [k for k, n in nodes.items() if n["resource_type"] == "test" and n["name"].startswith("column_tests_dim_person")
              and n["test_metadata"]["kwargs"].get("warnings")]
    assert len(warned) == 1
    del nodes[warned[0]]
    assert unfolded_column_tests(manifest) == ["dim_person: not_null_dim_person_name",
                                               "dim_person: unique_dim_person_id_number"]
    for key in [k for k, n in nodes.items() if n["name"].startswith("column_tests_dim_house_")]:
        del nodes[key]
    missing = unfolded_column_tests(manifest)
    assert "dim_house: not_null_dim_house_house_key" in missing
    assert {m.split(":")[0] for m in missing} == {"dim_person", "dim_house"}
