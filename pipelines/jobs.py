"""Jobs of the shequyun code location."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from pipelines.ingest import BRONZE_PREFIX

#: Land every source system into bronze, with the quality checks. In process: the systems append to one
#: shared receipts table, and one failing system does not stop the others (independent steps).
ingest_job = define_asset_job(
    name="ingest_job",
    selection=AssetSelection.key_prefixes(BRONZE_PREFIX),
    description="Land every department system into the Delta bronze layer and run the quality checks.",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "ingest"},
)

#: Rebuild the thematic database from what bronze holds (dbt build, atomic swap).
transform_job = define_asset_job(
    name="transform_job",
    selection=AssetSelection.all() - AssetSelection.key_prefixes(BRONZE_PREFIX),
    description="Build the thematic database (dbt build into a copy, swapped in atomically on success).",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "transform"},
)

#: Everything: land the extracts, then build the thematic database.
city_job = define_asset_job(
    name="city_job",
    selection=AssetSelection.all(),
    description="Land every department system, then build the thematic database.",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "city"},
)
