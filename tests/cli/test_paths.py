"""The data directory is resolved once (shequyun.core.settings.resolve_paths) and every command shares the
`--data-dir` / `--database` options (shequyun.core.options.with_paths)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from shequyun.cli import main
from shequyun.core.settings import SettingMissing, resolve_paths


def test_flag_wins_over_the_environment(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "flag", environ={"SHEQUYUN_DATA_DIR": str(tmp_path / "env")})
    assert paths.root == (tmp_path / "flag").resolve()
    assert paths.database == (tmp_path / "flag" / "warehouse" / "shequyun.duckdb").resolve()
    assert resolve_paths(None, environ={"SHEQUYUN_DATA_DIR": str(tmp_path / "env")}).root == (tmp_path / "env").resolve()


def test_database_flag_replaces_the_current_database(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path, tmp_path / "other.duckdb", environ={})
    assert paths.database == (tmp_path / "other.duckdb").resolve() and paths.warehouse == tmp_path.resolve() / "warehouse"


def test_no_setting_fails_naming_the_variable() -> None:
    with pytest.raises(SettingMissing, match=r"SHEQUYUN_DATA_DIR is not set: pass --data-dir or set SHEQUYUN_DATA_DIR"):
        resolve_paths(None, environ={})


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


# commands that read or write no data directory
NO_DATA_DIR = {"sources", "policy list", "tags list"}


def test_every_data_command_has_the_shared_options() -> None:
    """One option set: every command touching the data directory has --data-dir with the same help text, and every
    command with --database has the same kind of option (an existing file)."""
    from shequyun.core.options import DATA_DIR_HELP

    commands = _commands(main)
    assert {"ingest", "run", "evaluate", "export", "deliver", "query", "docs", "generate", "demo"} <= set(commands)
    for name, command in commands.items():
        options = {p.name: p for p in command.params if isinstance(p, click.Option)}
        if name in NO_DATA_DIR and "data_dir" not in options:
            continue
        assert "data_dir" in options, f"{name} has no --data-dir"
        assert options["data_dir"].help == DATA_DIR_HELP, name
        if "database_file" in options:
            assert options["database_file"].opts == ["--database"], name
        assert "database" not in options, f"{name} defines its own --database"


def test_a_command_without_a_data_dir_says_which_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SHEQUYUN_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["evaluate"])
    assert result.exit_code == 2
    assert "SHEQUYUN_DATA_DIR is not set" in result.output
    assert not (tmp_path / "data").exists()
