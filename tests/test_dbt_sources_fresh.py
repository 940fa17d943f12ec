"""The dbt sources file is generated from the connector configs: it must not go stale."""

from connectors.dbt_sources import SOURCES_FILE, render


def test_dbt_sources_match_connector_configs() -> None:
    assert SOURCES_FILE.read_text(encoding="utf-8") == render(), (
        "dbt_project/models/staging/_bronze__sources.yml is stale: run `python -m connectors.dbt_sources`"
    )
