"""daily_ingest_schedule: one ingest_job run per day at 02:00 Shanghai time (18:00 UTC the day before)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dagster import build_schedule_context
from dagster._utils.schedules import cron_string_iterator

from pipelines.schedules import daily_ingest_schedule


def test_ticks_at_two_in_the_morning_shanghai_time() -> None:
    start = datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp()
    ticks = cron_string_iterator(start, daily_ingest_schedule.cron_schedule, daily_ingest_schedule.execution_timezone)
    first, second = next(ticks), next(ticks)
    assert first.astimezone(ZoneInfo("Asia/Shanghai")) == datetime(2026, 11, 27, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert first.astimezone(UTC) == datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
    assert (second - first).total_seconds() == 24 * 3600


def test_a_tick_requests_one_run_of_the_ingest_job() -> None:
    context = build_schedule_context(scheduled_execution_time=datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    data = daily_ingest_schedule.evaluate_tick(context)
    assert len(data.run_requests) == 1
    assert daily_ingest_schedule.job_name == "ingest_job"
