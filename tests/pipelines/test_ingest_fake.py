"""The bronze assets and their checks, materialised in process with a stand-in for connectors.landing.load_system.

Pins the pipeline's own behaviour (metadata, Failure, skip of unavailable databases, check severities)
independently of the connectors; tests/pipelines/test_ingest.py runs the real connectors on fixture files.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from connectors.config import load_source_configs
from connectors.errors import SourceError, SourceUnavailable
from connectors.landing import LoadReceipt, SystemLoadResult
from pipelines.run import run_ingest

LINEAGE = ["_system", "_source", "_row_number", "_batch_id", "_loaded_at", "_row_hash", "_source_checksum"]
GOOD_IDS = ["11010519491231002X", "440524188001010014", "31010819840330008X", "310108840330008"]


def _write_batch(paths, cfg, rows: list[dict[str, str]], source: str) -> LoadReceipt:
    from deltalake import write_deltalake

    batch_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    frame = pd.DataFrame([{c: row.get(c) for c in cfg.canonical_columns} for row in rows], dtype="string")
    frame["_system"] = cfg.system
    frame["_source"] = source
    frame["_row_number"] = [str(i + 2) for i in range(len(rows))]
    frame["_batch_id"] = batch_id
    frame["_loaded_at"] = now.isoformat()
    frame["_row_hash"] = [uuid.uuid4().hex for _ in rows]
    frame["_source_checksum"] = "c" * 64
    write_deltalake(str(paths.bronze / cfg.system), frame.astype("string"), mode="append")
    return LoadReceipt(batch_id, cfg.system, source, "c" * 64, len(rows), len(rows), 0, "landed", now, now,
                       None, None, [], "")


def person_rows(n: int, broken_ids: int = 0) -> list[dict[str, str]]:
    rows = []
    for i in range(n):
        rows.append({
            "household_no": f"{i:09d}", "person_name": "王芳", "sex": "女", "id_number": GOOD_IDS[i % 4],
            "birth_date": "1980-02-03", "registered_on": "2001/5/6", "status": "正常", "relation_to_head": "户主",
            "case_no": f"TK{i:06d}", "support_type": "分散供养", "start_date": "20200101",
        })
    for row in rows[:broken_ids]:
        row["id_number"] = "not-an-id"
    return rows


@pytest.fixture()
def fake_landing(monkeypatch: pytest.MonkeyPatch):
    import connectors.landing

    behaviour: dict[str, object] = {}

    def load_system(cfg, paths, *, progress=False):
        what = behaviour.get(cfg.system)
        if isinstance(what, Exception):
            raise what
        rows, failures = what if isinstance(what, tuple) else (what or [], [])
        result = SystemLoadResult(system=cfg.system)
        if rows:
            receipt = _write_batch(paths, cfg, rows, f"{cfg.department}/{cfg.system}/drop.csv")
            result.receipts.append(receipt)
            result.rows_read = result.rows_landed = len(rows)
        result.failures.extend(failures)
        result.seconds = 0.01
        return result

    monkeypatch.setattr(connectors.landing, "load_system", load_system)
    return behaviour


def test_good_system_lands_with_metadata_and_checks_while_a_failing_one_fails(tmp_path: Path, fake_landing) -> None:
    fake_landing["ps_hukou"] = person_rows(40, broken_ids=10)  # 25% broken ids: WARN check fails
    fake_landing["ca_tekun"] = SourceError("ca_tekun", "civil_affairs/ca_tekun/x.jsonl", "not valid JSON at line 3")
    summary = run_ingest(tmp_path, ["ps_hukou", "ca_tekun"])

    hukou = summary.system("ps_hukou")
    assert (hukou.status, hukou.rows_read, hukou.rows_landed) == ("landed", 40, 40)
    assert hukou.failed_checks == ["bronze_ps_hukou__id_number_shape"]
    assert hukou.checks_failed == 1 and hukou.checks_failed_error == 0
    n_rules = len(__import__("quality.runner", fromlist=["load_suite"]).load_suite("ps_hukou").rules)
    assert hukou.checks_passed == n_rules - 1 + 1          # and its sources were readable (sources_readable)

    tekun = summary.system("ca_tekun")
    assert tekun.status == "failed" and "not valid JSON at line 3" in tekun.message
    assert tekun.checks_passed == tekun.checks_failed == 0
    assert not tekun.degraded and not summary.buildable     # it never landed: no good data to build with
    assert not summary.success
    assert "ca_tekun" in summary.render() and "FAILED" in summary.render()
    as_dict = summary.as_dict()
    assert as_dict["success"] is False and {s["system"] for s in as_dict["systems"]} == {"ps_hukou", "ca_tekun"}


def test_partial_failures_fail_after_landing_what_could_be_loaded(tmp_path: Path, fake_landing) -> None:
    from quality.runner import latest_batch
    from shequyun.core.settings import Paths

    fake_landing["ca_tekun"] = (person_rows(5), [SourceError("ca_tekun", "b.jsonl", "truncated file")])
    summary = run_ingest(tmp_path, ["ca_tekun"])
    assert summary.system("ca_tekun").status == "failed"
    assert (summary.system("ca_tekun").rows_read, summary.system("ca_tekun").rows_landed) == (5, 5)
    assert "truncated file" in summary.system("ca_tekun").message
    assert len(latest_batch(Paths(tmp_path), "ca_tekun")) == 5  # the good file was landed


def test_a_failing_system_with_good_data_degrades_unless_the_policy_says_stop(tmp_path: Path, fake_landing,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake_landing["ps_hukou"] = person_rows(8)
    fake_landing["ca_tekun"] = person_rows(5)
    assert run_ingest(tmp_path, ["ps_hukou", "ca_tekun"]).success
    # next day: one file of ca_tekun is corrupt
    fake_landing["ca_tekun"] = ([], [SourceError("ca_tekun", "civil_affairs/ca_tekun/y.jsonl", "not a JSON file")])
    fake_landing["ps_hukou"] = []
    degraded = run_ingest(tmp_path, ["ps_hukou", "ca_tekun"])
    tekun = degraded.system("ca_tekun")
    assert tekun.status == "failed" and tekun.degraded and "not a JSON file" in tekun.message
    assert "bronze_ca_tekun__sources_readable" in tekun.failed_checks and tekun.checks_failed_error >= 1
    assert not degraded.success and degraded.buildable
    assert "built anyway with the last good bronze data of (stale in build_info and the manifests): ca_tekun" \
        in degraded.render()
    monkeypatch.setenv("SHEQUYUN_ON_SYSTEM_FAILURE", "stop")
    stopped = run_ingest(tmp_path, ["ps_hukou", "ca_tekun"])
    assert stopped.system("ca_tekun").status == "failed" and not stopped.system("ca_tekun").degraded
    assert not stopped.buildable


def test_unavailable_database_is_skipped_only_when_asked(tmp_path: Path, fake_landing) -> None:
    fake_landing["ps_population"] = SourceUnavailable("ps_population", "ps_shiyou_renkou", "connection refused")
    fake_landing["ps_hukou"] = person_rows(8)
    skipped = run_ingest(tmp_path, ["ps_population", "ps_hukou"], skip_unavailable_databases=True)
    pop = skipped.system("ps_population")
    assert pop.status == "skipped" and "connection refused" in pop.message
    assert pop.checks_failed == 0  # no bronze table: checks are not evaluated
    assert skipped.system("ps_hukou").status == "landed" and skipped.system("ps_hukou").checks_failed == 0
    assert skipped.success

    failed = run_ingest(tmp_path, ["ps_population"], skip_unavailable_databases=False)
    assert failed.system("ps_population").status == "failed" and not failed.success


def test_missing_required_values_fail_an_error_check(tmp_path: Path, fake_landing) -> None:
    rows = person_rows(10)
    rows[0]["person_name"] = ""
    fake_landing["ps_hukou"] = rows
    hukou = run_ingest(tmp_path, ["ps_hukou"]).system("ps_hukou")
    assert hukou.status == "landed"
    assert "bronze_ps_hukou__required_not_null" in hukou.failed_checks and hukou.checks_failed_error == 1


def test_unknown_system_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nope"):
        run_ingest(tmp_path, ["nope"])
    assert "ps_hukou" in load_source_configs()
