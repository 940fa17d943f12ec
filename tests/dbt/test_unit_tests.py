"""dbt's unit tests (the `unit_tests:` of the models' YAML) check the models' SQL on fixture rows. Production builds
leave them out (pipelines/transform.py: `--exclude-resource-type unit_test`); the session's full build of the test
city runs them, and this test makes sure it ran every one the project defines, and that each passed."""

from __future__ import annotations

import json


def test_the_full_build_runs_and_passes_every_dbt_unit_test(full_build) -> None:
    target = full_build.duckdb_path.parent / "target"
    defined = set(json.loads((target / "manifest.json").read_text(encoding="utf-8"))["unit_tests"])
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    ran = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(defined) >= 30
    assert set(ran) == defined, f"not run: {sorted(defined - set(ran))}"
    assert {uid: status for uid, status in ran.items() if status != "pass"} == {}
