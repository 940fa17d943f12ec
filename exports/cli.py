"""`shequyun export` / `shequyun deliver` commands (registered by shequyun.cli)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
