"""parse_address (dbt_project/macros/address) on domain.md §3 strings and the generator's noise kinds, rendered
from the macro files with Jinja and run in DuckDB (no dbt run needed). The district names come from the seed
ref_district_aliases, as the dbt build does."""

from __future__ import annotations

import csv

import duckdb
import jinja2
import pytest

from shequyun.core.settings import PROJECT_ROOT

MACROS = PROJECT_ROOT / "dbt_project" / "macros" / "address"
DIGITS = str.maketrans("0123456789", "零一二三四五六七八九")
SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "ref_district_aliases.csv"


@pytest.fixture(scope="module")
def parse():
    aliases = sorted((r["alias"] for r in csv.DictReader(SEED.open(encoding="utf-8"))), key=lambda a: (-len(a), a))
    source = "".join(p.read_text(encoding="utf-8") for p in sorted(MACROS.glob("*.sql")))
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    sql = env.from_string(source + "{{ parse_address('a', district_pattern=pattern) }}").render(
        execute=False, pattern="|".join(aliases))
    con = duckdb.connect()

    def run(address: str | list[str]) -> dict | list[dict]:
        """One address -> its parts; a list -> the parts of each, in one vectorised query."""
        many = [address] if isinstance(address, str) else list(address)
        rows = con.execute(f"select {sql} from (select unnest(?::varchar[]) as a, generate_subscripts(?::varchar[], 1) "
                           "as i) order by i", [many, many]).fetchall()
        parts = [r[0] for r in rows]
        return parts[0] if isinstance(address, str) else parts

    yield run
    con.close()


CASES = [
    # domain.md §3 typical forms
    ("杨浦区四平路街道公交新村12号301室", {"district_alias": "杨浦区", "street_name": "四平路街道", "place": "公交新村",
                                         "place_kind": "compound", "number": 12, "room": 301}),
    ("天山西路1521弄21号楼", {"place": "天山西路", "place_kind": "road", "lane": 1521, "number": 21, "building": None}),
    ("漕宝路1234弄5支弄6号", {"place": "漕宝路", "lane": 1234, "sub_lane": 5, "number": 6}),
    ("虹漕路461号58号楼5楼", {"place": "虹漕路", "number": 461, "building": 58, "building_unit": "号楼", "floor": 5, "room": None}),
    # Chinese numerals: digit by digit, positional, 两
    ("玉田路二十五弄三号六零二室", {"place": "玉田路", "lane": 25, "number": 3, "room": 602}),
    ("天山西路一千五百二十一弄二十一号", {"lane": 1521, "number": 21}),
    ("共富路一千七百一十七号一幢一九零一室", {"number": 1717, "building": 1, "building_unit": "幢", "room": 1901}),
    ("人民北路一千零一十五弄十号", {"lane": 1015, "number": 10}),
    ("宛平南路两百零五号", {"number": 205}),
    # prefixes and district names: 上海市 / 上海 / none, abolished, short, former counties
    ("上海市闸北区共和新路100弄3号", {"has_city": True, "district_alias": "闸北区", "place": "共和新路", "lane": 100, "number": 3}),
    ("上海卢湾区丽园路115弄16号101室", {"has_city": True, "district_alias": "卢湾区", "place": "丽园路"}),
    ("崇明县城桥镇八一路1号", {"has_city": False, "district_alias": "崇明县", "street_name": "城桥镇", "place": "八一路", "number": 1}),
    ("上海市浦东区云台路834弄3号202", {"district_alias": "浦东区", "place": "云台路", "lane": 834, "number": 3, "room": 202}),
    ("上海市浦东新区浦东南路1586弄2号1302室", {"district_alias": "浦东新区", "place": "浦东南路", "room": 1302}),
    ("南汇区惠南镇人民东路20弄1号", {"district_alias": "南汇区", "street_name": "惠南镇", "place": "人民东路"}),
    ("上海市墨玉路225号1幢501室", {"district_alias": None, "place": "墨玉路", "number": 225, "building": 1, "room": 501}),
    # building suffixes: 号楼 / 幢 / 栋 / a bare second 号
    ("古美路1186号4号101室", {"number": 1186, "building": 4, "building_unit": "号", "room": 101}),
    ("武夷路1660号2栋204室", {"number": 1660, "building": 2, "building_unit": "栋", "room": 204}),
    ("上海市闵行区古美路1186号4栋1901", {"number": 1186, "building": 4, "room": 1901}),
    # streets whose names hold 镇 or a road name; rural 组; a 小区 name ending in 区
    ("上海市普陀区真如镇街道南大街12号301室", {"street_name": "真如镇街道", "place": "南大街"}),
    ("上海市崇明县新河镇卫东村6组6号", {"district_alias": "崇明县", "street_name": "新河镇", "place": "卫东村",
                                          "place_kind": "village", "village_group": 6, "number": 6}),
    ("定海小区1700号1号楼301室", {"district_alias": None, "place": "定海小区", "place_kind": "compound", "number": 1700,
                                    "building": 1, "room": 301}),
    ("上海 杨浦区 四平路 1221弄 12号 301室", {"district_alias": "杨浦区", "place": "四平路", "lane": 1221, "number": 12, "room": 301}),
    ("四平路1221弄12-301", {"lane": 1221, "number": 12, "room": 301}),
    ("上海市黄浦区", {"district_alias": "黄浦区", "place": None, "place_kind": None, "number": None}),
]


@pytest.mark.parametrize(("address", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parse_address(parse, address: str, expected: dict) -> None:
    parts = parse(address)
    assert {k: parts[k] for k in expected} == expected


def test_numeral_forms_of_cn2an_round_trip(parse) -> None:
    """Every number 1-2999 written as the generator writes it (cn2an 'low') parses back."""
    import cn2an

    numbers = list(range(1, 3000))
    parsed = parse([f"四平路{cn2an.an2cn(str(n), 'low')}弄1号{str(n).translate(DIGITS)}室" for n in numbers])
    assert [(p["lane"], p["room"]) for p in parsed] == [(n, n) for n in numbers]


def test_unknown_text_gives_no_parts(parse) -> None:
    parts = parse("不详")
    assert parts["number"] is None and parts["district_alias"] is None and parts["room"] is None
