"""The ledger catalogue: parsed from dbt YAML, validated with errors that name the file, model and column."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from exports_fixture_db import FIXTURE_PROJECT

from exports.catalogue import (
    LEDGERS_FOLDER,
    CatalogueError,
    load_ledgers,
    select_ledgers,
)


def test_fixture_ledgers_parsed() -> None:
    ledgers = load_ledgers(FIXTURE_PROJECT)
    assert [led.model for led in ledgers] == ["rpt_ledger__elderly_test", "rpt_ledger__population_counts_test"]
    elderly, counts = ledgers
    assert (elderly.title, elderly.filed_by, elderly.frequency, elderly.scope) == ("高龄老人名册", "居委会", "monthly",
                                                                                  "committee")
    assert elderly.name == "elderly_test" and elderly.relation == "reports.rpt_ledger__elderly_test"
    assert elderly.yaml_path and elderly.yaml_path.name == "rpt_ledger__elderly_test.yml"
    by_name = {c.name: c for c in elderly.columns}
    assert by_name["id_number"].pii == "id_number" and by_name["id_number"].header == "身份证号"
    assert by_name["phone"].pii == "phone"
    assert by_name["person_key"].export is False
    assert "person_key" not in [c.name for c in elderly.exported_columns]
    assert elderly.row_kind == "person"
    # meta at the top level of the model (not under config:) is read as well
    assert (counts.scope, counts.title, counts.row_kind) == ("rollup", "实有人口统计表", "other")


def _model(**ledger: object) -> dict:
    return {
        "name": "rpt_ledger__broken",
        "config": {"meta": {"ledger": ledger}},
        "columns": [{"name": c, "meta": {"header": c.upper()}} for c in ("district_code", "street_code",
                                                                          "committee_code", "person_key")],
    }


def _project(tmp_path: Path, *models: dict, name: str = "rpt_ledger__broken.yml") -> Path:
    folder = tmp_path / LEDGERS_FOLDER / "group"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(yaml.safe_dump({"version": 2, "models": list(models)}, allow_unicode=True),
                               encoding="utf-8")
    return tmp_path


GOOD = {"title": "测试台账", "filed_by": "居委会", "frequency": "monthly", "scope": "committee"}


@pytest.mark.parametrize("missing", ["title", "frequency", "scope"])
def test_ledger_without_required_key(tmp_path: Path, missing: str) -> None:
    spec = {k: v for k, v in GOOD.items() if k != missing}
    project = _project(tmp_path, _model(**spec))
    with pytest.raises(CatalogueError) as err:
        load_ledgers(project)
    message = str(err.value)
    assert "rpt_ledger__broken.yml" in message and "rpt_ledger__broken" in message and missing in message


def test_ledger_without_meta_ledger(tmp_path: Path) -> None:
    model = _model(**GOOD)
    model["config"] = {"contract": {"enforced": True}}
    with pytest.raises(CatalogueError, match=r"rpt_ledger__broken\.yml: model rpt_ledger__broken: no meta\.ledger"):
        load_ledgers(_project(tmp_path, model))


def test_column_without_header(tmp_path: Path) -> None:
    model = _model(**GOOD)
    model["columns"].append({"name": "id_number", "meta": {"pii": "id_number"}})
    with pytest.raises(CatalogueError) as err:
        load_ledgers(_project(tmp_path, model))
    assert "rpt_ledger__broken.yml: model rpt_ledger__broken, column id_number: no meta.header" in str(err.value)


@pytest.mark.parametrize(("change", "expected"), [
    ({"frequency": "daily"}, "frequency 'daily' is not one of"),
    ({"scope": "street"}, "scope 'street' is not one of"),
    ({"scope": "rollup"}, "scope rollup needs column(s) level"),
    ({"order_by": ["person_key", "age"]}, "meta.ledger.order_by names unknown column(s) age"),
    ({"order_by": "person_key"}, "meta.ledger.order_by must be a list of column names"),
])
def test_bad_ledger_values(tmp_path: Path, change: dict, expected: str) -> None:
    with pytest.raises(CatalogueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_ledgers(_project(tmp_path, _model(**{**GOOD, **change})))


def test_bad_column_meta(tmp_path: Path) -> None:
    model = _model(**GOOD)
    model["columns"].append({"name": "mail", "meta": {"header": "邮箱", "pii": "email"}})
    with pytest.raises(CatalogueError, match="column mail: meta.pii 'email' is not one of id_number, phone, account"):
        load_ledgers(_project(tmp_path, model))
    model["columns"][-1] = {"name": "mail", "config": {"meta": {"header": "邮箱", "export": "no"}}}
    with pytest.raises(CatalogueError, match="column mail: meta.export must be true or false"):
        load_ledgers(_project(tmp_path, model))


def test_ledger_without_area_columns(tmp_path: Path) -> None:
    model = _model(**GOOD)
    model["columns"] = [c for c in model["columns"] if c["name"] != "committee_code"]
    with pytest.raises(CatalogueError, match="needs column.s. committee_code"):
        load_ledgers(_project(tmp_path, model))


def test_same_model_in_two_files(tmp_path: Path) -> None:
    _project(tmp_path, _model(**GOOD), name="a.yml")
    project = _project(tmp_path, _model(**GOOD), name="b.yml")
    with pytest.raises(CatalogueError, match=r"b\.yml: model rpt_ledger__broken is already defined in .*a\.yml"):
        load_ledgers(project)


def test_two_ledgers_with_one_title(tmp_path: Path) -> None:
    other = {**_model(**GOOD), "name": "rpt_ledger__other"}
    with pytest.raises(CatalogueError, match="title '测试台账' is already the title of rpt_ledger__broken"):
        load_ledgers(_project(tmp_path, _model(**GOOD), other))


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / LEDGERS_FOLDER
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text("models: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"bad\.yml: not valid YAML"):
        load_ledgers(tmp_path)


def test_models_that_are_not_ledgers_are_ignored(tmp_path: Path) -> None:
    helper = {"name": "int_ledger_person_base", "columns": [{"name": "person_key"}]}
    ledgers = load_ledgers(_project(tmp_path, helper, _model(**GOOD)))
    assert [led.model for led in ledgers] == ["rpt_ledger__broken"]


def test_select_ledgers() -> None:
    ledgers = load_ledgers(FIXTURE_PROJECT)
    assert [led.name for led in select_ledgers(ledgers, ["elderly_test"])] == ["elderly_test"]
    assert [led.name for led in select_ledgers(ledgers, ["rpt_ledger__population_counts_test"])] == [
        "population_counts_test"]
    assert select_ledgers(ledgers, frequency="annual") == []
    with pytest.raises(CatalogueError, match="unknown ledger.s. nope; known: elderly_test, population_counts_test"):
        select_ledgers(ledgers, ["nope"])
    with pytest.raises(CatalogueError, match="unknown frequency 'daily'"):
        select_ledgers(ledgers, frequency="daily")


def test_project_ledgers_are_valid() -> None:
    """The ledgers of dbt_project/ (written by the ledger owners) pass the catalogue's validation."""
    ledgers = load_ledgers()
    assert ledgers, "no ledger under dbt_project/models/reports/ledgers"
    for ledger in ledgers:
        assert ledger.model.startswith("rpt_ledger__")
        assert {"district_code", "street_code", "committee_code"} <= set(ledger.column_names), ledger.model
        assert all(c.header for c in ledger.columns), ledger.model


def test_department_rosters_are_skipped_where_their_system_is_not_configured() -> None:
    from exports.catalogue import built_ledgers, configured_staging_models, load_ledgers
    from exports.package import ExportSummary

    ledgers = load_ledgers()
    requires = {led.name: led.requires for led in ledgers if led.requires}
    assert requires["dibao_households"] == "stg_civil_affairs__dibao_members"
    assert "hukou_roster" not in requires and "elderly_80_plus" not in requires   # shared ledgers are always built
    # the shipped systems build every ledger
    assert built_ledgers(ledgers, configured_staging_models())[1] == {}
    built, skipped = built_ledgers(ledgers, {"stg_civil_affairs__dibao_members"})
    assert "dibao_households" in {led.name for led in built} and "veterans" in skipped
    assert set(skipped) == {name for name, model in requires.items() if model != "stg_civil_affairs__dibao_members"}
    summary = ExportSummary(packages=[], seconds=0.0, skipped={"veterans": skipped["veterans"]})
    assert "skipped veterans: not built: its department's staging model stg_veterans_affairs__veterans" in summary.render()
