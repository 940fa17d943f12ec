"""Schedules: when things run."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from pipelines.jobs import ingest_job

#: Every night at 02:00 Shanghai time, after the departments' overnight drops.
daily_ingest_schedule = ScheduleDefinition(
    name="daily_ingest_schedule",
    job=ingest_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    description="Land all department extracts into bronze every day at 02:00 (Asia/Shanghai).",
    default_status=DefaultScheduleStatus.RUNNING,
)
