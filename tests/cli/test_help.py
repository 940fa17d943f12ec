"""Every command of the `shequyun` tool answers --help, and bad options get a clear message."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from shequyun.cli import main

COMMANDS = sorted(main.commands)


def test_the_tool_has_the_commands_the_readme_documents() -> None:
    assert {"generate", "ingest", "run", "demo", "sources", "load-db"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    cmd = main.commands[command]
    assert cmd.help, f"{command} has no description"
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{command} {param.opts} has no help text"


def test_unknown_system_is_named() -> None:
    result = CliRunner().invoke(main, ["ingest", "--system", "no_such_system", "--no-progress"])
    assert result.exit_code != 0
    assert "no_such_system" in result.output


def test_sources_lists_every_config() -> None:
    result = CliRunner().invoke(main, ["sources"])
    assert result.exit_code == 0, result.output
    for system in ("ps_hukou", "ps_population", "ca_elderly_allowance", "cc_visits"):
        assert system in result.output
