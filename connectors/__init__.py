"""Connectors: department extracts (CSV, xlsx, JSON lines, Parquet, PostgreSQL, MariaDB) into the bronze
Delta layer, driven by connectors/sources/<system>.yaml. Entry points: `connectors.config.load_source_configs`
and `connectors.landing.load_system`; see connectors/README.md."""
