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
