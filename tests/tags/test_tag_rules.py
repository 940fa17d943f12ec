"""The rule language: the documented grammar compiles; unknown fields, injection attempts and bad syntax fail with a
message naming the tag and its file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from shequyun.tags.catalogue import (
    CatalogueError,
    load_catalogue,
    load_file,
    load_schema,
)
from shequyun.tags.rules import RuleError, compile_date, compile_rule

SCHEMA = load_schema()


def holds(rule: str, **row: object) -> bool:
    """Evaluate a compiled rule on one row in DuckDB (the columns the row gives; the others null)."""
    cols = {name: None for name in SCHEMA.fields}
    cols.update(row)
    types = {"text": "varchar", "number": "integer", "boolean": "boolean", "date": "date", "list": "varchar[]"}
    select = ", ".join(f"cast(? as {types[SCHEMA.fields[c].type]}) as \"{c}\"" for c in cols)
    sql = f"with profile as (select {select}) select {compile_rule(rule, SCHEMA).sql} from profile"
    return duckdb.execute(sql, list(cols.values())).fetchone()[0]


@pytest.mark.parametrize(("rule", "row", "expected"), [
    ("age >= 80 and status == 'living'", {"age": 80, "status": "living"}, True),
    ("age >= 80 and status == 'living'", {"age": 79, "status": "living"}, False),
    ("age >= 80 and status == 'living'", {"age": None, "status": "living"}, False),
    ("60 <= age < 80", {"age": 79}, True),
    ("60 <= age < 80", {"age": 80}, False),
    ("has(party_member_type)", {"party_member_type": "预备党员"}, True),
    ("has(dibao)", {"dibao": False}, False),
    ("has(dibao_record_keys)", {"dibao_record_keys": ["ca_dibao:f:2"]}, True),
    ("dibao or tekun", {"dibao": None, "tekun": True}, True),
    ("not dibao", {"dibao": None}, True),
    ("not (age > 60)", {"age": None}, True),
    ("disability_grade in [1, 2]", {"disability_grade": 2}, True),
    ("disability_grade not in (1, 2)", {"disability_grade": 2}, False),
    ("ethnicity != '汉族'", {"ethnicity": "回族"}, True),
    ("ethnicity == None", {"ethnicity": None}, True),
    ("party_full_on != None", {"party_full_on": None}, False),
    ("dibao_since < '2020-01-01'", {"dibao_since": "2019-12-31"}, True),
    ("dibao_since >= date('2020-01-01')", {"dibao_since": "2019-12-31"}, False),
    ("years_after(birth_date, 80) <= date('2026-11-01')", {"birth_date": "1946-11-01"}, True),
    ("years_after(birth_date, 80) <= date('2026-11-01')", {"birth_date": "1946-11-02"}, False),
    ("sex == '女' and age > -1", {"sex": "女", "age": 0}, True),
    ("ethnicity == \"O'Brien\"", {"ethnicity": "O'Brien"}, True),
    ("ethnicity == \"O'Brien\"", {"ethnicity": "O"}, False),
])
def test_documented_grammar_compiles_and_evaluates(rule: str, row: dict, expected: bool) -> None:
    assert holds(rule, **row) is expected


def test_compiled_rule_names_its_fields() -> None:
    compiled = compile_rule("status == 'living' and (dibao or age >= 80)", SCHEMA)
    assert compiled.fields == {"status", "dibao", "age"}


def test_since_expressions() -> None:
    assert compile_date("greatest(years_after(birth_date, 60), residence_since)", SCHEMA).fields == {"birth_date", "residence_since"}
    with pytest.raises(RuleError, match="since must be a date"):
        compile_date("age", SCHEMA)


@pytest.mark.parametrize(("rule", "reason"), [
    ("age >= 80; drop table x", "syntax error"),
    ("age >= 80 or 1 == 1 -- comment", "not allowed"),   # Python reads 1 - (-comment)
    ("age >= 80 /* x */", "syntax error"),
    ("__import__('os')", "unknown function"),
    ("__import__('os').system('rm -rf /')", "only the functions"),
    ("status == 'living' or ''; drop table x; --'", "syntax error"),
    ("status == \"x' or 1=1 --\" and age > 1", None),   # a quote inside a literal stays a literal (checked below)
    ("open('/etc/passwd')", "unknown function"),
    ("age.__class__", "not allowed"),
    ("[x for x in age]", "not allowed|not a condition"),
    ("lambda: 1", "not a condition"),
    ("age + 1 > 80", "not allowed"),
    ("status == '{{ var(\"x\") }}'", "braces"),
    ("age", "not a condition"),
    ("age >= 'eighty'", "cannot compare"),
    ("age is None", "not allowed"),
    ("bogus_field >= 80", "unknown field 'bogus_field'"),
    ("has(age, sex)", "has\\(\\) takes one field"),
    ("age >=", "syntax error"),
    ("age > 1e999", "not a finite number"),
    ("", "empty"),
])
def test_rejected_rules_name_tag_and_file(rule: str, reason: str | None) -> None:
    if reason is None:   # an injection attempt inside a string literal is escaped, never executed
        sql = compile_rule(rule, SCHEMA).sql
        assert "'x'' or 1=1 --'" in sql
        assert holds(rule, status="x' or 1=1 --", age=2) is True
        assert holds(rule, status="x", age=2) is False
        return
    from shequyun.tags.catalogue import TagSpec, compile_tag
    spec = TagSpec(code="bad_tag", name="坏标签", description="d", rule=rule or " ")
    with pytest.raises(RuleError, match=reason) as info:
        compile_tag(spec, "city", "310000", "tags/city/bad.yaml", SCHEMA)
    assert "bad_tag" in str(info.value) and "tags/city/bad.yaml" in str(info.value)


def test_catalogue_file_with_unknown_field_names_tag_and_file(tmp_path: Path) -> None:
    path = tmp_path / "street.yaml"
    path.write_text(
        "level: street\narea_code: '310104010'\ntags:\n"
        "  - {code: ok_tag, name: 好, description: d, rule: \"age >= 60\"}\n"
        "  - {code: typo_tag, name: 错, description: d, rule: \"agee >= 60\"}\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_file(path, SCHEMA)
    assert "typo_tag" in str(info.value) and "street.yaml" in str(info.value) and "agee" in str(info.value)


@pytest.mark.parametrize("doc", [
    "level: street\narea_code: '310104'\ntags: [{code: a, name: n, description: d, rule: 'age > 1'}]\n",   # not a street code
    "level: city\narea_code: '310104'\ntags: [{code: a, name: n, description: d, rule: 'age > 1'}]\n",
    "level: town\narea_code: '310104'\ntags: [{code: a, name: n, description: d, rule: 'age > 1'}]\n",
    "level: district\narea_code: \"310104' or 1=1\"\ntags: [{code: a, name: n, description: d, rule: 'age > 1'}]\n",
    "level: city\narea_code: '310000'\ntags: [{code: 'A; drop', name: n, description: d, rule: 'age > 1'}]\n",
    "level: city\narea_code: '310000'\ntags: [{code: a, name: n, description: d, rule: 'age > 1', colour: red}]\n",
])
def test_invalid_catalogue_files_are_refused_with_the_file_name(tmp_path: Path, doc: str) -> None:
    path = tmp_path / "bad_file.yaml"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(CatalogueError, match="bad_file.yaml"):
        load_file(path, SCHEMA)


def test_duplicate_codes_are_refused(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("level: city\narea_code: '310000'\ntags: [{code: same, name: n, description: d, rule: 'age > 1'}]\n",
                                     encoding="utf-8")
    with pytest.raises(CatalogueError, match="same.*already defined"):
        load_catalogue(tmp_path, SCHEMA)


def test_area_tags_carry_their_area_condition() -> None:
    tags = {t.code: t for t in load_catalogue()}
    assert tags["xuhui_elderly_care"].condition_sql.endswith("and \"district_code\" = '310104')")
    assert tags["changqiao_family_doctor_elderly"].condition_sql.endswith("and \"street_code\" = '310104010')")
    assert tags["changqiao1_party_elderly"].condition_sql.endswith("and \"committee_code\" = '310104010001')")
    assert "_code\" =" not in tags["elderly_80"].condition_sql


def test_city_catalogue_has_the_required_tags() -> None:
    names = {t.name for t in load_catalogue() if t.level == "city"}
    required = {"正式党员", "预备党员", "少数民族", "低收入", "低保", "特困", "应届毕业生", "80岁以上", "90岁以上", "百岁老人", "独居老人",
                "纯老家庭", "残疾人", "视力残疾", "肢体残疾", "一级残疾", "退役军人", "失业登记", "来沪人员", "人户分离", "家庭医生签约", "重点关爱"}
    assert required <= names
    levels = {t.level for t in load_catalogue()}
    assert levels == {"city", "district", "street", "committee"}
