"""Staging by configuration (connectors/staging.py): every canonical column gets a kind from the field catalogue or
its YAML, and a bad staging section is an error naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from connectors.config import load_source_config, load_source_configs
from connectors.errors import ConfigError
from connectors.staging import KINDS, field_catalogue, render_model, staging_spec

BASE = {
    "system": "xx_new", "title": "新系统", "department": "civil_affairs", "department_title": "市民政局",
    "format": "csv", "path": "civil_affairs/xx_new/*.csv",
    "columns": {"编号": "case_no", "姓名": "person_name", "身份证号": "id_number", "性别": "sex", "出生日期": "birth_date",
                "补贴": "subsidy"},
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
                     "subsidy": ("decimal", False)}
    assert spec["conflicts"] == {"birth_date": True, "sex": True, "month_precision": False}
    assert spec["model"] == "stg_civil_affairs__new_cases" and spec["primary_key"] == ["case_no"]
    text = render_model(_config(tmp_path))
    assert text.splitlines()[0].startswith("{#- GENERATED from") and "staging_model({" in text


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
