"""exports.publish: the one swap of a package folder that `shequyun export` and delivery both publish through, the
outbox lock and the removal of a dead run's staging folders.

Export and delivery run for real on the fixture database (delivery with exports.package.export_packages as its
exporter, mail off), so a second mechanism left in either of them would show.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from exports_fixture_db import FixtureDatabase
from filelock import FileLock

import exports.package as package_module
from exports import delivery, publish
from exports.delivery import deliver_period
from exports.delivery_mail import SmtpSettings
from exports.package import export_packages
from exports.publish import OutboxLocked, outbox_lock, remove_stale_staging, swap_in

PERIOD = "2026-11"
EXPORTS = Path(package_module.__file__).parent


@pytest.fixture
def delivery_db(fixture_db: FixtureDatabase, tmp_path: Path) -> Path:
    """The fixture database with the committees' mailboxes (delivery reads marts.dim_area.email)."""
    path = tmp_path / "shequyun.duckdb"
    shutil.copy(fixture_db.path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("alter table marts.dim_area add column email varchar")
        con.execute("update marts.dim_area set email = code || '@jd.example.org' where level = 'committee'")
    return path


def folder_of(outbox: Path, code: str, committees: dict[str, tuple[str, str]]) -> Path:
    street, district = committees[code]
    return outbox / district / street / code / PERIOD


def test_export_and_delivery_publish_through_the_one_swap(fixture_db: FixtureDatabase, delivery_db: Path,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert package_module.swap_in is publish.swap_in and delivery.swap_in is publish.swap_in
    exchanged: list[Path] = []                       # targets of every replacement, whoever asked for it
    real_exchange = publish._exchange

    def recording(a: Path, b: Path) -> bool:
        exchanged.append(b)
        return real_exchange(a, b)

    monkeypatch.setattr(publish, "_exchange", recording)
    outbox = tmp_path / "outbox"
    export = functools.partial(export_packages, project_dir=fixture_db.project_dir, workers=1)
    expected = sorted(folder_of(outbox, code, fixture_db.committees) for code in fixture_db.committees)

    export(delivery_db, outbox, PERIOD)
    assert exchanged == []                          # nothing to replace yet
    export(delivery_db, outbox, PERIOD)
    assert sorted(exchanged) == expected            # the export replaced every package through publish.swap_in
    exchanged.clear()

    summary = deliver_period(delivery_db, outbox, PERIOD, smtp=SmtpSettings(), exporter=export)
    assert summary.ok and summary.redeliveries == len(expected)
    assert sorted(exchanged) == expected            # so did the delivery
    for folder in expected:                         # one package each, no replaced folder left beside it
        assert [p.name for p in folder.parent.iterdir()] == [PERIOD]
        assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["role"] == "committee_staff"
    # no staging left: the exports' .staging-<id> folders are gone, the delivery's .staging/ is empty
    assert [p.name for p in outbox.iterdir() if p.name.startswith(".staging")] == [".staging"]
    assert not any((outbox / ".staging").iterdir())


def _moves_in(path: Path) -> list[str]:
    """Every rename / replace / move call of a module: os.rename, os.replace, os.renames, shutil.move,
    Path.rename, Path.replace (one argument, unlike str.replace), renameat2."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
        name = node.func.attr
        if (name in ("rename", "renames", "renameat2") or (owner, name) in (("os", "replace"), ("shutil", "move"))
                or (name == "replace" and len(node.args) == 1 and not node.keywords)):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_no_other_module_of_exports_moves_folders() -> None:
    moves = {path.name: _moves_in(path) for path in sorted(EXPORTS.glob("*.py"))}
    assert moves.pop("publish.py")                  # the scan does see the swap's renames
    assert {name: found for name, found in moves.items() if found} == {}


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "rename-aside"])
def test_swap_in_replaces_the_whole_folder_and_removes_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    target, aside = tmp_path / "outbox" / "c" / PERIOD, tmp_path / "staging" / "replaced" / "c"
    first, second = tmp_path / "staging" / "one", tmp_path / "staging" / "two"
    first.mkdir(parents=True)
    (first / "old.csv").write_text("v1")
    assert swap_in(first, target, aside) is False
    second.mkdir()
    (second / "new.csv").write_text("v2")
    assert swap_in(second, target, aside) is True
    assert {p.name: p.read_text() for p in target.iterdir()} == {"new.csv": "v2"}   # whole, no mix
    assert not aside.exists() and not first.exists() and not second.exists()


def test_swap_in_fallback_keeps_the_old_package_when_the_new_one_cannot_move_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    target, aside, new = tmp_path / "c" / PERIOD, tmp_path / "staging" / "replaced", tmp_path / "staging" / "new"
    target.mkdir(parents=True)
    (target / "old.csv").write_text("v1")
    new.mkdir(parents=True)
    real_rename = os.rename

    def failing(src, dst):
        if Path(src) == new:
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(publish.os, "rename", failing)
    with pytest.raises(OSError, match="No space left"):
        swap_in(new, target, aside)
    assert (target / "old.csv").read_text() == "v1" and not aside.exists()


def test_swap_in_refuses_a_file_where_the_package_folder_belongs(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    (tmp_path / "target").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="not a package folder"):
        swap_in(tmp_path / "new", tmp_path / "target", tmp_path / "aside")
    assert (tmp_path / "new").is_dir()


def test_outbox_lock_times_out_with_an_error_naming_the_lock(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    with outbox_lock(outbox, 1.0) as lock:
        assert lock == outbox / ".delivery.lock"
        started = time.perf_counter()
        with pytest.raises(OutboxLocked, match=r"outbox/\.delivery\.lock .* for more than 0\.2 s"), \
                outbox_lock(outbox, 0.2):
            pass
        assert time.perf_counter() - started >= 0.2            # it waited before giving up
        with pytest.raises(ValueError, match="delivery.lock"), outbox_lock(outbox, 0.1, error=ValueError):
            pass
    with FileLock(str(outbox / ".delivery.lock"), timeout=0.1):   # released: anyone may take it now
        pass


def test_stale_staging_of_dead_runs_is_removed_fresh_kept_unless_told(tmp_path: Path) -> None:
    stale, fresh, other = tmp_path / ".staging-dead", tmp_path / ".staging-running", tmp_path / "310106"
    for folder in (stale, fresh, other):
        folder.mkdir()
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    assert remove_stale_staging(tmp_path, ".staging-*") == [stale]
    assert fresh.exists() and other.exists()
    assert remove_stale_staging(tmp_path, ".staging-*", older_than=0) == [fresh]
    assert other.exists()

