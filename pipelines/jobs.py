"""Jobs of the shequyun code location."""

from __future__ import annotations

from dagster import (
    AssetsDefinition,
    AssetSelection,
    define_asset_job,
    in_process_executor,
)
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

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

def _delivery_job(name: str, deliveries: AssetsDefinition, what: str) -> UnresolvedAssetJobDefinition:
    """The job of one partitioned delivery asset (a job cannot mix it with the unpartitioned graph)."""
    return define_asset_job(
        name=name,
        selection=AssetSelection.assets(deliveries),
        description=f"Deliver {what} to every committee: outbox folder, delivery log, e-mail.",
        executor_def=in_process_executor,
        tags={"shequyun/scope": "delivery"},
    )


#: One month's ledgers (partition = period, e.g. 2026-11), one week's visit lists (partition = the Monday of the ISO
#: week), one quarter's ledgers (partition = the quarter's first month, 2026-10 = 2026-Q4), one year's ledgers.
monthly_delivery_job = _delivery_job("monthly_delivery_job", monthly_ledgers, "one month's ledgers")
weekly_delivery_job = _delivery_job("weekly_delivery_job", weekly_visit_lists, "one week's visit lists")
quarterly_delivery_job = _delivery_job("quarterly_delivery_job", quarterly_ledgers, "one quarter's ledgers")
annual_delivery_job = _delivery_job("annual_delivery_job", annual_ledgers, "one year's ledgers")
