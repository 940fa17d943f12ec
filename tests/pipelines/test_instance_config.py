"""pipelines/dagster.yaml (copied into $DAGSTER_HOME by the Makefile) is a valid instance config with telemetry off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance

TEMPLATE = Path(__file__).resolve().parents[2] / "pipelines" / "dagster.yaml"


def test_instance_from_the_template_has_telemetry_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(TEMPLATE, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with DagsterInstance.get() as instance:
        assert instance.telemetry_enabled is False
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def test_run_ingest_uses_an_instance_with_telemetry_off_without_dagster_home(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.run import _instance

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with _instance() as instance:
        assert instance.is_ephemeral and instance.telemetry_enabled is False
