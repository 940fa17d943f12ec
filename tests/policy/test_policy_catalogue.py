"""The policy catalogue: the shipped policies validate and mean what their files say; a bad file fails with a message
naming the file and the field."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from shequyun.policy.catalogue import (
    CATALOGUE_DIR,
    PolicyError,
    TagIndex,
    find_policy,
    load_policies,
    load_policy,
)
from shequyun.policy.expression import All, AnyOf, FieldTest, Not
from shequyun.tags.catalogue import load_catalogue

TAGS = TagIndex(load_catalogue())

GOOD = """\
level: street
area_code: "310104010"
code: test_policy
name: 测试政策
department: 长桥街道办事处
description: a test policy
tags:
  all_of: [80岁以上]
  any_of: [低保, tekun]
  none_of: [人户分离]
conditions:
  age: {min: 80, max: 99}
  sex: 女
  population_type: [户籍, 来沪]
  residence: 实住
  areas: ["310104010001"]
where: "not tag:残疾人"
effective_from: 2026-01-01
"""


def write(folder: Path, text: str, level: str = "street", name: str = "p.yaml") -> Path:
    path = folder / level / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_shipped_catalogue() -> None:
    policies = load_policies(CATALOGUE_DIR, TAGS)
    by_code = {p.code: p for p in policies}
    assert len(policies) >= 6
    assert {p.level for p in policies} == {"city", "district", "street", "committee"}
    milk = by_code["milk_90_plus"]
    assert milk.condition == All((FieldTest("tag", "=", ("elderly_90",)), FieldTest("residence", "=", ("实住",))))
    assert by_code["emergency_call_device"].tag_codes == ("elderly_living_alone", "elderly_80", "disabled")
    veteran = by_code["veteran_spring_visit"].condition
    assert isinstance(veteran, All) and isinstance(veteran.items[1], Not)     # none-of
    for p in policies:                 # an area-owned policy is scoped to its area first
        if p.level != "city":
            assert p.condition.items[0] == FieldTest(p.level, "=", (p.area_code,)), p.code
        assert p.file.startswith(f"policies/{p.level}/")
    assert find_policy("90岁以上老人每月送牛奶", CATALOGUE_DIR, TAGS).code == "milk_90_plus"
    assert find_policy("policies/city/milk_90_plus.yaml", CATALOGUE_DIR, TAGS).code == "milk_90_plus"
    with pytest.raises(LookupError, match="did you mean milk_90_plus"):
        find_policy("milk_90", CATALOGUE_DIR, TAGS)


def test_a_full_policy_file(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, GOOD), TAGS)
    area = FieldTest("street", "=", ("310104010",))
    assert policy.condition == All((
        area, FieldTest("tag", "=", ("elderly_80",)),
        AnyOf((FieldTest("tag", "=", ("dibao",)), FieldTest("tag", "=", ("tekun",)))),
        Not(FieldTest("tag", "=", ("hukou_separated",))),
        FieldTest("age", ">=", (80,)), FieldTest("age", "<=", (99,)), FieldTest("sex", "=", ("女",)),
        FieldTest("population_type", "=", ("户籍", "来沪")), FieldTest("residence", "=", ("实住",)),
        FieldTest("committee", "=", ("310104010001",)), Not(FieldTest("tag", "=", ("disabled",))),
    ))
    assert policy.in_force(dt.date(2026, 11, 1)) and not policy.in_force(dt.date(2025, 12, 31))


@pytest.mark.parametrize(("change", "where", "reason"), [
    (("[80岁以上]", "[九十岁以上]"), "tags.all_of[0]", "unknown tag '九十岁以上'"),
    (("any_of: [低保, tekun]", "any_of: [低保, tekunn]"), "tags.any_of[1]", "unknown tag 'tekunn'; did you mean tekun"),
    (("none_of: [人户分离]", "none_of: [人户分离, 人户分离]"), "tags.none_of[1]", "listed twice"),
    (("  age: {min: 80, max: 99}", "  agee: {min: 80}"), "conditions.agee", "unknown field"),
    (("  age: {min: 80, max: 99}", "  age: {min: 80, maximum: 99}"), "conditions.age.maximum", "unknown field"),
    (("  age: {min: 80, max: 99}", "  age: {min: 80, max: 70}"), "conditions.age", "max 70 is below min 80"),
    (("  age: {min: 80, max: 99}", "  age: {min: 200}"), "conditions.age.min", "less than or equal to 150"),
    (("  sex: 女", "  sex: female"), "conditions.sex", "sex takes 男 / 女"),
    (("[户籍, 来沪]", "[户籍, 外地]"), "conditions.population_type[1]", "population_type takes"),
    (("  residence: 实住", "  residence: 住"), "conditions.residence", "residence takes 实住"),
    (('["310104010001"]', '["310104999001"]'), "conditions.areas[0]", "310104999 is not a street/town"),
    (('["310104010001"]', '["310105010001"]'), "conditions.areas[0]", "outside the policy's street 310104010"),
    (('["310104010001"]', '["31010401"]'), "conditions.areas[0]", "is not a district (6), street (9) or committee"),
    (('area_code: "310104010"', 'area_code: "310104"'), "area_code", "is not a street code (9 digits)"),
    (('area_code: "310104010"', 'area_code: "310104999"'), "area_code", "310104999 is not a street/town"),
    (('area_code: "310104010"', 'area_code: "31010401x"'), "area_code", "must be digits"),
    (("level: street", "level: province"), "level", "Input should be"),
    (("code: test_policy", "code: Test-Policy"), "code", "should match pattern"),
    (("name: 测试政策\n", ""), "name", "required field is missing"),
    (("where: \"not tag:残疾人\"", "where: \"not tag:残疾人; drop table x\""), "where", "syntax error at column"),
    (("where: \"not tag:残疾人\"", "where: \"age>=eighty\""), "where", "age takes a whole number"),
    (("effective_from: 2026-01-01", "effective_from: 2026-13-01"), "effective_from", "valid date"),
    (("effective_from: 2026-01-01", "effective_from: 2026-01-01\neffective_to: 2025-01-01"), "effective_to",
     "before effective_from"),
])
def test_errors_name_the_file_and_the_field(tmp_path: Path, change: tuple[str, str], where: str, reason: str) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(PolicyError) as info:
        load_policy(path, TAGS)
    message = str(info.value)
    assert message.startswith(f"{path}: {where}: "), message
    assert reason in message, message


def test_area_tag_of_another_area_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("all_of: [80岁以上]", "all_of: [长桥一居老党员]")     # committee 310104010001: inside, fine
    assert load_policy(write(tmp_path, text), TAGS).tag_codes[0] == "changqiao1_party_elderly"
    text = GOOD.replace("all_of: [80岁以上]", "all_of: [徐汇高龄关爱]")         # district 310104 holds the street: fine
    load_policy(write(tmp_path, text), TAGS)
    pudong = GOOD.replace('area_code: "310104010"', 'area_code: "310115015"').replace('["310104010001"]', '["310115015001"]')
    with pytest.raises(PolicyError, match=r"tags.all_of\[0\]: tag xuhui_elderly_care .* outside the policy's street 310115015"):
        load_policy(write(tmp_path, pudong.replace("all_of: [80岁以上]", "all_of: [徐汇高龄关爱]")), TAGS)
    with pytest.raises(PolicyError, match=r"p.yaml: where: tag changqiao1_party_elderly .* outside"):
        load_policy(write(tmp_path, pudong.replace('where: "not tag:残疾人"', 'where: "tag:长桥一居老党员"')), TAGS)


def test_catalogue_level_folder_and_unique_codes(tmp_path: Path) -> None:
    write(tmp_path, GOOD, level="city")
    with pytest.raises(PolicyError, match=r"city/p.yaml: level: 'street' but the file is under policies/city/"):
        load_policies(tmp_path, TAGS)
    (tmp_path / "city" / "p.yaml").unlink()
    write(tmp_path, GOOD, name="a.yaml")
    write(tmp_path, GOOD.replace("name: 测试政策", "name: 另一个"), name="b.yaml")
    with pytest.raises(PolicyError, match=r"b.yaml: code: 'test_policy' is already defined in .*a.yaml"):
        load_policies(tmp_path, TAGS)
    write(tmp_path, GOOD.replace("code: test_policy", "code: other"), name="b.yaml")
    with pytest.raises(PolicyError, match=r"b.yaml: name: '测试政策' is already used"):
        load_policies(tmp_path, TAGS)


@pytest.mark.parametrize(("text", "where", "reason"), [
    ("level: [", "", "not valid YAML"),
    ("- a\n- b\n", "", "one mapping"),
    ("level: city\narea_code: '310000'\ncode: x\nname: x\ndepartment: x\ndescription: x\n", "tags",
     "needs tags or conditions"),
    ("level: city\narea_code: '310100'\ncode: x\nname: x\ndepartment: x\ndescription: x\ntags: {all_of: [低保]}\n",
     "area_code", "the city's area code is 310000"),
])
def test_malformed_files(tmp_path: Path, text: str, where: str, reason: str) -> None:
    path = write(tmp_path, text, level="city")
    with pytest.raises(PolicyError) as info:
        load_policy(path, TAGS)
    assert info.value.file == str(path) and info.value.where == where and reason in info.value.reason, str(info.value)
