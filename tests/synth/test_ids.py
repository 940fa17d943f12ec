"""GB 11643-1999 ID numbers: check digits, validation, conversion, decoding, region codes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from shequyun_synth import ids


@pytest.mark.parametrize("s17, expected", [("11010519491231002", "X"), ("44052418800101001", "4")])
def test_check_digit_worked_examples(s17: str, expected: str) -> None:
    assert ids.check_digit(s17) == expected


def test_check_digit_is_mod_11_2_by_hand() -> None:
    # S = 167 for the annex example, 167 mod 11 = 2 -> 'X'; recompute independently
    s17 = "11010519491231002"
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    total = sum(int(c) * w for c, w in zip(s17, weights))
    assert total == 167
    assert ids.check_digit(s17) == "10X98765432"[total % 11]


def test_vectorised_check_digits_agree_with_scalar() -> None:
    rng = np.random.default_rng(1)
    bodies = ["".join(map(str, rng.integers(0, 10, 17))) for _ in range(500)]
    scalar = [ids.check_digit(b) for b in bodies]
    assert list(ids.check_digits(np.array(bodies))) == scalar
    assert list(ids.check_digits(np.array([int(b) for b in bodies], dtype=np.int64))) == scalar
    digits = np.array([[int(c) for c in b] for b in bodies])
    assert list(ids.check_digits(digits)) == scalar


def test_is_valid_id() -> None:
    assert ids.is_valid_id("11010519491231002X")
    assert ids.is_valid_id("11010519491231002x")
    assert ids.is_valid_id("440524188001010014")
    assert not ids.is_valid_id("110105194912310021")  # wrong check
    assert not ids.is_valid_id("110105194902310025".replace("0231", "0230"))  # Feb 30
    assert not ids.is_valid_id("11010519491231002")  # 17 chars
    assert not ids.is_valid_id("1101051949123100AX")
    # abolished Shanghai codes are legal prefixes
    body = "31010819840330008"
    assert ids.is_valid_id(body + ids.check_digit(body))


def test_id15_to_id18() -> None:
    assert ids.id15_to_id18("310108840330008") == "31010819840330008X"
    with pytest.raises(ValueError):
        ids.id15_to_id18("3101088403300")


def test_decode_birth_and_sex() -> None:
    assert ids.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert ids.sex("11010519491231002X") == "女"
    assert ids.sex("440524188001010014") == "男"


def test_array_validation_flags_bad_numbers() -> None:
    arr = np.array(["11010519491231002X", "440524188001010014", "440524188001010015"])
    assert ids.is_valid_id_array(arr).tolist() == [True, True, False]


def test_compose_ids_unique_valid_and_parity() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    region = np.array(["310101"] * n)  # one region, five dates: ~300 per date and sex of 499 slots
    birth = np.datetime64("1980-01-01") + rng.integers(0, 5, n).astype("timedelta64[D]")
    male = rng.random(n) < 0.5
    out = ids.compose_ids(region, birth, male, rng)
    assert len(set(out.tolist())) == n
    assert ids.is_valid_id_array(out).all()
    parity_male = (np.array([int(s[16]) for s in out]) % 2 == 1)
    assert (parity_male == male).all()


def test_shanghai_codes_respect_history() -> None:
    rng = np.random.default_rng(5)
    n = 4000
    years = rng.integers(1984, 2026, n)
    for district in ["310115", "310106", "310151", "310112", "310113"]:
        codes = ids.shanghai_region_codes(np.array([district] * n), years, np.zeros(n, bool), rng)
        for code, year in zip(codes, years):
            _, lo, hi = ids.SHANGHAI_CODES[code]
            assert lo <= year and (hi is None or year < hi), (district, code, year)
    # 静安 residents assigned before 2015 carry both 静安 and 闸北 numbers
    old = ids.shanghai_region_codes(np.array(["310106"] * n), np.full(n, 1985), np.zeros(n, bool), rng)
    assert {"310106", "310108"} <= set(old.tolist())
    # 浦东 only from 1992; former 南汇 towns go 310225 -> 310119 -> 310115
    early = ids.shanghai_region_codes(np.array(["310115"] * n), np.full(n, 1985), np.zeros(n, bool), rng)
    assert "310115" not in set(early.tolist())
    nh = ids.shanghai_region_codes(np.array(["310115"] * 3), np.array([1990, 2005, 2015]), np.ones(3, bool), rng)
    assert nh.tolist() == ["310225", "310119", "310115"]


def test_province_codes_are_real_looking() -> None:
    rng = np.random.default_rng(9)
    codes = ids.other_province_codes(5000, rng)
    assert all(len(c) == 6 and c.isdigit() and not c.startswith("31") for c in codes)
    share_anhui = np.mean([c.startswith("34") for c in codes])
    assert 0.22 < share_anhui < 0.36
    for prov in ("安徽", "江苏", "河南", "四川", "浙江", "江西", "湖北", "山东", "福建", "湖南"):
        assert len(ids.PROVINCE_CODES[prov]) >= 10
