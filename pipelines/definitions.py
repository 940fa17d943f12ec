"""The shequyun Dagster code location: `dagster dev` (pyproject [tool.dagster]) loads `defs`."""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

from dagster import Definitions

from connectors.config import load_source_configs
from pipelines.checks import build_all_quality_checks
from pipelines.ingest import RESOURCE_KEY, build_bronze_assets
from pipelines.jobs import ingest_job
from pipelines.resources import ShequyunResource
from pipelines.schedules import daily_ingest_schedule
from pipelines.sensors import landing_sensor


def build_definitions(resource: ShequyunResource | None = None) -> Definitions:
    """All assets, checks, jobs, schedules and sensors, bound to one ShequyunResource."""
    configs = load_source_configs()
    return Definitions(
        assets=build_bronze_assets(configs),
        asset_checks=build_all_quality_checks(configs),
        jobs=[ingest_job],
        schedules=[daily_ingest_schedule],
        sensors=[landing_sensor],
        resources={RESOURCE_KEY: resource or ShequyunResource()},
    )


defs = build_definitions()
