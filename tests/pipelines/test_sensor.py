"""landing_sensor: new files -> one run request per system; the same files are not requested twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, build_sensor_context

from pipelines.resources import ShequyunResource
from pipelines.sensors import landing_sensor
from shequyun.settings import Paths


def drop(paths: Paths, rel: str, text: str = "x\n") -> Path:
    file = paths.landing / rel
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def evaluate(resource: ShequyunResource, cursor: str | None):
    context = build_sensor_context(cursor=cursor, resources={"shequyun": resource})
    result = landing_sensor(context)
    return result, result.cursor


@pytest.fixture()
def landed(monkeypatch: pytest.MonkeyPatch) -> set[Path]:
    """Stand-in for the receipts: pending = files matching the config glob and not landed yet."""
    import connectors.landing

    done: set[Path] = set()

    def pending_files(cfg, paths):  # noqa: ANN001, ANN202
        return sorted(p for p in paths.landing.glob(cfg.path) if p.resolve() not in done)

    monkeypatch.setattr(connectors.landing, "pending_files", pending_files)
    return done


def test_new_files_request_runs_of_just_their_systems(tmp_path: Path, landed: set[Path]) -> None:
    paths = Paths(tmp_path)
    resource = ShequyunResource(data_dir=str(tmp_path))
    result, cursor = evaluate(resource, None)
    assert not result.run_requests and result.skip_reason is not None

    drop(paths, "public_security/ps_hukou/hukou_2026-11-01.csv")
    drop(paths, "public_security/ps_hukou/hukou_2026-11-02.csv")
    drop(paths, "civil_affairs/ca_tekun/tekun.jsonl")
    drop(paths, "civil_affairs/ca_tekun/readme.txt")  # not matching the system's glob
    result, cursor = evaluate(resource, cursor)
    by_system = {r.tags["shequyun/system"]: r for r in result.run_requests}
    assert sorted(by_system) == ["ca_tekun", "ps_hukou"]
    assert by_system["ps_hukou"].asset_selection == [AssetKey(["bronze", "ps_hukou"])]
    assert by_system["ps_hukou"].tags["shequyun/files"] == "2"
    assert by_system["ca_tekun"].asset_selection == [AssetKey(["bronze", "ca_tekun"])]
    assert by_system["ps_hukou"].run_key != by_system["ca_tekun"].run_key

    # second evaluation, same files still pending (run queued): nothing new
    again, cursor = evaluate(resource, cursor)
    assert not again.run_requests

    # one more file for one system: a run for that system only, for that file
    drop(paths, "public_security/ps_hukou/hukou_2026-11-03.csv")
    third, cursor = evaluate(resource, cursor)
    assert [r.tags["shequyun/system"] for r in third.run_requests] == ["ps_hukou"]
    assert third.run_requests[0].tags["shequyun/files"] == "1"


def test_landed_files_leave_the_cursor_and_a_rewritten_file_is_requested_again(tmp_path: Path, landed: set[Path]) -> None:
    paths = Paths(tmp_path)
    resource = ShequyunResource(data_dir=str(tmp_path))
    file = drop(paths, "civil_affairs/ca_tekun/tekun.jsonl", "a\n")
    first, cursor = evaluate(resource, None)
    assert len(first.run_requests) == 1
    landed.add(file.resolve())  # the run landed it
    _, cursor = evaluate(resource, cursor)
    assert cursor == "{}"
    # the department re-delivers the same name with other content: it is pending again and requested again
    landed.discard(file.resolve())
    file.write_text("a\nb\n", encoding="utf-8")
    again, _ = evaluate(resource, cursor)
    assert len(again.run_requests) == 1
    assert again.run_requests[0].run_key != first.run_requests[0].run_key
