"""The command-line options every command shares, defined once: `--data-dir` and `--database`.

    @click.command()
    @with_paths(database=True)
    def show(paths: Paths) -> None: ...

The decorator adds the options and hands the command one resolved `Paths` (shequyun.core.settings.resolve_paths):
`--data-dir`, else `$SHEQUYUN_DATA_DIR`, else a usage error naming the variable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from shequyun.core.settings import (
    DATA_DIR_VARIABLE,
    Paths,
    SettingMissing,
    resolve_paths,
)

DATA_DIR_HELP = f"Data directory (landing/, lake/, warehouse/, outbox/ ...). Default: ${DATA_DIR_VARIABLE} (required)."
DATABASE_HELP = "Thematic database to read. Default: <data dir>/warehouse/shequyun.duckdb (the current one)."


def with_paths(*, database: bool = False, database_help: str = DATABASE_HELP) -> Callable[[Callable[..., Any]], Any]:
    """Add `--data-dir` (and with `database`, `--database`) to a command; the command receives `paths: Paths`."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, data_dir: Path | None = None, database_file: Path | None = None, **kwargs: Any) -> Any:
            try:
                paths = resolve_paths(data_dir, database_file)
            except SettingMissing as exc:
                raise click.UsageError(str(exc)) from exc
            return command(*args, paths=paths, **kwargs)

        if database:
            wrapper = click.option("--database", "database_file", default=None, help=database_help,
                                   type=click.Path(dir_okay=False, exists=True, path_type=Path))(wrapper)
        return click.option("--data-dir", "data_dir", default=None, help=DATA_DIR_HELP,
                            type=click.Path(file_okay=False, path_type=Path))(wrapper)

    return decorate


def existing_database(paths: Paths) -> Path:
    """The thematic database a reading command opens; a clear error when no build has made one yet."""
    if not paths.database.exists():
        raise click.ClickException(f"no thematic database at {paths.database}: run `shequyun run` (or `make demo`) first")
    return paths.database
