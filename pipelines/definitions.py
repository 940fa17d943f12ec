"""The shequyun Dagster code location: `dagster dev` (pyproject [tool.dagster]) loads `defs`."""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

from dagster import Definitions, in_process_executor

from connectors.config import load_source_configs
from pipelines.checks import build_all_quality_checks
from pipelines.evaluation import resolution_accuracy
from pipelines.export import DELIVERY_ASSETS, SMTP_RESOURCE_KEY
from pipelines.ingest import RESOURCE_KEY, build_bronze_assets
from pipelines.jobs import (
    annual_delivery_job,
    city_job,
    ingest_job,
    monthly_delivery_job,
    quarterly_delivery_job,
    transform_job,
    weekly_delivery_job,
)
from pipelines.resources import ShequyunResource, SmtpResource
from pipelines.schedules import (
    annual_delivery_schedule,
    daily_city_schedule,
    monthly_delivery_schedule,
    quarterly_delivery_schedule,
    weekly_delivery_schedule,
)
from pipelines.sensors import landing_sensor
from pipelines.transform import DBT_RESOURCE_KEY, dbt_resource, thematic_database


def build_definitions(resource: ShequyunResource | None = None, smtp: SmtpResource | None = None) -> Definitions:
    """All assets, checks, jobs, schedules and sensors, bound to one ShequyunResource (and SmtpResource)."""
    configs = load_source_configs()
    return Definitions(
        assets=[*build_bronze_assets(configs), thematic_database, resolution_accuracy, *DELIVERY_ASSETS],
        asset_checks=build_all_quality_checks(configs),
        jobs=[ingest_job, transform_job, city_job, monthly_delivery_job, weekly_delivery_job, quarterly_delivery_job,
              annual_delivery_job],
        schedules=[daily_city_schedule, monthly_delivery_schedule, weekly_delivery_schedule,
                   quarterly_delivery_schedule, annual_delivery_schedule],
        sensors=[landing_sensor],
        resources={RESOURCE_KEY: resource or ShequyunResource(), DBT_RESOURCE_KEY: dbt_resource(),
                   SMTP_RESOURCE_KEY: smtp or SmtpResource()},
        # in process by default, also for "materialize all" in the UI: every system appends to one receipts table
        executor=in_process_executor,
    )


defs = build_definitions()
