"""The dbt project a deployment builds.

The shipped project (dbt_project/) carries the generated files of the shipped connector YAMLs (connectors/sources:
the demo city's systems). A deployment with its own YAMLs (`$SHEQUYUN_SOURCES_DIR`, docs/onboarding.md) builds a
copy of the shipped project in which those generated files are rendered from ITS YAMLs instead:

    <cache dir>/projects/<name of the sources dir>-<digest of its path>/dbt_project

The copy is synchronised on every call: project files are copied when they differ, files the shipped project no
longer has are removed, and the generated files are rewritten only when their text changes, so an unchanged
deployment keeps its mtimes and dbt's parsed manifest stays fresh. Nothing in the copy is edited by hand.
"""

from __future__ import annotations

import filecmp
import hashlib
import shutil
from pathlib import Path

from filelock import FileLock

from connectors.config import DEFAULT_SOURCES_DIR, deployment_sources_dir
from connectors.dbt_sources import GENERATED_MARK, SOURCES_FILE, STAGING_FOLDER, registry_path, write
from shequyun.core.settings import DBT_PROJECT_DIR, resolve_cache_dir

__all__ = ["deployment_project_dir", "is_shipped", "sync_project"]

# what dbt reads; target/, logs/ and dbt_packages/ are the copy's own
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "selectors.yml")
PROJECT_FOLDERS = ("models", "macros", "seeds", "snapshots", "tests", "analyses")


def is_shipped(sources_dir: Path) -> bool:
    return sources_dir.resolve() == DEFAULT_SOURCES_DIR.resolve()


def _generated_in_shipped(path: Path) -> bool:
    """A file of the shipped project rendered from the shipped YAMLs (never copied into a deployment's project)."""
    if path in (DBT_PROJECT_DIR / STAGING_FOLDER / SOURCES_FILE.name, registry_path(DBT_PROJECT_DIR)):
        return True
    if path.suffix == ".sql" and (DBT_PROJECT_DIR / STAGING_FOLDER) in path.parents:
        with path.open(encoding="utf-8") as fh:
            return GENERATED_MARK in fh.readline()
    return False


def _documents_shipped_staging(path: Path) -> bool:
    """The hand-written docs and tests (<model>.yml) of a shipped system's staging model: copied only into a
    deployment that configures the same system (the model then exists there too)."""
    model = path.with_suffix(".sql")
    return (path.suffix == ".yml" and (DBT_PROJECT_DIR / STAGING_FOLDER) in path.parents and model.exists()
            and _generated_in_shipped(model))


def _shipped_files() -> dict[Path, Path]:
    """Relative path -> shipped file, without the shipped generated files."""
    files: dict[Path, Path] = {}
    for name in PROJECT_FILES:
        if (DBT_PROJECT_DIR / name).is_file():
            files[Path(name)] = DBT_PROJECT_DIR / name
    for folder in PROJECT_FOLDERS:
        for path in sorted((DBT_PROJECT_DIR / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not _generated_in_shipped(path):
                files[path.relative_to(DBT_PROJECT_DIR)] = path
    return files


def sync_project(sources_dir: Path, project_dir: Path) -> list[Path]:
    """Make `project_dir` the shipped project with the generated files of `sources_dir`; returns what changed."""
    changed: list[Path] = []
    project_dir.mkdir(parents=True, exist_ok=True)
    generated = set(write(sources_dir, project_dir))
    shipped = {rel: src for rel, src in _shipped_files().items()
               if not _documents_shipped_staging(src) or (project_dir / rel).with_suffix(".sql").exists()}
    for rel, src in shipped.items():
        dst = project_dir / rel
        if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            changed.append(dst)
    # files the shipped project no longer has (not the deployment's generated ones: write() keeps those)
    expected_generated = {project_dir / STAGING_FOLDER / SOURCES_FILE.name, registry_path(project_dir)}
    for folder in PROJECT_FOLDERS:
        for path in sorted((project_dir / folder).rglob("*")):
            if not path.is_file() or path.relative_to(project_dir) in shipped or path in expected_generated:
                continue
            if path.suffix == ".sql" and GENERATED_MARK in path.read_text(encoding="utf-8").split("\n", 1)[0]:
                continue        # a staging model of this deployment's systems
            path.unlink()
            changed.append(path)
    return changed + sorted(generated)


def deployment_project_dir(sources_dir: Path | None = None) -> Path:
    """The dbt project to build for the deployment's sources (default `$SHEQUYUN_SOURCES_DIR`): the shipped project
    for the shipped YAMLs, else a synchronised rendered copy under the cache directory."""
    sources_dir = (sources_dir or deployment_sources_dir()).resolve()
    if is_shipped(sources_dir):
        return DBT_PROJECT_DIR
    digest = hashlib.sha256(str(sources_dir).encode("utf-8")).hexdigest()[:12]
    root = resolve_cache_dir() / "projects" / f"{sources_dir.parent.name}-{sources_dir.name}-{digest}"
    root.mkdir(parents=True, exist_ok=True)
    project = root / "dbt_project"
    with FileLock(str(root / ".sync.lock")):     # parallel processes render one copy
        sync_project(sources_dir, project)
    return project
