"""Report periods: the label a package folder carries, from the database's as_of day and a ledger frequency.

monthly `2026-11`, weekly `2026-W48` (ISO week), quarterly `2026-Q4`, annual `2026`.
"""

from __future__ import annotations

import re
from datetime import date

PERIOD_PATTERNS = {
    "monthly": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "weekly": re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"),
    "quarterly": re.compile(r"^\d{4}-Q[1-4]$"),
    "annual": re.compile(r"^\d{4}$"),
}


def period_for(day: date, frequency: str = "monthly") -> str:
    """The period of `frequency` that contains `day`."""
    if frequency == "monthly":
        return f"{day.year:04d}-{day.month:02d}"
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if frequency == "quarterly":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if frequency == "annual":
        return f"{day.year:04d}"
    raise ValueError(f"unknown frequency {frequency!r}; expected one of {', '.join(PERIOD_PATTERNS)}")


def frequency_of(period: str) -> str:
    """Which frequency a period label is written in; ValueError for anything else."""
    for frequency, pattern in PERIOD_PATTERNS.items():
        if pattern.match(period):
            return frequency
    raise ValueError(f"period {period!r} is not a report period: expected 2026-11 (monthly), 2026-W48 (weekly), "
                     "2026-Q4 (quarterly) or 2026 (annual)")


def check_period(period: str, frequency: str | None = None) -> str:
    """`period` if it is well formed (and written in `frequency` when one is given)."""
    found = frequency_of(period)
    if frequency is not None and found != frequency:
        raise ValueError(f"period {period!r} is {found}, not {frequency} (e.g. {period_for(date(2026, 11, 1), frequency)})")
    return period
