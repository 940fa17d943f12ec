"""`shequyun deliver` (exports.delivery_cli): exit codes, the failure list and the re-delivery hint.

The exporter is the fake of test_delivery.py (same signature as exports.package.export_packages), swapped in
through exports.delivery._default_exporter; the data directory holds a small marts.dim_area.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from click.testing import CliRunner

from exports import delivery
from exports.delivery_cli import COMMANDS, deliver

COMMITTEES = [("310106006001", "恒德里居委会", "310106", "310106006"),
              ("310106006002", "新安居委会", "310106", "310106006")]


def fake_exporter(database, out_dir, period, *, frequency=None, ledgers=None, committees=None, unmasked=False,
                  formats=None, role=None):
    summary = SimpleNamespace(packages=[])
    for code, name, district, street in COMMITTEES:
        if committees and code not in committees:
            continue
        folder = out_dir / district / street / code / period
        folder.mkdir(parents=True)
        (folder / "ledger.csv").write_text(f"{code},{period}\n", encoding="utf-8")
        (folder / "manifest.json").write_text(json.dumps({"files": [{"file": "ledger.csv", "rows": 1}]}),
                                              encoding="utf-8")
        summary.packages.append(SimpleNamespace(committee_code=code, folder=folder, rows=1))
    return summary


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("HOST", "PORT", "USER", "PASSWORD", "SENDER"):
        monkeypatch.delenv(f"SHEQUYUN_SMTP_{name}", raising=False)
    monkeypatch.setattr(delivery, "_default_exporter", lambda: fake_exporter)
    warehouse = tmp_path / "data" / "warehouse"
    warehouse.mkdir(parents=True)
    with duckdb.connect(str(warehouse / "shequyun.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_area (code varchar, level varchar, name varchar, district_code varchar,"
                    " street_code varchar, email varchar)")
        for code, name, district, street in COMMITTEES:
            con.execute("insert into marts.dim_area values (?, 'committee', ?, ?, ?, ?)",
                        [code, name, district, street, f"{code}@jd.example.org"])
    return tmp_path / "data"


def test_deliver_writes_the_outbox_and_reports_mail_skipped(data_dir: Path) -> None:
    assert deliver in COMMANDS
    result = CliRunner().invoke(deliver, ["--period", "2026-11", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "to 2 of 2 committees" in result.output and "2 skipped" in result.output
    assert (data_dir / "outbox" / "310106" / "310106006" / "310106006002" / "2026-11" / "ledger.csv").is_file()
    assert len(delivery.read_log(data_dir / "outbox")) == 2


def test_deliver_exits_1_and_names_the_failed_committee(data_dir: Path) -> None:
    squat = data_dir / "outbox" / "310106" / "310106006" / "310106006001"
    squat.parent.mkdir(parents=True)
    squat.write_text("not a folder")
    result = CliRunner().invoke(deliver, ["--period", "2026-11", "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert "FAILED 310106006001" in result.output
    assert "shequyun deliver --period 2026-11 --committee 310106006001" in result.output
    squat.unlink()
    shutil.rmtree(data_dir / "outbox" / ".staging", ignore_errors=True)
    again = CliRunner().invoke(deliver, ["--period", "2026-11", "--committee", "310106006001",
                                         "--data-dir", str(data_dir)])
    assert again.exit_code == 0, again.output
    assert "to 1 of 1 committees" in again.output


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2026-13"], "not a report period"),
    (["--period", "2026-W48", "--frequency", "monthly"], "is weekly, not monthly"),
    (["--period", "2026-11", "--committee", "310199999999"], "unknown committee code(s) 310199999999"),
])
def test_deliver_refuses_bad_requests_with_a_message(data_dir: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(deliver, [*args, "--data-dir", str(data_dir)])
    assert result.exit_code == 1 and message in result.output
    assert not (data_dir / "outbox").exists()
