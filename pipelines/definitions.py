"""The shequyun Dagster code location: `dagster dev` (pyproject [tool.dagster]) loads `defs`."""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

from dagster import Definitions, in_process_executor

from connectors.config import load_source_configs
from pipelines.checks import build_all_quality_checks
from pipelines.evaluation import resolution_accuracy
from pipelines.ingest import RESOURCE_KEY, build_bronze_assets
from pipelines.jobs import city_job, ingest_job, transform_job
from pipelines.resources import ShequyunResource
from pipelines.schedules import daily_ingest_schedule
from pipelines.sensors import landing_sensor
from pipelines.transform import DBT_RESOURCE_KEY, dbt_resource, thematic_database


def build_definitions(resource: ShequyunResource | None = None) -> Definitions:
    """All assets, checks, jobs, schedules and sensors, bound to one ShequyunResource."""
    configs = load_source_configs()
    return Definitions(
        assets=[*build_bronze_assets(configs), thematic_database, resolution_accuracy],
        asset_checks=build_all_quality_checks(configs),
        jobs=[ingest_job, transform_job, city_job],
        schedules=[daily_ingest_schedule],
        sensors=[landing_sensor],
        resources={RESOURCE_KEY: resource or ShequyunResource(), DBT_RESOURCE_KEY: dbt_resource()},
        # in process by default, also for "materialize all" in the UI: every system appends to one receipts table
        executor=in_process_executor,
    )


defs = build_definitions()
