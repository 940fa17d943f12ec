"""The shequyun Dagster code location: `dagster dev` (pyproject [tool.dagster]) loads `defs`."""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

from dagster import Definitions  # noqa: E402

from connectors.config import load_source_configs  # noqa: E402
from pipelines.checks import build_all_quality_checks  # noqa: E402
from pipelines.ingest import RESOURCE_KEY, build_bronze_assets  # noqa: E402
from pipelines.jobs import ingest_job  # noqa: E402
from pipelines.resources import ShequyunResource  # noqa: E402
from pipelines.schedules import daily_ingest_schedule  # noqa: E402
from pipelines.sensors import landing_sensor  # noqa: E402


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
