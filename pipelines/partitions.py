"""Period partitions of the deliveries, in Shanghai time: a partition is one report period.

Monthly keys are the period itself (`2026-11`). Weekly keys are the Monday that starts the ISO week
(`2026-11-23` = period `2026-W48`): Dagster parses partition keys with `strptime`, which cannot read an ISO week
without a weekday, so the asset turns the key into the period label (`period_of_partition`).
A partition exists once its period has ended (Shanghai midnight), so a schedule tick always targets the period
just ended.
"""

from __future__ import annotations

from datetime import datetime

from dagster import (
    MonthlyPartitionsDefinition,
    PartitionsDefinition,
    WeeklyPartitionsDefinition,
)

TIMEZONE = "Asia/Shanghai"

#: 2026-01, 2026-02, ... (the first month the platform delivers)
monthly_period_partitions = MonthlyPartitionsDefinition(start_date="2026-01", fmt="%Y-%m", timezone=TIMEZONE)

#: Mondays from 2025-12-29 (the first day of ISO week 2026-W01)
weekly_period_partitions = WeeklyPartitionsDefinition(start_date="2025-12-29", day_offset=1, timezone=TIMEZONE)

PARTITIONS_BY_FREQUENCY: dict[str, PartitionsDefinition] = {
    "monthly": monthly_period_partitions,
    "weekly": weekly_period_partitions,
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
    raise ValueError(f"no period partitions for frequency {frequency!r}; expected one of {', '.join(PARTITIONS_BY_FREQUENCY)}")
