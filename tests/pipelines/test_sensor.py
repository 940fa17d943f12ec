"""landing_sensor with the real connectors: new files -> one run request per system; the same files are not
requested twice; landed files drop out; a rewritten file is requested again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bronze_fixtures import write_hukou, write_tekun
from dagster import AssetKey, build_sensor_context

from connectors.config import load_source_configs
from connectors.landing import load_system
from pipelines.resources import ShequyunResource
from pipelines.sensors import landing_sensor
from shequyun.core.settings import Paths


def evaluate(resource: ShequyunResource, cursor: str | None):
    context = build_sensor_context(cursor=cursor, resources={"shequyun": resource})
    result = landing_sensor(context)
    return result, result.cursor


def by_system(result) -> dict:
    return {r.tags["shequyun/system"]: r for r in result.run_requests or []}


@pytest.fixture()
def pending_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the calls of connectors.landing.pending_files (which checksums every file)."""
    import connectors.landing

    calls: list[str] = []
    real = connectors.landing.pending_files

    def counting(cfg, paths):
        calls.append(cfg.system)
        return real(cfg, paths)

    monkeypatch.setattr(connectors.landing, "pending_files", counting)
    return calls


def test_files_dropped_request_runs_of_just_their_systems_once(tmp_path: Path, pending_calls: list[str]) -> None:
    paths = Paths(tmp_path)
    resource = ShequyunResource(data_dir=str(tmp_path))
    result, cursor = evaluate(resource, None)
    assert not result.run_requests and result.skip_reason is not None

    write_hukou(paths, "hukou_2026-11-01.csv")
    write_hukou(paths, "hukou_2026-11-02.csv", ["000000009,周杰,男,汉族,1979-01-18,11010519491231002X,户主,上海市,2001-01-01,正常,,高中,"])
    write_tekun(paths)
    (paths.landing / "civil_affairs" / "ca_tekun" / "readme.txt").write_text("not an extract", encoding="utf-8")
    result, cursor = evaluate(resource, cursor)
    requests = by_system(result)
    assert sorted(requests) == ["ca_tekun", "ps_hukou"]
    assert requests["ps_hukou"].asset_selection == [AssetKey(["bronze", "ps_hukou"])]
    assert requests["ps_hukou"].tags["shequyun/files"] == "2"
    assert requests["ca_tekun"].asset_selection == [AssetKey(["bronze", "ca_tekun"])]
    assert requests["ca_tekun"].tags["shequyun/files"] == "1"
    assert requests["ps_hukou"].run_key != requests["ca_tekun"].run_key

    # second evaluation with the same files (runs still queued): nothing, and no checksumming either
    pending_calls.clear()
    again, cursor = evaluate(resource, cursor)
    assert not again.run_requests
    assert pending_calls == []

    # ps_hukou is landed, then one more file arrives: a run for ps_hukou with just that file
    load_system(load_source_configs()["ps_hukou"], paths)
    write_hukou(paths, "hukou_2026-11-03.csv", ["000000010,吴昊,男,汉族,1979-01-18,440524188001010014,户主,上海市,2001-01-01,正常,,高中,"])
    third, cursor = evaluate(resource, cursor)
    assert list(by_system(third)) == ["ps_hukou"]
    assert by_system(third)["ps_hukou"].tags["shequyun/files"] == "1"
    assert by_system(third)["ps_hukou"].run_key != requests["ps_hukou"].run_key


def test_a_rewritten_file_is_requested_again_and_landed_files_are_not(tmp_path: Path, pending_calls: list[str]) -> None:
    paths = Paths(tmp_path)
    resource = ShequyunResource(data_dir=str(tmp_path))
    file = write_tekun(paths)
    first, cursor = evaluate(resource, None)
    assert list(by_system(first)) == ["ca_tekun"]
    load_system(load_source_configs()["ca_tekun"], paths)

    # a landed file touched without a content change: looked at again, but not pending (same sha256)
    os.utime(file, ns=(file.stat().st_atime_ns, file.stat().st_mtime_ns + 10**9))
    touched, cursor = evaluate(resource, cursor)
    assert not touched.run_requests and pending_calls.count("ca_tekun") == 2

    # the department re-delivers the same name with other content: requested again, with another run key
    file.write_text(file.read_text(encoding="utf-8").replace("TK0002", "TK0003"), encoding="utf-8")
    again, _ = evaluate(resource, cursor)
    assert list(by_system(again)) == ["ca_tekun"]
    assert by_system(again)["ca_tekun"].run_key != by_system(first)["ca_tekun"].run_key
