"""Jobs of the shequyun code location."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from pipelines.export import (
    EXPORT_PREFIX,
    annual_ledgers,
    monthly_ledgers,
    quarterly_ledgers,
    weekly_visit_lists,
)
from pipelines.ingest import BRONZE_PREFIX

#: The deliveries are partitioned by period; the unpartitioned jobs below leave them to their own jobs.
DELIVERIES = AssetSelection.key_prefixes(EXPORT_PREFIX)

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
    selection=AssetSelection.all() - AssetSelection.key_prefixes(BRONZE_PREFIX) - DELIVERIES,
    description="Build the thematic database (dbt build into a copy, swapped in atomically on success).",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "transform"},
)

#: Everything: land the extracts, then build the thematic database.
city_job = define_asset_job(
    name="city_job",
    selection=AssetSelection.all() - DELIVERIES,
    description="Land every department system, then build the thematic database.",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "city"},
)

#: One month's ledgers to every committee (partition = period, e.g. 2026-11).
monthly_delivery_job = define_asset_job(
    name="monthly_delivery_job",
    selection=AssetSelection.assets(monthly_ledgers),
    description="Deliver one month's ledgers to every committee: outbox folder, delivery log, e-mail.",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "delivery"},
)

#: One week's visit lists to every committee (partition = the Monday of the ISO week).
weekly_delivery_job = define_asset_job(
    name="weekly_delivery_job",
    selection=AssetSelection.assets(weekly_visit_lists),
    description="Deliver one week's visit lists to every committee: outbox folder, delivery log, e-mail.",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "delivery"},
)

#: One quarter's ledgers to every committee (partition = the quarter's first month, 2026-10 = 2026-Q4).
quarterly_delivery_job = define_asset_job(
    name="quarterly_delivery_job",
    selection=AssetSelection.assets(quarterly_ledgers),
    description="Deliver one quarter's ledgers to every committee: outbox folder, delivery log, e-mail.",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "delivery"},
)

#: One year's ledgers to every committee (partition = the year).
annual_delivery_job = define_asset_job(
    name="annual_delivery_job",
    selection=AssetSelection.assets(annual_ledgers),
    description="Deliver one year's ledgers to every committee: outbox folder, delivery log, e-mail.",
    executor_def=in_process_executor,
    tags={"shequyun/scope": "delivery"},
)
