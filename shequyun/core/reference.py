"""The city's reference lists (dbt seeds under dbt_project/seeds/, the same rows the thematic database's `ref`
schema holds): read here without a database, for checks that run before one exists (a policy's owning area)."""

from __future__ import annotations

import csv
from functools import cache

from shequyun.core.settings import REFERENCE_DIR


def read_reference(name: str) -> list[dict[str, str]]:
    """Rows of the seed `name` (ref_districts, ref_streets, ...) as text."""
    with (REFERENCE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def district_names() -> dict[str, str]:
    """The city's districts: 6-digit code -> 区名称 (seed ref_districts)."""
    return {row["code"]: row["name"] for row in read_reference("ref_districts")}


@cache
def street_districts() -> dict[str, str]:
    """The city's streets/towns: 9-digit code -> district code (seed ref_streets)."""
    return {row["code"]: row["district_code"] for row in read_reference("ref_streets")}
