"""A deployment with its own connector YAMLs ($SHEQUYUN_SOURCES_DIR) builds a rendered copy of the dbt project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.config import deployment_sources_dir, load_source_configs
from connectors.dbt_sources import GENERATED_MARK
from connectors.deployment import deployment_project_dir, sync_project
from shequyun.core.settings import DBT_PROJECT_DIR, SOURCES_DIR, resolve_sources_dir

KEPT = ("ps_standard_addresses", "ca_divisions", "ps_population")


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sources = tmp_path / "city" / "sources"
    sources.mkdir(parents=True)
    for system in KEPT:
        shutil.copy(SOURCES_DIR / f"{system}.yaml", sources / f"{system}.yaml")
    monkeypatch.setenv("SHEQUYUN_SOURCES_DIR", str(sources))
    monkeypatch.setenv("SHEQUYUN_CACHE_DIR", str(tmp_path / "cache"))
    return sources


def _staging(project: Path) -> dict[str, str]:
    return {p.relative_to(project).as_posix(): p.read_text(encoding="utf-8")
            for p in (project / "models" / "staging").rglob("*") if p.is_file()}


def test_shipped_sources_build_the_shipped_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHEQUYUN_SOURCES_DIR", raising=False)
    assert resolve_sources_dir() == SOURCES_DIR
    assert deployment_project_dir() == DBT_PROJECT_DIR


def test_a_missing_sources_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="SHEQUYUN_SOURCES_DIR=.*nowhere"):
        resolve_sources_dir({"SHEQUYUN_SOURCES_DIR": str(tmp_path / "nowhere")})


def test_the_copy_holds_the_deployments_systems_only(deployment: Path) -> None:
    assert deployment_sources_dir() == deployment.resolve()
    assert sorted(load_source_configs()) == sorted(KEPT)
    project = deployment_project_dir()
    assert project != DBT_PROJECT_DIR and project.is_relative_to(deployment.parent.parent / "cache")
    staging = _staging(project)
    stubs = {k for k, v in staging.items() if k.endswith(".sql")}
    assert stubs == {"models/staging/public_security/stg_public_security__standard_addresses.sql",
                     "models/staging/civil_affairs/stg_civil_affairs__divisions.sql",
                     "models/staging/public_security/stg_public_security__population_records.sql"}
    assert all(GENERATED_MARK in staging[s].split("\n", 1)[0] for s in stubs)
    # the docs of a shipped system's staging model come only with the system; no other system is named
    ymls = {k for k in staging if k.endswith(".yml") and not k.endswith("_bronze__sources.yml")}
    assert {Path(y).stem for y in ymls} == {Path(s).stem for s in stubs}
    sources_yml = staging["models/staging/_bronze__sources.yml"]
    assert "ps_hukou" not in sources_yml and "ps_population" in sources_yml
    registry = (project / "macros" / "generated" / "source_systems.sql").read_text(encoding="utf-8")
    assert '"ps_population"' in registry and '"ca_dibao"' not in registry
    # everything else is the shipped project, file for file
    shipped = DBT_PROJECT_DIR / "models" / "marts" / "theme" / "dim_person.sql"
    assert (project / shipped.relative_to(DBT_PROJECT_DIR)).read_bytes() == shipped.read_bytes()


def test_sync_is_idempotent_and_follows_the_yamls(deployment: Path) -> None:
    project = deployment_project_dir()
    mtimes = {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()}
    assert sync_project(deployment.resolve(), project) == []           # nothing to do: the manifest stays fresh
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()} == mtimes
    # a hand edit in the copy is undone; a removed system's model and docs go
    edited = project / "models" / "marts" / "theme" / "dim_person.sql"
    edited.write_text("select 1", encoding="utf-8")
    (deployment / "ps_population.yaml").unlink()
    changed = sync_project(deployment.resolve(), project)
    assert edited in changed and edited.read_bytes() == (DBT_PROJECT_DIR / edited.relative_to(project)).read_bytes()
    staging = _staging(project)
    assert not any("population_records" in k for k in staging)
    assert "ps_population" not in staging["models/staging/_bronze__sources.yml"]
