"""DuckDB helpers shared by dbt, the CLI and tests: where the bundled extensions live."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path


def extension_directory() -> str:
    """The folder holding DuckDB extensions shipped as wheels (duckdb-ext-delta): `<site-packages>/duckdb_ext/extensions`."""
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the duckdb-ext-delta package is not installed: `pip install -e .` installs it")
    return str(Path(next(iter(spec.submodule_search_locations))) / "extensions")


def dbt_environment(data_dir: str | os.PathLike[str]) -> dict[str, str]:
    """Environment variables dbt_project/profiles.yml reads."""
    return {
        "SHEQUYUN_DATA_DIR": str(Path(data_dir).resolve()),
        "SHEQUYUN_DUCKDB_EXTENSION_DIR": extension_directory(),
        "DO_NOT_TRACK": "1",
    }
