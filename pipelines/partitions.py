"""Period partitions of the deliveries, in Shanghai time: a partition is one report period.

Monthly keys are the period itself (`2026-11`), annual ones too (`2026`). Weekly keys are the Monday that starts
the ISO week (`2026-11-23` = period `2026-W48`) and quarterly keys the quarter's first month (`2026-10` = `2026-Q4`):
Dagster parses partition keys with `strptime`, which knows neither ISO weeks without a weekday nor quarters, so the
asset turns the key into the period label (`period_of_partition`).
A partition exists once its period has ended (Shanghai midnight), so a schedule tick always targets the period
just ended.
"""

from __future__ import annotations

from datetime import date, datetime

from dagster import (
    MonthlyPartitionsDefinition,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)

TIMEZONE = "Asia/Shanghai"

#: the first year the platform delivers ledgers: every partition set starts with its first period
FIRST_DELIVERY_YEAR = 2026

#: 2026-01, 2026-02, ...
monthly_period_partitions = MonthlyPartitionsDefinition(
    start_date=f"{FIRST_DELIVERY_YEAR}-01", fmt="%Y-%m", timezone=TIMEZONE
)

#: Mondays from the first day of ISO week <year>-W01 (2025-12-29 for 2026)
weekly_period_partitions = WeeklyPartitionsDefinition(
    start_date=date.fromisocalendar(FIRST_DELIVERY_YEAR, 1, 1).isoformat(), day_offset=1, timezone=TIMEZONE
)

#: 2026-01 (= 2026-Q1), 2026-04, 2026-07, 2026-10
quarterly_period_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *", start=f"{FIRST_DELIVERY_YEAR}-01", fmt="%Y-%m", timezone=TIMEZONE
)

#: 2026, 2027, ...
annual_period_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=str(FIRST_DELIVERY_YEAR), fmt="%Y", timezone=TIMEZONE
)

PARTITIONS_BY_FREQUENCY: dict[str, PartitionsDefinition] = {
    "monthly": monthly_period_partitions,
    "weekly": weekly_period_partitions,
    "quarterly": quarterly_period_partitions,
    "annual": annual_period_partitions,
}


def period_of_partition(frequency: str, partition_key: str) -> str:
    """The report period a partition stands for: monthly `2026-11` -> `2026-11`, weekly `2026-11-23` -> `2026-W48`."""
    if frequency == "monthly":
        datetime.strptime(partition_key, "%Y-%m")  # a clear ValueError for anything else
        return partition_key
    if frequency == "weekly":
        day = datetime.strptime(partition_key, "%Y-%m-%d").date()
        if day.isoweekday() != 1:
            raise ValueError(f"weekly partition {partition_key!r} is not a Monday")
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if frequency == "quarterly":
        first = datetime.strptime(partition_key, "%Y-%m")
        if first.month not in (1, 4, 7, 10):
            raise ValueError(f"quarterly partition {partition_key!r} is not the first month of a quarter")
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    if frequency == "annual":
        datetime.strptime(partition_key, "%Y")
        return partition_key
    raise ValueError(f"no period partitions for frequency {frequency!r}; expected one of {', '.join(PARTITIONS_BY_FREQUENCY)}")
