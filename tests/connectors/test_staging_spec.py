"""Staging by configuration (connectors/staging.py): every canonical column gets a kind from the field catalogue or
its YAML, and a bad staging section is an error naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from connectors.config import load_source_config, load_source_configs
from connectors.errors import ConfigError
from connectors.staging import (
    KINDS,
    field_catalogue,
    render_model,
    staging_spec,
    system_spec,
)

BASE = {
    "system": "xx_new", "title": "新系统", "department": "civil_affairs", "department_title": "市民政局",
    "format": "csv", "path": "civil_affairs/xx_new/*.csv",
    "columns": {"编号": "case_no", "姓名": "person_name", "身份证号": "id_number", "性别": "sex", "出生日期": "birth_date",
                "补贴": "subsidy", "住址": "address"},
    "primary_key": ["case_no"],
    "staging": {"model": "stg_civil_affairs__new_cases", "fields": {"subsidy": {"kind": "decimal"}}},
}


def _config(tmp_path: Path, **changes):
    raw = {**BASE, **changes}
    file = tmp_path / "xx_new.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_source_config(file)


def test_kinds_come_from_the_catalogue_and_the_yaml(tmp_path: Path) -> None:
    spec = staging_spec(_config(tmp_path))
    kinds = {f["name"]: (f["kind"], f["raw"]) for f in spec["fields"]}
    assert kinds == {"case_no": ("identifier", False), "person_name": ("person_name", True),
                     "id_number": ("id_number", True), "sex": ("sex", True), "birth_date": ("date", True),
                     "subsidy": ("decimal", False), "address": ("address", True)}
    assert spec["conflicts"] == {"birth_date": True, "sex": True, "month_precision": False}
    assert spec["model"] == "stg_civil_affairs__new_cases" and spec["primary_key"] == ["case_no"]
    text = render_model(_config(tmp_path))
    assert text.splitlines()[0].startswith("{#- GENERATED from") and "staging_model(source_systems()['xx_new'])" in text


def test_every_shipped_column_has_a_kind() -> None:
    for cfg in load_source_configs().values():
        spec = staging_spec(cfg)
        assert [f["column"] for f in spec["fields"]] == cfg.canonical_columns
        assert all(f["kind"] in KINDS for f in spec["fields"])
    assert all(settings["kind"] in KINDS for settings in field_catalogue().values())


@pytest.mark.parametrize(("staging", "key", "message"), [
    ({"fields": {"subsidy": {"kind": "money"}}}, "staging.fields.subsidy", "unknown kind 'money'"),
    ({"fields": {}}, "staging.fields.subsidy", "has no kind"),
    ({"fields": {"subsidy": {"kind": "decimal", "type": "text"}}}, "staging.fields.subsidy.type", "decimal(p, s)"),
    ({"fields": {"subsidy": {"kind": "text", "values": {"a": 1}}}}, "staging.fields.subsidy.values",
     "not an option of kind 'text'"),
    ({"fields": {"subsidy": {"kind": "code_map"}}}, "staging.fields.subsidy.values", "needs values"),
    ({"fields": {"nope": {"kind": "text"}, "subsidy": {"kind": "text"}}}, "staging.fields.nope", "not a canonical name"),
    ({"fields": {"subsidy": {"kind": "text", "name": "person_name"}}}, "staging", "appear twice"),
    ({"fields": {"subsidy": {"kind": "text"}}, "derived": {"x": "1; drop table t"}}, "staging.derived.x", "no ';'"),
    ({"fields": {"subsidy": {"kind": "text"}}, "model": "stg_other__cases"}, "staging.model", "stg_civil_affairs__"),
    ({"fields": {"subsidy": {"kind": "text"}}, "row_key": "nope"}, "staging.row_key", "not a canonical name"),
    ({"fields": {"subsidy": {"kind": "text"}}, "colour": "red"}, "staging.colour", "unknown key"),
])
def test_bad_staging_sections_name_the_file_and_key(tmp_path: Path, staging: dict, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        staging_spec(_config(tmp_path, staging=staging))
    assert caught.value.key == key and message in str(caught.value)
    assert "xx_new.yaml" in str(caught.value)


def test_resolution_defaults(tmp_path: Path) -> None:
    """A system that stages a name or an ID names its subject; address is a residence, hukou_address a 户籍 address
    that names the record's house only when there is no other address; no record date unless declared."""
    cfg = _config(tmp_path, columns={**BASE["columns"], "户籍地址": "hukou_address"})
    resolution = system_spec(cfg)["resolution"]
    (subject,) = resolution["persons"]
    assert subject["role"] == "subject" and subject["when"] == ""
    assert [c for c, _ in subject["columns"]] == ["person_name", "id_number", "id_valid", "id_birth_date", "id_sex",
                                                 "id_form", "birth_date", "sex", "address", "hukou_address",
                                                 "birth_date_conflicts_id", "sex_conflicts_id"]
    assert [(a["column"], a["role"], a["names_house"], a["person"]) for a in resolution["addresses"]] == [
        ("address", "residence", True, "subject"), ("hukou_address", "hukou", False, "subject")]
    assert resolution["recorded_on"] == ""


def test_resolution_roles_as_data(tmp_path: Path) -> None:
    columns = {**BASE["columns"], "户主姓名": "head_name", "户主身份证号": "head_id_number"}
    cfg = _config(tmp_path, columns=columns, resolution={
        "persons": [{"role": "subject"}, {"role": "head", "prefix": "head_", "when": "head_name is not null",
                                          "carry": ["address"]}],
        "addresses": [{"column": "address", "role": "visit", "committee": "case_no"}],
        "recorded_on": "coalesce(birth_date, current_date)"})
    resolution = system_spec(cfg)["resolution"]
    head = resolution["persons"][1]
    assert head["columns"] == [["person_name", "head_name"], ["id_number", "head_id_number"], ["id_valid", "head_id_valid"],
                               ["id_birth_date", "head_id_birth_date"], ["id_sex", "head_id_sex"],
                               ["id_form", "head_id_form"], ["address", "address"]]
    assert head["when"] == "head_name is not null"
    assert resolution["addresses"] == [{"column": "address", "role": "visit", "names_house": True,
                                        "committee": "case_no", "person": "subject"}]
    assert resolution["recorded_on"] == "coalesce(birth_date, current_date)"


@pytest.mark.parametrize(("resolution", "key", "message"), [
    ({"persons": [{"role": "lodger"}]}, "resolution.persons[0]", "expected {role"),
    ({"persons": [{"role": "subject", "id": "maybe"}]}, "resolution.persons[0].id", "expected key"),
    ({"persons": [{"role": "head", "prefix": "nobody_"}]}, "resolution.persons[0]", "neither a name nor an ID"),
    ({"persons": [{"role": "subject", "carry": ["subsidy"]}]}, "resolution.persons[0].carry", "not a staged identity"),
    ({"persons": [{"role": "subject"}, {"role": "subject"}]}, "resolution.persons", "appears twice"),
    ({"addresses": [{"column": "no_such", "role": "residence"}]}, "resolution.addresses[0]", "a staged column"),
    ({"addresses": [{"column": "address", "role": "residence", "person": "owner"}]},
     "resolution.addresses[0].person", "not one of the system's person roles"),
    ({"recorded_on": "start_date; drop table x"}, "resolution.recorded_on", "no ';'"),
    ({"owners": []}, "resolution.owners", "unknown key"),
    ({"visits": {"visitor_name": "person_name"}}, "resolution.visits.visited_on", "missing"),
    ({"visits": {"visited_on": "birth_date", "mood": "x"}}, "resolution.visits", "keys among"),
    ({"persons": [], "visits": {"visited_on": "birth_date"}}, "resolution.visits", "names no subject"),
    ({"facts": {"group": "Bad Name", "aggregates": {"x": "min(birth_date)"}}}, "resolution.facts.group", "identifier"),
    ({"facts": {"group": "cases"}}, "resolution.facts.aggregates", "expected a mapping"),
    ({"facts": {"group": "cases", "aggregates": {"x": "min(a); drop table t"}}}, "resolution.facts.aggregates.x",
     "no ';'"),
    ({"persons": [], "facts": {"group": "cases", "aggregates": {"x": "min(birth_date)"}}}, "resolution.facts",
     "names no subject"),
    ({"register": {"status": {"column": "sex", "values": {"1": "alive"}}}}, "resolution.register.status", "living"),
    ({"register": {"status": {"column": "sex", "values": {"1": "living"}}}}, "resolution.register.status_changed_on",
     "missing"),
    ({"recorded_on": "birth_date", "register": {"status": {"column": "sex", "values": {"1": "living"}},
                                                "status_changed_on": "birth_date", "recorded_on": "birth_date",
                                                "population_type": "'户籍'", "period_start": "birth_date"}},
     "resolution.recorded_on", "register.recorded_on"),
])
def test_bad_resolution_sections_name_the_file_and_key(tmp_path: Path, resolution: dict, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        system_spec(_config(tmp_path, resolution=resolution))
    assert caught.value.key == key and message in str(caught.value)


def test_facts_as_data(tmp_path: Path) -> None:
    cfg = _config(tmp_path, resolution={"facts": {
        "group": "cases", "flag": "has_case", "where": "subsidy is not null",
        "aggregates": {"case_since": "min(birth_date)"}, "derived": {"case_old": "case_since < earliest_date()"}}})
    assert system_spec(cfg)["resolution"]["facts"] == {
        "group": "cases", "flag": "has_case", "where": "subsidy is not null",
        "aggregates": [["case_since", "min(birth_date)"]], "derived": [["case_old", "case_since < earliest_date()"]]}


def test_a_visit_log_as_data(tmp_path: Path) -> None:
    cfg = _config(tmp_path, resolution={"visits": {"visited_on": "birth_date", "committee_code": "substr(case_no, 1, 12)"}})
    visits = system_spec(cfg)["resolution"]["visits"]
    assert visits["visited_on"] == "birth_date" and visits["committee_code"] == "substr(case_no, 1, 12)"
    assert visits["visitor_name"] == "" and len(visits) == 9


def test_a_computed_field_is_staged_by_its_kind(tmp_path: Path) -> None:
    # a roster with no ID column: the holder's ID is the first 18 characters of the certificate number
    columns = {k: v for k, v in BASE["columns"].items() if v != "id_number"} | {"证号": "cert_no"}
    staging = {"model": "stg_civil_affairs__new_cases",
               "fields": {"subsidy": {"kind": "decimal"}, "cert_no": {"kind": "identifier"},
                          "id_number": {"kind": "id_number", "from": "substr(cert_no, 1, 18)"}}}
    spec = staging_spec(_config(tmp_path, columns=columns, staging=staging))
    field = next(f for f in spec["fields"] if f["name"] == "id_number")
    assert field["kind"] == "id_number" and field["source_expr"] == "(substr(cert_no, 1, 18))"
    assert spec["conflicts"]["birth_date"]       # a computed ID is checked against the stated birth date too
    assert "source_expr" not in next(f for f in spec["fields"] if f["name"] == "cert_no")
    # the person role finds it like a delivered ID
    roles = system_spec(_config(tmp_path, columns=columns, staging=staging))["resolution"]["persons"]
    assert dict(roles[0]["columns"])["id_number"] == "id_number"


@pytest.mark.parametrize(("fields", "key", "message"), [
    ({"person_name": {"from": "upper(person_name)"}}, "staging.fields.person_name.from", "is delivered"),
    ({"extra": {"kind": "text"}}, "staging.fields.extra", "computed field needs from"),
    ({"extra": {"kind": "text", "from": "a; drop table x"}}, "staging.fields.extra.from", "no ';'"),
])
def test_bad_computed_fields_name_the_key(tmp_path: Path, fields: dict, key: str, message: str) -> None:
    staging = {"model": "stg_civil_affairs__new_cases", "fields": {"subsidy": {"kind": "decimal"}, **fields}}
    with pytest.raises(ConfigError, match=message) as err:
        staging_spec(_config(tmp_path, staging=staging))
    assert key in str(err.value)


def test_a_role_whose_id_numbers_are_evidence_only(tmp_path: Path) -> None:
    roles = system_spec(_config(tmp_path, resolution={"persons": [{"role": "subject", "id": "evidence"}]}))
    assert roles["resolution"]["persons"][0]["id_evidence_only"] is True
    default = system_spec(_config(tmp_path))["resolution"]["persons"][0]
    assert "id_evidence_only" not in default          # keys by default: the shipped registry is unchanged
