"""A snapshot of the code location: every asset (with group and kinds), check, job, schedule and sensor.

Any change to the graph must be reviewed: regenerate with `UPDATE_SNAPSHOT=1 pytest tests/pipelines/test_definitions_snapshot.py`
and commit tests/pipelines/definitions_snapshot.json with the change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")


def describe(defs: Any) -> dict[str, Any]:
    graph = defs.resolve_asset_graph()
    assets = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets.append({
            "key": key.to_user_string(),
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "description": node.description,
        })
    checks = []
    for check_key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        spec = graph.get_check_spec(check_key)
        checks.append({
            "asset": check_key.asset_key.to_user_string(),
            "name": check_key.name,
            "severity": spec.metadata.get("severity"),
        })
    jobs = []
    for job in sorted(defs.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue
        selected = job.asset_layer.selected_asset_keys if job.asset_layer else set()
        jobs.append({"name": job.name, "assets": sorted(k.to_user_string() for k in selected),
                     "executor": job.executor_def.name})
    schedules = [
        {"name": s.name, "job": s.job_name, "cron": s.cron_schedule, "timezone": s.execution_timezone,
         "default_status": s.default_status.value}
        for s in sorted((defs.resolve_schedule_def(u.name) for u in defs.schedules or []), key=lambda s: s.name)
    ]
    sensors = [
        {"name": s.name, "jobs": sorted(j.name for j in s.jobs), "minimum_interval_seconds": s.minimum_interval_seconds,
         "default_status": s.default_status.value}
        for s in sorted(defs.sensors or [], key=lambda s: s.name)
    ]
    return {
        "assets": assets,
        "asset_checks": checks,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
        "resources": sorted(defs.resources or {}),
    }


def test_definitions_match_the_committed_snapshot() -> None:
    from pipelines.definitions import defs

    current = describe(defs)
    text = json.dumps(current, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.exists(), f"no snapshot yet: run with UPDATE_SNAPSHOT=1 and commit {SNAPSHOT.name}"
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert current == expected, (
        "the Dagster definitions changed; review the difference, then regenerate with UPDATE_SNAPSHOT=1"
    )


def test_snapshot_covers_every_source_system_with_conventions() -> None:
    """Independent of the snapshot file: naming conventions of STYLE.md hold for the live definitions."""
    from connectors.config import load_source_configs
    from pipelines.definitions import defs

    configs = load_source_configs()
    current = describe(defs)
    bronze = [a for a in current["assets"] if a["key"].startswith("bronze/")]
    assert [a["key"] for a in bronze] == [f"bronze/{s}" for s in sorted(configs)]
    for a in bronze:
        cfg = configs[a["key"].split("/")[1]]
        assert a["group"] == cfg.department
        assert set(a["kinds"]) == {"delta", cfg.format}
        assert a["description"] == cfg.title
    bronze_checks = [c for c in current["asset_checks"] if c["asset"].startswith("bronze/")]
    for c in bronze_checks:
        system = c["asset"].split("/")[1]
        assert c["name"].startswith(f"bronze_{system}__")
        assert c["severity"] in {"error", "warn"}
    assert {c["asset"] for c in bronze_checks} == {a["key"] for a in bronze}
    jobs = {j["name"]: j for j in current["jobs"]}
    assert jobs["ingest_job"]["assets"] == [a["key"] for a in bronze]
    # the thematic database: every dbt model and seed is an asset downstream of bronze, grouped by layer
    deliveries = [a for a in current["assets"] if a["key"].startswith("export/")]
    assert [a["key"] for a in deliveries] == ["export/annual_ledgers", "export/monthly_ledgers",
                                              "export/quarterly_ledgers", "export/weekly_visit_lists"]
    assert {a["group"] for a in deliveries} == {"export"}
    models = [a for a in current["assets"] if not a["key"].startswith(("bronze/", "export/"))]
    assert models and {a["group"] for a in models} <= {"staging", "intermediate", "marts", "reports", "reference",
                                                       "evaluation"}
    assert jobs["transform_job"]["assets"] == [a["key"] for a in models]
    # the partitioned deliveries run in their own jobs (a job cannot mix partitioned and unpartitioned assets)
    assert jobs["city_job"]["assets"] == [a["key"] for a in current["assets"] if not a["key"].startswith("export/")]
    for frequency, asset in (("monthly", "monthly_ledgers"), ("weekly", "weekly_visit_lists"),
                             ("quarterly", "quarterly_ledgers"), ("annual", "annual_ledgers")):
        assert jobs[f"{frequency}_delivery_job"]["assets"] == [f"export/{asset}"]
    assert all(j["executor"] == "in_process" for j in jobs.values())
    schedules = {s["name"]: (s["job"], s["cron"], s["timezone"]) for s in current["schedules"]}
    assert schedules == {
        "daily_city_schedule": ("city_job", "0 2 * * *", "Asia/Shanghai"),
        "monthly_delivery_schedule": ("monthly_delivery_job", "0 6 1 * *", "Asia/Shanghai"),
        "weekly_delivery_schedule": ("weekly_delivery_job", "0 7 * * 1", "Asia/Shanghai"),
        "quarterly_delivery_schedule": ("quarterly_delivery_job", "0 6 1 1,4,7,10 *", "Asia/Shanghai"),
        "annual_delivery_schedule": ("annual_delivery_job", "0 6 1 1 *", "Asia/Shanghai"),
    }
    assert [s["name"] for s in current["sensors"]] == ["landing_sensor"]
