"""Where things live, decided once. One data directory holds everything a run reads and writes.

    <data_dir>/landing/<department>/<system>/...   department drops (files)
    <data_dir>/db/<system>.parquet                  rows the generator loads into PostgreSQL / MariaDB
    <data_dir>/truth/                               generator ground truth
    <data_dir>/lake/bronze/<system>                 Delta tables, source columns + lineage
    <data_dir>/lake/quarantine/<system>             rejected rows with the reason
    <data_dir>/lake/receipts                        one row per load (Delta)
    <data_dir>/warehouse/                           the thematic DuckDB database
    <data_dir>/models/person_match/                 the stored person match model (frozen m/u, prior, name
                                                    frequencies: shequyun.resolution.match_model)
    <data_dir>/outbox/                              what committees receive

`resolve_paths` is the one function that turns a command's flags and the environment into these paths: the
`--data-dir` flag, else `$SHEQUYUN_DATA_DIR`; neither is an error naming the variable (no silent `./data`
or `../data`). The Makefile sets the variable to `<checkout>/data`.

The project's own folders (the catalogues and the dbt project) are named here too, so that no module
computes them from its own file location.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_VARIABLE = "SHEQUYUN_DATA_DIR"
SOURCES_DIR_VARIABLE = "SHEQUYUN_SOURCES_DIR"     # a deployment's connector YAMLs (default: the shipped ones)
CACHE_DIR_VARIABLE = "SHEQUYUN_CACHE_DIR"         # where a deployment's rendered dbt project lives
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# the project's folders: configuration and catalogues that are data, and the dbt project
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SOURCES_DIR = PROJECT_ROOT / "connectors" / "sources"        # what each department system delivers
TAG_CATALOGUE_DIR = PROJECT_ROOT / "tags"                     # tags/<level>/*.yaml
POLICY_CATALOGUE_DIR = PROJECT_ROOT / "policies"              # policies/<level>/*.yaml
REFERENCE_DIR = DBT_PROJECT_DIR / "seeds"                     # reference tables (areas, codes) as dbt seeds

CURRENT_DATABASE_NAME = "shequyun.duckdb"


class SettingMissing(RuntimeError):
    """A setting that has no default was given neither as a flag nor in the environment."""

    def __init__(self, variable: str, flag: str | None = None) -> None:
        self.variable = variable
        how = f"pass {flag} or set {variable}" if flag else f"set {variable}"
        super().__init__(f"{variable} is not set: {how}")


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None,
                     environ: Mapping[str, str] | None = None) -> Path:
    """The data directory: the flag's value, else `$SHEQUYUN_DATA_DIR`; SettingMissing when neither is given."""
    env = os.environ if environ is None else environ
    raw = data_dir or env.get(DATA_DIR_VARIABLE)
    if not raw:
        raise SettingMissing(DATA_DIR_VARIABLE, "--data-dir")
    return Path(raw).resolve()


@dataclass(frozen=True)
class Paths:
    root: Path
    # the thematic database a reader opens: <root>/warehouse/shequyun.duckdb unless a command named another file
    database_override: Path | None = None

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike[str] | None = None) -> Paths:
        return resolve_paths(data_dir)

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def db_extracts(self) -> Path:
        return self.root / "db"

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def bronze(self) -> Path:
        return self.lake / "bronze"

    @property
    def quarantine(self) -> Path:
        return self.lake / "quarantine"

    @property
    def receipts(self) -> Path:
        return self.lake / "receipts"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def database(self) -> Path:
        """The thematic database readers open (the current one, or the file a command named with --database)."""
        return self.database_override or self.warehouse / CURRENT_DATABASE_NAME

    @property
    def person_match_model(self) -> Path:
        """The stored person match model every build scores with (written by the first build that estimated it)."""
        return self.root / "models" / "person_match"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def policies(self) -> Path:
        return self.root / "policies"

    @property
    def extracts(self) -> Path:
        return self.root / "extracts"


def resolve_paths(data_dir: str | os.PathLike[str] | None = None, database: str | os.PathLike[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> Paths:
    """Flags and environment into paths, once per command: `--data-dir` / `$SHEQUYUN_DATA_DIR` (required) and an
    optional `--database` file that replaces the current thematic database for readers."""
    root = resolve_data_dir(data_dir, environ)
    return Paths(root, Path(database).resolve() if database else None)


def resolve_sources_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The deployment's connector YAMLs: `$SHEQUYUN_SOURCES_DIR`, else the shipped connectors/sources (the demo
    city's 16 systems). A city with other department systems keeps its own directory of YAMLs (docs/onboarding.md)."""
    env = os.environ if environ is None else environ
    raw = env.get(SOURCES_DIR_VARIABLE)
    if not raw:
        return SOURCES_DIR
    path = Path(raw).resolve()
    if not path.is_dir():
        raise NotADirectoryError(f"{SOURCES_DIR_VARIABLE}={raw}: no such directory of connector YAMLs")
    return path


def resolve_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Derived files that are not data (a deployment's rendered dbt project): `$SHEQUYUN_CACHE_DIR`, else
    `$XDG_CACHE_HOME/shequyun`, else `~/.cache/shequyun`."""
    env = os.environ if environ is None else environ
    if env.get(CACHE_DIR_VARIABLE):
        return Path(env[CACHE_DIR_VARIABLE]).resolve()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).resolve() / "shequyun"


LOCK_TIMEOUT_VARIABLE = "SHEQUYUN_LOCK_TIMEOUT"


def lock_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds an ingest or a build waits for another run holding the data directory (shequyun.core.lock):
    `$SHEQUYUN_LOCK_TIMEOUT`, default 0 (stop at once, naming the holder). A scheduler sets it to wait instead."""
    env = os.environ if environ is None else environ
    raw = env.get(LOCK_TIMEOUT_VARIABLE, "0") or "0"
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{LOCK_TIMEOUT_VARIABLE}={raw!r}: expected a number of seconds") from None
    if value < 0:
        raise ValueError(f"{LOCK_TIMEOUT_VARIABLE}={raw!r}: expected 0 or more seconds")
    return value


ON_SYSTEM_FAILURE_VARIABLE = "SHEQUYUN_ON_SYSTEM_FAILURE"


def on_system_failure(environ: Mapping[str, str] | None = None) -> str:
    """What a run does when one system's sources cannot be read: `degrade` (default: that system is reported failed
    and the build goes on with its last good bronze data, marked stale in build_info and in the manifests) or `stop`
    (no build until every system lands). `$SHEQUYUN_ON_SYSTEM_FAILURE`."""
    env = os.environ if environ is None else environ
    value = (env.get(ON_SYSTEM_FAILURE_VARIABLE) or "degrade").strip().lower()
    if value not in ("degrade", "stop"):
        raise ValueError(f"{ON_SYSTEM_FAILURE_VARIABLE}={value!r}: expected degrade or stop")
    return value


def pg_dsn() -> str:
    return os.environ.get("SHEQUYUN_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def mysql_dsn() -> str:
    return os.environ.get("SHEQUYUN_MYSQL_DSN", "mysql://root@127.0.0.1:3306/test")
