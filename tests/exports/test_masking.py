"""Masking of ID and phone numbers: the Python rules, the DuckDB SQL form (must agree), the leak finder."""

from __future__ import annotations

import random

import duckdb
import pytest

from shequyun.privacy.masking import (
    PII_KINDS,
    find_id_numbers,
    id_check_character,
    mask_account,
    mask_id_number,
    mask_phone,
    mask_sql,
)

ID_CASES = [
    ("310101198001011234", "310***********1234"),       # 18-digit resident ID
    ("11010519491231002X", "110***********002X"),       # check character X
    ("310108840330008", "310********0008"),             # 15-digit old ID
    ("810000199001011234", "810***********1234"),       # 港澳居民居住证
    ("830000198512120021", "830***********0021"),       # 台湾居民居住证
    ("31010119800101123441", "310*************3441"),   # 20-char 残疾人证号
    ("USA310012345678", "USA********5678"),             # 2017 foreigner permanent residence card (15)
    ("H1234567800", "H********00"),                     # 港澳居民来往内地通行证
    ("A123456(3)", "A*******3)"),                       # HKID
    ("A123456789", "A*******89"),                       # 台湾身分證
    ("E12345678", "E******78"),                         # passport
    ("1234567", "*******"),                             # short: nothing kept
    ("12", "**"),
    ("", ""),
    ("  310101198001011234 ", "310***********1234"),    # surrounding spaces removed
    (None, None),
]
PHONE_CASES = [
    ("13812345678", "138****5678"),
    ("02153550452", "021****0452"),                     # landline with area code
    ("+8613812345678", "+86*******5678"),
    ("53550452", "****0452"),                           # local landline
    ("123456", "******"),
    ("", ""),
    (None, None),
]
ACCOUNT_CASES = [
    ("6222021234567891234", "***************1234"),
    ("12345678", "****5678"),
    ("1234567", "*******"),
    (None, None),
]


@pytest.mark.parametrize(("value", "expected"), ID_CASES)
def test_mask_id_number(value: str | None, expected: str | None) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(("value", "expected"), PHONE_CASES)
def test_mask_phone(value: str | None, expected: str | None) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(("value", "expected"), ACCOUNT_CASES)
def test_mask_account(value: str | None, expected: str | None) -> None:
    assert mask_account(value) == expected


def _sql_mask(kind: str, values: list[str | None]) -> list[str | None]:
    with duckdb.connect() as con:
        con.execute("create table t (i integer, v varchar)")
        con.executemany("insert into t values (?, ?)", list(enumerate(values)))
        return [row[0] for row in con.execute(f"select {mask_sql(kind, 'v')} from t order by i").fetchall()]


@pytest.mark.parametrize("kind", PII_KINDS)
def test_sql_masking_agrees_with_python(kind: str) -> None:
    rng = random.Random(5)
    values: list[str | None] = [v for v, _ in ID_CASES + PHONE_CASES + ACCOUNT_CASES]
    values += ["".join(rng.choice("0123456789X") for _ in range(rng.randint(0, 22))) for _ in range(300)]
    values += ["阿依古丽·买买提", " 138 1234 5678 "]
    python = {"id_number": mask_id_number, "phone": mask_phone, "account": mask_account}[kind]
    assert _sql_mask(kind, values) == [python(v) for v in values]


def test_sql_masking_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown pii kind 'email'"):
        mask_sql("email", "v")


def test_masked_ids_hold_no_full_id() -> None:
    rng = random.Random(11)
    ids = []
    for _ in range(2000):
        first17 = f"31{rng.randint(0, 9999):04d}{rng.randint(1920, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
                  f"{rng.randint(0, 999):03d}"
        ids.append(first17 + id_check_character(first17))
    text = " ".join(ids)
    assert len(find_id_numbers(text)) == len(ids)          # the finder sees every one ...
    masked = " ".join(mask_id_number(v) or "" for v in ids)
    assert find_id_numbers(masked) == []                   # ... and none after masking
    assert all(m.count("*") == 11 for m in masked.split())


def test_check_character_of_the_standard_examples() -> None:
    assert id_check_character("11010519491231002") == "X"
    assert id_check_character("44052418800101001") == "4"


def test_find_id_numbers() -> None:
    assert find_id_numbers("身份证 11010519491231002X 地址") == ["11010519491231002X"]
    assert find_id_numbers("11010519491231002x") == ["11010519491231002X"]
    assert find_id_numbers("110105194912310021") == []                 # wrong check character
    assert find_id_numbers("残疾人证 11010519491231002X41") == ["11010519491231002X"]
    # an 18-digit address code that fails the shape or the check is not an ID
    assert find_id_numbers("310115015002010001 310101021001010054") == []
    # an ID right after other digits (inside a longer number) is still found
    assert find_id_numbers("9" + "440524188001010014") == ["440524188001010014"]
