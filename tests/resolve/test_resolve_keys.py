"""Name pinyin with surname readings, and address door keys."""

from __future__ import annotations

import csv
from pathlib import Path

from shequyun.resolution.addresses import address_keys
from shequyun.resolution.names import romanise, split_name

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "ref_surname_pinyin.csv"


def _surnames() -> dict[str, str]:
    with SEED.open(encoding="utf-8") as f:
        return {row["surname"]: row["pinyin"] for row in csv.DictReader(f)}


def test_surname_readings_come_from_the_seed() -> None:
    df = romanise(["单伟", "曾丽", "区志强", "解放", "欧阳建国", "司马光"], _surnames()).set_index("person_name")
    assert df.loc["单伟", "name_pinyin"] == "shanwei"  # lazy_pinyin alone says dan
    assert df.loc["曾丽", "surname_pinyin"] == "zeng"
    assert df.loc["区志强", "surname_pinyin"] == "ou"
    assert df.loc["解放", "surname_pinyin"] == "xie"
    assert df.loc["欧阳建国", "surname"] == "欧阳" and df.loc["欧阳建国", "name_pinyin"] == "ouyangjianguo"
    assert split_name("司马光", _surnames()) == ("司马", "光")


def test_traditional_and_swapped_names_share_keys() -> None:
    df = romanise(["陈伟强", "陳偉強", "高平林", "高林平", "阿依古丽·买买提"], _surnames()).set_index("person_name")
    assert df.loc["陈伟强", "name_pinyin"] == df.loc["陳偉強", "name_pinyin"]
    assert df.loc["高平林", "name_chars_sorted"] == df.loc["高林平", "name_chars_sorted"]
    assert df.loc["高平林", "name_pinyin"] != df.loc["高林平", "name_pinyin"]
    assert df.loc["阿依古丽·买买提", "surname"] is None  # interpunct names have no surname split


def test_latin_and_pinyin_names_are_keyed_by_their_letters() -> None:
    df = romanise(["JOHN·SMITH", "SMITH·JOHN", "zhang jianguo", "ZHANGJIANGUO", "张建国", "·", "约翰·史密斯"],
                  _surnames()).set_index("person_name")
    # a Han name written in pinyin reads as the Han name; case and spaces do not matter
    assert df.loc["zhang jianguo", "name_pinyin"] == df.loc["ZHANGJIANGUO", "name_pinyin"] == df.loc["张建国", "name_pinyin"]
    # passport order and surname-first order share the sorted letters, not the reading
    assert df.loc["JOHN·SMITH", "name_chars_sorted"] == df.loc["SMITH·JOHN", "name_chars_sorted"]
    assert df.loc["JOHN·SMITH", "name_pinyin"] != df.loc["SMITH·JOHN", "name_pinyin"]
    assert df.loc["JOHN·SMITH", "surname"] is None
    # a name that leaves no letters has no keys: an empty key would make all such names agree
    assert df.loc["·", "name_pinyin"] is None and df.loc["·", "name_chars_sorted"] is None
    assert df.loc["约翰·史密斯", "name_pinyin"] == "yuehanshimisi"


def test_address_doors_agree_across_department_styles() -> None:
    df = address_keys(["上海市宝山区共富路1717号1号楼802室", "祥云华庭一千七百一十七号一幢八零二室", "共富路1717号1栋802室",
                       "墨玉路225号3号303室", "方夏村3组二十四号", "某某路", None]).to_pandas().set_index("address")
    door = df["address_door"]
    assert door["上海市宝山区共富路1717号1号楼802室"] == door["祥云华庭一千七百一十七号一幢八零二室"] == "1717号1幢802室"
    assert door["共富路1717号1栋802室"] == "1717号1幢802室"
    assert door["墨玉路225号3号303室"] == "225号3幢303室"
    assert door["方夏村3组二十四号"] == "3组24号"
    assert door.isna()["某某路"]
    assert len(df) == 6
