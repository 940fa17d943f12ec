"""Masking of personal numbers in exports (domain.md §6: keep 3+4 of an ID number, 3+4 of a phone number).

Two forms of one rule set, kept in step by tests/exports/test_masking.py:

* `mask_id_number`, `mask_phone`, `mask_account` — one value, for CLI output and tests;
* `mask_sql(kind, expr)` — the same rule as a DuckDB SQL expression, so a ledger of a million rows is masked
  inside the query that reads it (vectorised), never cell by cell in Python.

Rules (on the value with surrounding spaces removed, as SQL trim() does; None stays None, '' stays ''):

| kind | length | kept | example |
|---|---|---|---|
| id_number | >= 15 (18-digit ID, 15-digit old ID, 港澳台居住证, 20-char 残疾人证号, 2017 foreigner card) | first 3, last 4 | 310***********1234 |
| id_number | 8..14 (HKID A123456(3), 台湾身分證 A123456789, 通行证 H1234567800, passports) | first 1, last 2 | A*******89 |
| id_number | 1..7 | nothing | ****** |
| phone | >= 11 (mobile, landline with area code, +86 ...) | first 3, last 4 | 138****5678 |
| phone | 7..10 (local landline) | last 4 | ****0452 |
| phone | 1..6 | nothing | ***** |
| account | >= 8 (bank account) | last 4 | ************1234 |
| account | 1..7 | nothing | ***** |

The masked value has the length of the original, so a reader still sees which kind of number it was.

`strict=True` (the analyst database, shequyun.analyst.publish) keeps only the first 3 characters of a long ID
number (the first 1 of a short one): beside a birth date, the 3 + 4 form leaves 3 unknown region digits that the
check character narrows to one or two candidates, so it is no mask where `birth_date` sits in the same row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PII_KINDS = ("id_number", "phone", "account")

# An ID-shaped 18-character number: region, a 19xx/20xx birth date, sequence, check character.
ID18_PATTERN = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
_ID18_ANYWHERE = re.compile(f"(?=({ID18_PATTERN}))")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _keep(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]


def mask_id_number(value: str | None, *, strict: bool = False) -> str | None:
    """'310101198001011234' -> '310***********1234' ('310***************' strict); see the module docstring."""
    if value is None:
        return None
    v = str(value).strip(" ")
    n = len(v)
    if n >= 15:
        return _keep(v, 3, 0 if strict else 4)
    if n >= 8:
        return _keep(v, 1, 0 if strict else 2)
    return "*" * n


def mask_phone(value: str | None) -> str | None:
    """'13812345678' -> '138****5678'; '53550452' -> '****0452'."""
    if value is None:
        return None
    v = str(value).strip(" ")
    n = len(v)
    if n >= 11:
        return _keep(v, 3, 4)
    if n >= 7:
        return _keep(v, 0, 4)
    return "*" * n


def mask_account(value: str | None) -> str | None:
    """'6222021234567891234' -> '***************1234'."""
    if value is None:
        return None
    v = str(value).strip(" ")
    n = len(v)
    if n >= 8:
        return _keep(v, 0, 4)
    return "*" * n


MASKERS: dict[str, Callable[[str | None], str | None]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "account": mask_account,
}

# (minimum length, kept head, kept tail), longest first; below the last minimum everything is masked.
_SQL_RULES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "id_number": ((15, 3, 4), (8, 1, 2)),
    "phone": ((11, 3, 4), (7, 0, 4)),
    "account": ((8, 0, 4),),
}
_STRICT_SQL_RULES = _SQL_RULES | {"id_number": ((15, 3, 0), (8, 1, 0))}


def mask_sql(kind: str, expr: str, *, strict: bool = False) -> str:
    """The DuckDB expression masking `expr` (a column reference or any varchar expression) as `kind`."""
    if kind not in _SQL_RULES:
        raise ValueError(f"unknown pii kind {kind!r}; expected one of {', '.join(PII_KINDS)}")
    v = f"trim(cast({expr} as varchar))"
    whens = []
    for minimum, head, tail in (_STRICT_SQL_RULES if strict else _SQL_RULES)[kind]:
        stars = f"repeat('*', length({v}) - {head + tail})"
        parts = [p for p in (f"left({v}, {head})" if head else "", stars, f"right({v}, {tail})" if tail else "") if p]
        whens.append(f"when length({v}) >= {minimum} then {' || '.join(parts)}")
    return f"(case when {expr} is null then null {' '.join(whens)} else repeat('*', length({v})) end)"


def id_check_character(first17: str) -> str:
    """GB 11643-1999 MOD 11-2 check character of the 17 leading digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def find_id_numbers(text: str) -> list[str]:
    """Every valid 18-character ID number (date-shaped, right check character) inside `text`.

    Used to prove an export holds no full ID number (also one inside a 20-character 残疾人证号): shape alone would
    also match an 18-digit address code now and then, the check character rules out ten in eleven of those."""
    found = []
    for match in _ID18_ANYWHERE.finditer(text):   # overlapping: a failed candidate must not hide the next one
        candidate = match.group(1).upper()
        if id_check_character(candidate[:17]) == candidate[17]:
            found.append(candidate)
    return found
