"""Schedules: when things run."""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    build_schedule_from_partitioned_job,
    schedule,
)

from pipelines.jobs import (
    annual_delivery_job,
    city_job,
    monthly_delivery_job,
    quarterly_delivery_job,
    weekly_delivery_job,
)
from pipelines.partitions import (
    TIMEZONE,
    annual_period_partitions,
    quarterly_period_partitions,
)

#: Every night at 02:00 Shanghai time, after the departments' overnight drops: land them, then rebuild the thematic
#: database, so the 06:00/07:00 deliveries ship last night's data.
daily_city_schedule = ScheduleDefinition(
    name="daily_city_schedule",
    job=city_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    description="Land all department extracts into bronze, then rebuild the thematic database, every day at 02:00 "
                "(Asia/Shanghai).",
    default_status=DefaultScheduleStatus.RUNNING,
)

#: At 06:00 Shanghai time on the 1st, the month just ended (the tick of 2026-12-01 delivers 2026-11). The time zone
#: is the partitions' (pipelines.partitions).
monthly_delivery_schedule = build_schedule_from_partitioned_job(
    monthly_delivery_job,
    name="monthly_delivery_schedule",
    description="Deliver last month's ledgers to every committee at 06:00 on the 1st (Asia/Shanghai).",
    minute_of_hour=0,
    hour_of_day=6,
    day_of_month=1,
    default_status=DefaultScheduleStatus.RUNNING,
)

#: At 07:00 Shanghai time on Mondays, the ISO week just ended (the tick of Monday 2026-11-30 delivers 2026-W48).
weekly_delivery_schedule = build_schedule_from_partitioned_job(
    weekly_delivery_job,
    name="weekly_delivery_schedule",
    description="Deliver last week's visit lists to every committee at 07:00 on Mondays (Asia/Shanghai).",
    minute_of_hour=0,
    hour_of_day=7,
    day_of_week=1,
    default_status=DefaultScheduleStatus.RUNNING,
)


def _period_just_ended(partitions, context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    """The last partition that ended before the tick (build_schedule_from_partitioned_job does the same, but
    accepts no hour offset for partitions on a custom cron such as quarters)."""
    ended = partitions.get_partition_keys(current_time=context.scheduled_execution_time)
    if not ended:
        return SkipReason("no period has ended yet")
    return RunRequest(run_key=ended[-1], partition_key=ended[-1])


@schedule(
    name="quarterly_delivery_schedule",
    job=quarterly_delivery_job,
    cron_schedule="0 6 1 1,4,7,10 *",
    execution_timezone=TIMEZONE,
    description="Deliver last quarter's ledgers at 06:00 on the 1st of Jan/Apr/Jul/Oct (Asia/Shanghai).",
    default_status=DefaultScheduleStatus.RUNNING,
)
def quarterly_delivery_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    return _period_just_ended(quarterly_period_partitions, context)


@schedule(
    name="annual_delivery_schedule",
    job=annual_delivery_job,
    cron_schedule="0 6 1 1 *",
    execution_timezone=TIMEZONE,
    description="Deliver last year's ledgers at 06:00 on 1 January (Asia/Shanghai).",
    default_status=DefaultScheduleStatus.RUNNING,
)
def annual_delivery_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    return _period_just_ended(annual_period_partitions, context)
