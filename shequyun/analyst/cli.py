"""Analyst commands (`shequyun tags`, `person`, `query`, `extract`), registered by shequyun.cli."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
