"""`shequyun export` into the outbox: it holds the delivery lock while it writes, logs each package in
outbox/_deliveries.jsonl like a delivery (via "export"), and a second export replaces the packages whole.

The command runs on the fixture database and ledgers (exports.catalogue.DBT_PROJECT_DIR pointed at
tests/exports/fixtures/project), in this process (SHEQUYUN_EXPORT_WORKERS=1).
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result
from exports_fixture_db import AS_OF, FIXTURE_PROJECT, FixtureDatabase
from filelock import FileLock

from exports import catalogue, publish
from exports.cli import export
from exports.config import UnmaskedNotAllowed
from exports.delivery import deliver_period, read_log
from exports.delivery_mail import SmtpSettings
from exports.package import export_packages
from shequyun.files.writers import sha256_of

PERIOD = "2026-11"


@pytest.fixture
def data_dir(fixture_db: FixtureDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """<tmp>/data with the fixture database (plus the committees' mailboxes, for a delivery) as its database."""
    monkeypatch.setattr(catalogue, "DBT_PROJECT_DIR", FIXTURE_PROJECT)
    monkeypatch.setenv("SHEQUYUN_EXPORT_WORKERS", "1")
    for name in ("HOST", "PORT", "USER", "PASSWORD", "SENDER"):
        monkeypatch.delenv(f"SHEQUYUN_SMTP_{name}", raising=False)
    database = tmp_path / "data" / "warehouse" / "shequyun.duckdb"
    database.parent.mkdir(parents=True)
    shutil.copy(fixture_db.path, database)
    with duckdb.connect(str(database)) as con:
        con.execute("alter table marts.dim_area add column email varchar")
        con.execute("update marts.dim_area set email = code || '@jd.example.org' where level = 'committee'")
    return tmp_path / "data"


def run_export(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(export, ["--data-dir", str(data_dir), *args])


def package_folders(outbox: Path, committees: dict[str, tuple[str, str]]) -> dict[str, Path]:
    return {code: outbox / district / street / code / PERIOD for code, (street, district) in committees.items()}


def test_export_logs_one_line_per_package_and_a_second_export_replaces_them_whole(
        data_dir: Path, fixture_db: FixtureDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    outbox = data_dir / "outbox"
    folders = package_folders(outbox, fixture_db.committees)

    first = run_export(data_dir)                     # the default: every ledger in the period of its frequency
    assert first.exit_code == 0, first.output
    assert f"log: {outbox / '_deliveries.jsonl'}" in first.output
    log = read_log(outbox)
    assert sorted(e["committee_code"] for e in log) == sorted(fixture_db.committees)   # one line per package
    assert len({e["delivery_id"] for e in log}) == 1                                   # one export run
    for entry in log:
        folder = folders[entry["committee_code"]]
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert (entry["via"], entry["period"], entry["frequency"]) == ("export", PERIOD, "monthly")
        assert entry["folder"] == str(folder.relative_to(outbox))
        assert entry["files"] == sorted(p.name for p in folder.iterdir()) and len(entry["files"]) == 2 * 3 + 1
        assert entry["rows"] == manifest["rows"] and entry["data_as_of"] == AS_OF
        assert entry["manifest_sha256"] == sha256_of(folder / "manifest.json")
        assert (entry["attempt"], entry["redelivery"], entry["replaced_manifest_sha256"]) == (1, False, None)
        assert (entry["outcome"], entry["stage"], entry["mail"]) == ("delivered", None, "skipped")
        assert "does not mail" in entry["mail_note"] and entry["delivered_at"]

    replaced: list[Path] = []
    real_exchange = publish._exchange
    monkeypatch.setattr(publish, "_exchange", lambda a, b: replaced.append(b) or real_exchange(a, b))
    second = run_export(data_dir, "--period", PERIOD, "--format", "csv")
    assert second.exit_code == 0, second.output
    assert sorted(replaced) == sorted(folders.values())          # through the one swap of exports.publish

    log = read_log(outbox)
    assert len(log) == 2 * len(folders)
    earlier = {e["committee_code"]: e for e in log[:len(folders)]}
    for entry in log[len(folders):]:
        assert (entry["via"], entry["attempt"], entry["redelivery"]) == ("export", 2, True)
        assert entry["replaced_manifest_sha256"] == earlier[entry["committee_code"]]["manifest_sha256"]
        assert len(entry["files"]) == 2 + 1                        # the csv files and the manifest
    for folder in folders.values():                                # exactly one package per committee, whole
        assert [p.name for p in folder.parent.iterdir()] == [PERIOD]
        assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".csv", ".json"]
    assert sorted(p.parent for p in outbox.rglob("manifest.json")) == sorted(folders.values())
    # no staging or replaced folder left anywhere in the outbox; the lock file may stay
    assert {p.name for p in outbox.rglob(".*")} <= {".delivery.lock"}



def test_an_export_into_the_outbox_removes_the_staging_of_a_dead_export_at_once(data_dir: Path) -> None:
    """A `shequyun export` killed mid-way leaves outbox/.staging-<id>/ (whole packages); the next export holds the
    outbox lock, so no other export can be writing one: it removes them all, not only those older than a day."""
    dead = data_dir / "outbox" / ".staging-dead"
    (dead / "310106" / "310106006" / "310106006001" / PERIOD).mkdir(parents=True)
    assert run_export(data_dir, "--period", PERIOD, "--committee", "310106006001").exit_code == 0
    assert not dead.exists()
    assert not list((data_dir / "outbox").glob(".staging-*"))

def test_export_outside_the_outbox_takes_no_lock_and_writes_no_log(data_dir: Path, tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    result = run_export(data_dir, "--out", str(audit), "--unmasked", "--role", "data_bureau_auditor")
    assert result.exit_code == 0, result.output
    assert "log:" not in result.output
    assert len(list(audit.rglob("manifest.json"))) == 4
    assert not (data_dir / "outbox").exists()                     # no lock, no log: the outbox is not touched
    assert not list(audit.rglob("_deliveries.jsonl")) and not list(audit.rglob(".delivery.lock"))


def test_export_fails_naming_the_lock_while_a_delivery_runs(data_dir: Path, fixture_db: FixtureDatabase) -> None:
    outbox = data_dir / "outbox"
    during: list[Result] = []

    def exporter(*args, **kwargs):
        # the delivery holds the outbox lock now: a `shequyun export` into that outbox must not get in
        during.append(run_export(data_dir, "--period", PERIOD, "--lock-timeout", "0.2"))
        return export_packages(*args, project_dir=FIXTURE_PROJECT, workers=1, **kwargs)

    summary = deliver_period(data_dir / "warehouse" / "shequyun.duckdb", outbox, PERIOD, smtp=SmtpSettings(),
                             exporter=exporter)
    assert summary.ok
    [refused] = during
    assert refused.exit_code == 1
    assert str(outbox / ".delivery.lock") in refused.output and "for more than 0.2 s" in refused.output
    log = read_log(outbox)                                       # only the delivery wrote: nothing of the export
    assert [e["via"] for e in log] == ["deliver"] * len(fixture_db.committees)
    assert not list(outbox.glob(".staging-*"))


def test_export_waits_for_the_lock_and_then_publishes(data_dir: Path, fixture_db: FixtureDatabase) -> None:
    outbox = data_dir / "outbox"
    outbox.mkdir()
    held, hold_seconds = threading.Event(), 0.5

    def delivery_running() -> None:
        with FileLock(str(outbox / ".delivery.lock")):
            held.set()
            time.sleep(hold_seconds)

    other = threading.Thread(target=delivery_running)
    other.start()
    held.wait(5)
    started = time.perf_counter()
    result = run_export(data_dir, "--period", PERIOD, "--lock-timeout", "30")
    waited = time.perf_counter() - started
    other.join()
    assert result.exit_code == 0, result.output
    assert waited >= hold_seconds * 0.8                          # it queued behind the holder
    assert [e["via"] for e in read_log(outbox)] == ["export"] * len(fixture_db.committees)


def test_a_delivery_after_an_export_counts_the_export_and_replaces_its_packages(data_dir: Path) -> None:
    outbox = data_dir / "outbox"
    assert run_export(data_dir, "--period", PERIOD, "--committee", "310106006001").exit_code == 0
    exporter = functools.partial(export_packages, project_dir=FIXTURE_PROJECT, workers=1)
    summary = deliver_period(data_dir / "warehouse" / "shequyun.duckdb", outbox, PERIOD,
                             committees=["310106006001"], smtp=SmtpSettings(), exporter=exporter)
    exported, delivered = read_log(outbox)
    assert (exported["via"], delivered["via"]) == ("export", "deliver")
    assert (delivered["attempt"], delivered["redelivery"]) == (2, True)
    assert delivered["replaced_manifest_sha256"] == exported["manifest_sha256"]
    assert delivered["mail"] == "skipped" and delivered["mail_note"] == summary.mail


def test_unmasked_export_into_an_outbox_is_refused_by_the_library_too(fixture_db: FixtureDatabase,
                                                                      tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    with pytest.raises(UnmaskedNotAllowed, match="may not go into the outbox"):
        export_packages(fixture_db.path, outbox, PERIOD, project_dir=fixture_db.project_dir, unmasked=True,
                        role="data_bureau_auditor", outbox=outbox)
    assert not outbox.exists()
