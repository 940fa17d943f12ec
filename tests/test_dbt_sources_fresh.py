"""The dbt sources file and the staging models are generated from the connector configs: they must not go stale,
and no staging model is written by hand."""

from connectors.dbt_sources import (
    GENERATED_MARK,
    SOURCES_FILE,
    registry_path,
    render,
    render_registry_file,
    render_staging,
    stale_staging_files,
)
from connectors.staging import STAGING_DIR


def test_dbt_sources_match_connector_configs() -> None:
    assert SOURCES_FILE.read_text(encoding="utf-8") == render(), (
        "dbt_project/models/staging/_bronze__sources.yml is stale: run `python -m connectors.dbt_sources`"
    )


def test_staging_models_match_connector_configs() -> None:
    assert registry_path().read_text(encoding="utf-8") == render_registry_file(), (
        "dbt_project/macros/generated/source_systems.sql is stale: run `python -m connectors.dbt_sources`")
    models = render_staging()
    for path, text in models.items():
        assert path.exists() and path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(STAGING_DIR)} is stale: run `python -m connectors.dbt_sources`")
    assert stale_staging_files(models) == []


def test_no_hand_written_staging_sql() -> None:
    """Every staging model is generated from a connector YAML (a per-system SQL file is a defect to remove)."""
    by_hand = [p.relative_to(STAGING_DIR).as_posix() for p in STAGING_DIR.rglob("*.sql")
               if GENERATED_MARK not in p.read_text(encoding="utf-8").split("\n", 2)[0]]
    assert by_hand == []
    assert len(list(STAGING_DIR.rglob("*.sql"))) == len(render_staging())
