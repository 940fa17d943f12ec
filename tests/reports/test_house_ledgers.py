"""The house, visit and summary ledgers (dbt_project/models/reports/ledgers/{houses,visits,summaries}): the YAML
contract each keeps (meta.ledger, a Chinese header and a data_type per column, pii marks, keys not exported), each
house row in the committee of its house, the 自住 / 出租 / 空置 rule of 房屋基本情况表 applied consistently by the
ledgers built on it, and the occupancy against the generator's truth on the small test city (resolved houses mapped
to true houses through truth/source_records, as shequyun/evaluation/houses.py does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from exports.catalogue import load_ledgers
from shequyun.core.settings import PROJECT_ROOT

LEDGERS_DIR = PROJECT_ROOT / "dbt_project" / "models" / "reports" / "ledgers"
GROUPS = ("houses", "visits", "summaries")
HAN = re.compile(r"[\u4e00-\u9fff]")

# the 26 ledgers of this part, with their frequency and scope
EXPECTED = {
    "houses": {name: ("monthly", "committee") for name in (
        "house_basics", "rented_houses", "vacant_houses", "owner_occupied_houses", "public_rental_houses",
        "resettlement_houses", "self_built_houses", "crowded_houses", "compounds", "buildings")},
    "visits": {"visit_summary": ("monthly", "committee"), "visit_log": ("weekly", "committee"),
               "visits_overdue": ("weekly", "committee"), "visits_repeated": ("weekly", "committee"),
               "elderly_living_alone": ("monthly", "committee"), "key_care": ("monthly", "committee")},
    "summaries": {**{name: ("monthly", "rollup") for name in (
        "population_monthly_stats", "street_summary", "district_summary", "tag_statistics", "elderly_stats",
        "social_assistance_stats", "disability_stats", "party_stats", "house_usage_stats")},
        "committee_basics": ("monthly", "committee")},
}
OCCUPANCY = ("自住", "出租", "空置")


def _yaml_models(group: str) -> dict[str, tuple[Path, dict]]:
    models = {}
    for path in sorted((LEDGERS_DIR / group).glob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            models[model["name"]] = (path, model)
    return models


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


# ---------------------------------------------------------------------------- contract (no database)
@pytest.mark.parametrize("group", GROUPS)
def test_every_ledger_of_the_group_is_there_with_sql_and_yaml(group: str) -> None:
    models = _yaml_models(group)
    expected = {f"rpt_ledger__{name}" for name in EXPECTED[group]}
    assert expected <= set(models), sorted(expected - set(models))
    for name, (path, _) in models.items():
        assert path.stem == name, f"{path}: one YAML per model, named after it"
        assert path.with_suffix(".sql").is_file(), f"{name}: no SQL beside {path}"


@pytest.mark.parametrize("group", GROUPS)
def test_contract_meta_of_every_column(group: str) -> None:
    for name, (path, model) in _yaml_models(group).items():
        where = f"{path.name}: {name}"
        config = model.get("config") or {}
        assert config.get("contract") == {"enforced": True}, f"{where}: contract not enforced"
        ledger = _meta(model)["ledger"]
        short = name.removeprefix("rpt_ledger__")
        assert (ledger["frequency"], ledger["scope"]) == EXPECTED[group][short], where
        assert HAN.search(ledger["title"]) and HAN.search(ledger["filed_by"]), where
        description = model["description"]
        assert HAN.search(description) and ledger["title"] in description, f"{where}: description names the ledger"
        assert re.search("每月|每周|按月|按周", description), f"{where}: description says how often it is filed"
        assert any(word in description for word in ("居委", "村委", "街道")), f"{where}: description says who files it"
        columns = {c["name"]: c for c in model["columns"]}
        for column in model["columns"]:
            meta = _meta(column)
            assert column.get("data_type"), f"{where}.{column['name']}: no data_type"
            assert HAN.search(meta.get("header", "")), f"{where}.{column['name']}: no Chinese meta.header"
            assert HAN.search(column.get("description", "")), f"{where}.{column['name']}: no Chinese description"
            if column["name"].endswith("id_number"):
                assert meta.get("pii") == "id_number", f"{where}.{column['name']}: ID number not marked pii"
            if column["name"].endswith("phone") and column["name"] != "office_phone":
                assert meta.get("pii") == "phone", f"{where}.{column['name']}: phone not marked pii"
            if column["name"].endswith("_key"):
                assert meta.get("export") is False, f"{where}.{column['name']}: internal key exported"
        for area in ("district_code", "street_code", "committee_code"):
            assert area in columns, f"{where}: no {area}"
        if ledger["scope"] == "rollup":
            assert "level" in columns, f"{where}: a roll-up needs level"
            tests = [next(iter(t)) if isinstance(t, dict) else t for t in model.get("data_tests", [])]
            assert "rollup_reconciles" in tests, f"{where}: roll-up without the rollup_reconciles test"
        else:
            tests = [t for t in model.get("data_tests", []) if isinstance(t, dict) and "ledger_grain" in t]
            assert tests, f"{where}: no grain test"
            not_null = columns["committee_code"].get("data_tests", [])
            assert "not_null" in not_null, f"{where}: committee_code may be null in a committee ledger"


def test_the_export_catalogue_reads_them() -> None:
    ledgers = {led.name: led for led in load_ledgers()}
    for group, names in EXPECTED.items():
        for name, (frequency, scope) in names.items():
            assert name in ledgers, f"{group}/{name} not in the export catalogue"
            assert (ledgers[name].frequency, ledgers[name].scope) == (frequency, scope)
    assert ledgers["house_basics"].row_kind == "house"
    assert ledgers["elderly_living_alone"].row_kind == "person"
    masked = {c.name: c.pii for c in ledgers["rented_houses"].columns if c.pii}
    assert masked == {"owner_phone": "phone", "tenant_id_number": "id_number", "tenant_phone": "phone"}


# ---------------------------------------------------------------------------- built ledgers
@pytest.fixture(scope="module")
def build(full_build):
    return full_build


def _house_ledgers() -> list[str]:
    names = []
    for group in GROUPS:
        for name, (_, model) in _yaml_models(group).items():
            if any(c["name"] == "house_key" for c in model["columns"]):
                names.append(name)
    return names


@pytest.mark.parametrize("ledger", _house_ledgers())
def test_house_rows_are_in_the_committee_of_their_house(build, ledger: str) -> None:
    wrong = build.query(f"""
        select l.house_key, l.committee_code, h.committee_code as house_committee
        from reports.{ledger} l
        join marts.dim_house h using (house_key)
        where h.committee_code is not null
          and (l.committee_code is distinct from h.committee_code
               or l.street_code is distinct from h.street_code
               or l.district_code is distinct from h.district_code)
    """)
    assert wrong.is_empty(), wrong.head(5)


def test_house_basics_has_every_placed_house_once(build) -> None:
    counts = build.query("""
        select
            (select count(*) from marts.dim_house where committee_code is not null) as placed,
            (select count(*) from reports.rpt_ledger__house_basics) as rows,
            (select count(distinct house_key) from reports.rpt_ledger__house_basics) as houses
    """).row(0, named=True)
    assert counts["placed"] > 100
    assert counts["rows"] == counts["houses"] == counts["placed"]


def test_occupancy_rule_holds_row_by_row(build) -> None:
    """Recomputed from dim_person / dim_house, independently of the model's SQL."""
    wrong = build.query("""
        with residents as (
            select residence_house_key as house_key, count(*) as n,
                   count(*) filter (where population_type = '户籍') as hukou_type,
                   list(person_key) as keys
            from marts.dim_person where status = 'living' and residence_house_key is not null
            group by 1
        ),
        expected as (
            select h.house_key,
                   case when coalesce(r.n, 0) = 0 then '空置'
                        when h.certificate_no is not null and list_contains(r.keys, h.owner_person_key) then '自住'
                        when h.certificate_no is not null then '出租'
                        when r.hukou_type > 0 then '自住' else '出租' end as occupancy,
                   coalesce(r.n, 0) as resident_count
            from marts.dim_house h left join residents r using (house_key)
            where h.committee_code is not null
        )
        select * from expected e join reports.rpt_ledger__house_basics b using (house_key)
        where e.occupancy <> b.occupancy or e.resident_count <> b.resident_count
    """)
    assert wrong.is_empty(), wrong.head(5)


def test_ledgers_built_on_house_basics_select_by_its_columns(build) -> None:
    q = build.query("""
        select
            (select count(*) from reports.rpt_ledger__house_basics where occupancy = '空置') as vacant,
            (select count(*) from reports.rpt_ledger__vacant_houses) as vacant_rows,
            (select count(*) from reports.rpt_ledger__house_basics where occupancy = '自住') as owned,
            (select count(*) from reports.rpt_ledger__owner_occupied_houses) as owned_rows,
            (select count(*) from reports.rpt_ledger__house_basics where occupancy = '出租') as rented,
            (select count(distinct house_key) from reports.rpt_ledger__rented_houses) as rented_houses,
            (select sum(resident_count) from reports.rpt_ledger__house_basics where occupancy = '出租') as tenants,
            (select count(*) from reports.rpt_ledger__rented_houses) as tenant_rows,
            (select count(*) from reports.rpt_ledger__house_basics where house_type = '无产权登记') as untitled,
            (select count(*) from reports.rpt_ledger__public_rental_houses) as untitled_rows,
            (select count(*) from reports.rpt_ledger__house_basics where house_type = '动迁安置房') as resettled,
            (select count(*) from reports.rpt_ledger__resettlement_houses) as resettled_rows,
            (select count(*) from reports.rpt_ledger__house_basics where house_type = '农民自建房') as self_built,
            (select count(*) from reports.rpt_ledger__self_built_houses) as self_built_rows
    """).row(0, named=True)
    for key in ("vacant", "owned", "rented", "untitled", "resettled", "self_built"):
        assert q[key] > 0, key
    assert q["vacant"] == q["vacant_rows"] and q["owned"] == q["owned_rows"]
    assert q["rented"] == q["rented_houses"] and q["tenants"] == q["tenant_rows"]
    assert q["untitled"] == q["untitled_rows"] and q["resettled"] == q["resettled_rows"]
    assert q["self_built"] == q["self_built_rows"]


def test_tenants_are_living_residents_and_not_the_owner(build) -> None:
    wrong = build.query("""
        select r.house_key, r.person_key
        from reports.rpt_ledger__rented_houses r
        left join marts.dim_person p on p.person_key = r.person_key
        where p.status <> 'living' or p.residence_house_key <> r.house_key
           or r.person_key = r.owner_person_key
    """)
    assert wrong.is_empty(), wrong.head(5)


def test_crowded_houses_are_exactly_those_over_the_threshold(build) -> None:
    q = build.query("""
        select
            (select count(*) from reports.rpt_ledger__house_basics where resident_count >= 6) as expected,
            (select count(*) from reports.rpt_ledger__crowded_houses) as rows,
            (select count(*) from reports.rpt_ledger__crowded_houses where resident_count < 6) as below
    """).row(0, named=True)
    assert q["rows"] == q["expected"] and q["below"] == 0


def test_compound_and_building_counts_add_up_to_the_houses_in_the_register(build) -> None:
    q = build.query("""
        select
            (select count(*) from reports.rpt_ledger__house_basics where building_code is not null) as houses,
            (select sum(house_count) from reports.rpt_ledger__compounds) as compound_houses,
            (select sum(house_count) from reports.rpt_ledger__buildings) as building_houses,
            (select sum(building_count) from reports.rpt_ledger__compounds) as buildings,
            (select count(*) from reports.rpt_ledger__buildings) as building_rows
    """).row(0, named=True)
    assert q["houses"] > 0
    assert q["compound_houses"] == q["building_houses"] == q["houses"]
    assert q["buildings"] == q["building_rows"]


def test_care_rosters_list_exactly_the_tagged_residents(build) -> None:
    for ledger, tag in (("rpt_ledger__elderly_living_alone", "elderly_living_alone"), ("rpt_ledger__key_care", "key_care")):
        diff = build.query(f"""
            (select person_key from marts.fct_person_tag_current t join marts.dim_person_profile p using (person_key)
             where tag_code = '{tag}' and p.committee_code is not null
             except select person_key from reports.{ledger})
            union all
            (select person_key from reports.{ledger}
             except select person_key from marts.fct_person_tag_current where tag_code = '{tag}')
        """)
        assert diff.is_empty(), (ledger, diff.head(5))
        n = build.query(f"select count(*) as n, count(last_visited_on) as visited from reports.{ledger}").row(0, named=True)
        assert n["n"] > 0 and n["visited"] > 0, ledger


# ---------------------------------------------------------------------------- against the truth
_TRUTH_OCCUPANCY_SQL = """
with truth_records as (
    select system || ':' || source || ':' || row_key as record_key, house_id
    from read_parquet('{truth}/source_records.parquet') where house_id is not null
),
predicted as (
    select record_key, house_key from intermediate.int_house_records_resolved where names_record_house
),
votes as (
    select p.house_key, t.house_id, count(*) as n
    from predicted p join truth_records t using (record_key)
    group by all
),
mapping as (
    select house_key, house_id from votes
    qualify row_number() over (partition by house_key order by n desc, house_id) = 1
)
select b.house_key, b.occupancy as predicted, h.occupancy as truth
from reports.rpt_ledger__house_basics b
join mapping m using (house_key)
join read_parquet('{truth}/houses.parquet') h using (house_id)
"""


@pytest.fixture(scope="module")
def occupancy(build):
    return build.query(_TRUTH_OCCUPANCY_SQL.format(truth=build.paths.truth.as_posix()))


def test_occupancy_agrees_with_truth(occupancy) -> None:
    total = occupancy.height
    assert total > 500
    agree = occupancy.filter(occupancy["predicted"] == occupancy["truth"]).height
    figures = {"houses": total, "agreement": round(agree / total, 4)}
    for label in OCCUPANCY:
        pred = occupancy.filter(occupancy["predicted"] == label)
        true = occupancy.filter(occupancy["truth"] == label)
        both = pred.filter(pred["truth"] == label).height
        figures[label] = {"predicted": pred.height, "true": true.height,
                          "precision": round(both / pred.height, 4), "recall": round(both / true.height, 4)}
    print(figures)
    assert figures["agreement"] >= 0.95, figures
    for label in ("出租", "空置"):
        assert figures[label]["precision"] >= 0.9 and figures[label]["recall"] >= 0.9, (label, figures[label])
        # the ledger's count of vacant / rented houses is within 5% of the true count
        assert abs(figures[label]["predicted"] - figures[label]["true"]) <= 0.05 * figures[label]["true"], figures[label]
