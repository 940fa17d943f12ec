"""The --where language: what parses, what it means, and that no text of the user's ever reaches SQL."""

from __future__ import annotations

import re

import duckdb
import pytest

from shequyun.policy.catalogue import TagIndex
from shequyun.policy.expression import (
    MAX_DEPTH,
    MAX_LENGTH,
    All,
    AnyOf,
    ExpressionError,
    FieldTest,
    Not,
    parse_expression,
    render,
)
from shequyun.policy.fields import RESIDENCE_SQL
from shequyun.policy.match import compile_match
from shequyun.policy.sql import PROFILE_COLUMN, ProfileCompiler, TruthCompiler
from shequyun.tags.catalogue import load_catalogue, load_schema

TAGS = TagIndex(load_catalogue())


def parse(text: str):
    return parse_expression(text, TAGS.code_of)


@pytest.mark.parametrize(("text", "expected"), [
    ("tag:独居老人 and age>=80 and street:310115015",
     All((FieldTest("tag", "=", ("elderly_living_alone",)), FieldTest("age", ">=", (80,)), FieldTest("street", "=", ("310115015",))))),
    ("tag:elderly_living_alone", FieldTest("tag", "=", ("elderly_living_alone",))),
    ("独居老人", FieldTest("tag", "=", ("elderly_living_alone",))),                      # a bare word is a tag
    ("标签：低保 AND 年龄＞＝80", All((FieldTest("tag", "=", ("dibao",)), FieldTest("age", ">=", (80,))))),  # full width, aliases
    ("tag:低保,特困 or sex!=女", AnyOf((FieldTest("tag", "=", ("dibao", "tekun")), FieldTest("sex", "!=", ("女",))))),
    ("(tag:低保 or tag:tekun) and not residence:人户分离",
     All((AnyOf((FieldTest("tag", "=", ("dibao",)), FieldTest("tag", "=", ("tekun",)))), Not(FieldTest("residence", "=", ("人户分离",)))))),
    ("tag:低保 or tag:特困 and age<18",   # and binds tighter than or
     AnyOf((FieldTest("tag", "=", ("dibao",)), All((FieldTest("tag", "=", ("tekun",)), FieldTest("age", "<", (18,))))))),
    ("tag:“低保”", FieldTest("tag", "=", ("dibao",))),                                  # curly quotes are quotes
    ("((((((tag:低保))))))", FieldTest("tag", "=", ("dibao",))),
    ("committee:310104010001 and population_type:来沪",
     All((FieldTest("committee", "=", ("310104010001",)), FieldTest("population_type", "=", ("来沪",))))),
    ("NOT district:310115", Not(FieldTest("district", "=", ("310115",)))),
    ("android_user", None),   # a word starting with 'and' is a word, not the keyword: an unknown tag
])
def test_grammar(text: str, expected) -> None:
    if expected is None:
        with pytest.raises(ExpressionError, match="unknown tag 'android_user'"):
            parse(text)
        return
    node = parse(text)
    assert node == expected
    assert parse(render(node)) == node           # rendering parses back to the same tree
    assert parse(render(node, TAGS.name_of)) == node


@pytest.mark.parametrize(("text", "reason"), [
    ("'; drop table x; --", "syntax error at column 1"),
    ("tag:x' or '1'='1", "syntax error at column 6"),
    ("age>=80; delete from marts.dim_person", "unexpected character ';'"),
    ("__import__('os')", "syntax error"),
    ("__import__('os').system('ls')", "syntax error"),
    ("tag:‘低保’ or ‘1’=‘1’", "syntax error"),          # unicode quotes: a quoted value where a field belongs
    ("tag:低保 -- and age>1", "syntax error"),
    ("tag:低保 /* comment */", "syntax error"),
    ("age>=80 # comment", "syntax error"),
    ("tag:低保 and", "ends too early|unexpected end"),
    ("(tag:低保", "ends too early|unexpected end"),
    ("tag:低保)", "syntax error"),
    ("", "empty"),
    ("   ", "empty"),
    ("tag:低保\x00", "control character"),
    ("age>=eighty", "age takes a whole number"),
    ("age>=80.5", "age takes a whole number"),
    ("age>=1000", "age takes a whole number|out of range"),
    ("age>80,90", "a list of values needs"),
    ("sex>女", "sex takes = !="),
    ("sex:male", "sex takes 男 / 女"),
    ("residence:住", "residence takes 实住 / 人户一致 / 人户分离"),
    ("street:310115", "must have 9 digits"),
    ("street:310115999", "not a street/town of the city"),
    ("district:310199", "not a district of the city"),
    ("committee:abc", "must be digits"),
    ("name:张三", "unknown field 'name'"),
    ("p.status:deceased", "unknown field"),
    ("tag:九十岁以上", "unknown tag '九十岁以上'"),
    ("tag:\"x' or '1'='1\"", "unknown tag"),          # a quoted value is one value: an unknown tag
    ("tag:低保 or " * 200 + "tag:低保", f"longer than {MAX_LENGTH}"),
    ("(" * 40 + "tag:低保 or tag:特困 and " * 1 + "age>1" + ")" * 40, None),   # parentheses alone add no depth
    ("not " * (MAX_DEPTH + 2) + "tag:低保", f"deeper than {MAX_DEPTH}"),
    ("(tag:低保 and (tag:特困 or " * 13 + "age>1" + "))" * 13, f"deeper than {MAX_DEPTH}"),
])
def test_refused_with_a_reason(text: str, reason: str | None) -> None:
    if reason is None:       # accepted
        assert isinstance(parse(text), AnyOf)
        return
    with pytest.raises(ExpressionError, match=reason):
        parse(text)


def test_syntax_error_points_at_the_column() -> None:
    with pytest.raises(ExpressionError) as info:
        parse("tag:低保 and age>=80; drop table x")
    assert "column 19" in str(info.value) and "^" in str(info.value)


EVIL = ["'; drop table marts.dim_person; --", "x' or '1'='1", "80; delete from x", "__import__('os')",
        "‘1’=‘1’", "/* */ --", "\"; select 1; --"]


@pytest.mark.parametrize("evil", EVIL)
def test_no_user_text_in_the_sql(evil: str) -> None:
    """Even a value no validation would let through - built by hand, or accepted by a careless tag lookup - is only
    ever a bound parameter of the matcher's SQL."""
    node = All((FieldTest("sex", "=", (evil,)), Not(FieldTest("tag", "=", (evil, "dibao"))), FieldTest("district", "!=", (evil,))))
    compiled = compile_match(node)
    assert evil not in compiled.sql
    assert compiled.params[:4] == [evil, evil, "dibao", evil]
    # a careless lookup that accepts any text: the text still only reaches the parameters
    parsed = parse_expression(f'tag:"{evil}"' if '"' not in evil else f"tag:'{evil}'", lambda text: text)
    compiled = compile_match(parsed)
    assert evil not in compiled.sql and compiled.params[0] == evil


def test_injected_value_is_data_not_sql() -> None:
    """Run the compiled condition on a tiny person view: the attack value matches nothing and drops nothing."""
    con = duckdb.connect()
    con.execute("create table p as select * from (values ('a', '男', 80, '310115', '310115015', '310115015001', 'h1', 'h1', false)) "
                "t(person_key, sex, age, district_code, street_code, committee_code, residence_house_key, hukou_house_key, is_separated)")
    con.execute("create table pt as select 'a' as person_key, ['dibao'] as tag_codes")
    for evil in EVIL:
        compiler = ProfileCompiler()
        where = compiler.condition(AnyOf((FieldTest("sex", "=", (evil,)), FieldTest("tag", "=", (evil,)))))
        rows = con.execute(f"select p.person_key from p join pt using (person_key) where {where}", compiler.params).fetchall()
        assert rows == []
    assert con.execute("select count(*) from p").fetchone()[0] == 1


def test_truth_compiler_refuses_anything_but_plain_values() -> None:
    compiler = TruthCompiler({"dibao": "dibao_case_no is not null"})
    assert compiler.condition(FieldTest("sex", "=", ("女",))) == "coalesce((sex = '女'), false)"
    assert compiler.condition(FieldTest("age", ">=", (80,))) == "coalesce((age >= 80), false)"
    for evil in EVIL:
        with pytest.raises(ValueError, match="refusing"):
            compiler.condition(FieldTest("sex", "=", (evil,)))


@pytest.mark.parametrize(("text", "row", "expected"), [
    ("age>=80", {"age": 80}, True),
    ("age>=80", {"age": 79}, False),
    ("age>=80", {"age": None}, False),            # unknown is false
    ("age!=80", {"age": None}, True),             # and != is not =
    ("not age>=80", {"age": None}, True),
    ("sex:女", {"sex": "女"}, True),
    ("sex:男,女", {"sex": "女"}, True),
    ("sex!=男,女", {"sex": "女"}, False),
    ("tag:低保", {"tag_codes": ["dibao"]}, True),
    ("tag:低保", {"tag_codes": []}, False),
    ("not tag:低保", {"tag_codes": None}, True),
    ("tag:低保,特困", {"tag_codes": ["tekun"]}, True),
    ("residence:实住", {"residence_house_key": "h1"}, True),
    ("residence:实住", {"residence_house_key": None}, False),
    ("residence:人户一致", {"residence_house_key": "h1", "hukou_house_key": "h1"}, True),
    ("residence:人户一致", {"residence_house_key": "h1", "hukou_house_key": "h2"}, False),
    ("residence:人户分离", {"is_separated": True}, True),
    ("not residence:人户分离", {"is_separated": None}, True),
    ("street:310115015", {"street_code": "310115015"}, True),
    ("street:310115015 and not committee:310115015001", {"street_code": "310115015", "committee_code": "310115015002"}, True),
])
def test_meaning(text: str, row: dict, expected: bool) -> None:
    base = {"sex": None, "age": None, "population_type": None, "district_code": None, "street_code": None,
            "committee_code": None, "residence_house_key": None, "hukou_house_key": None, "is_separated": None,
            "tag_codes": None}
    base.update(row)
    types = {"age": "integer", "is_separated": "boolean", "tag_codes": "varchar[]"}
    select = ", ".join(f"cast(? as {types.get(c, 'varchar')}) as {c}" for c in base)
    compiler = ProfileCompiler()
    where = compiler.condition(parse(text))
    sql = f"with p as (select {select}), pt as (select tag_codes from p) select {where} from p, pt"
    assert duckdb.execute(sql, [*base.values(), *compiler.params]).fetchone()[0] is expected


def test_fields_read_documented_columns_only() -> None:
    """Every column the compiler writes is a documented column of dim_person_profile (dim_person_profile.yml)."""
    documented = set(load_schema().fields)
    used = {c.removeprefix("p.") for c in PROFILE_COLUMN.values()}
    used |= {m for sql in RESIDENCE_SQL.values() for m in re.findall(r"p\.([a-z_]+)", sql)}
    assert used and used <= documented, used - documented


def test_deep_nesting_never_recurses_out_of_stack() -> None:
    """490 redundant parentheses parse (they add no level); 120 real levels are refused with a reason, not a
    RecursionError (the LALR parser and the depth check do not recurse)."""
    assert parse("(" * 490 + "tag:低保" + ")" * 490) == FieldTest("tag", "=", ("dibao",))
    with pytest.raises(ExpressionError, match="nests deeper"):
        parse_expression("(a and " * 120 + "b" + ")" * 120, lambda text: text)
