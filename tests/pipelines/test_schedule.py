"""daily_city_schedule: one city_job run (ingest, then the dbt build) per day at 02:00 Shanghai time (18:00 UTC the day before)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dagster import build_schedule_context
from dagster._utils.schedules import cron_string_iterator

from pipelines.schedules import daily_city_schedule


def test_ticks_at_two_in_the_morning_shanghai_time() -> None:
    start = datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp()
    ticks = cron_string_iterator(start, daily_city_schedule.cron_schedule, daily_city_schedule.execution_timezone)
    first, second = next(ticks), next(ticks)
    assert first.astimezone(ZoneInfo("Asia/Shanghai")) == datetime(2026, 11, 27, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert first.astimezone(UTC) == datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
    assert (second - first).total_seconds() == 24 * 3600


def test_a_tick_requests_one_run_of_the_city_job() -> None:
    context = build_schedule_context(scheduled_execution_time=datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    data = daily_city_schedule.evaluate_tick(context)
    assert len(data.run_requests) == 1
    assert daily_city_schedule.job_name == "city_job"
