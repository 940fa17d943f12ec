"""`shequyun person show`: lookup by key or ID (15-digit converted), masking, provenance, houses, visits, errors.

It reads the analyst database (ID numbers masked to their first 3 characters, found by their keyed token); the raw
thematic database only with the data-bureau role."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from shequyun.analyst.person import PersonLookupError, convert_15_to_18, parse_lookup
from shequyun.privacy.masking import find_id_numbers, mask_id_number, mask_phone


def test_parse_lookup() -> None:
    assert parse_lookup("P55c09b6ac803733").kind == "person_key"
    assert parse_lookup(" 11010519491231002x ").value == "11010519491231002X"   # the standard's example
    assert convert_15_to_18("310108840330008") == "31010819840330008X"          # domain.md §1
    old = parse_lookup("310108840330008")
    assert (old.kind, old.value) == ("id_number", "31010819840330008X")
    with pytest.raises(PersonLookupError, match="check character should be X"):
        parse_lookup("110105194912310021")
    with pytest.raises(PersonLookupError, match="neither a person key"):
        parse_lookup("张三")


@pytest.fixture(scope="module")
def person(full_build) -> dict:
    """A living person with an ID number of the 19xx form, a phone, tags, several houses and visits if any."""
    return full_build.query("""
        select p.person_key, p.id_number, p.phone, p.name
        from marts.dim_person as p
        where p.id_number like '______19%' and p.phone is not null and p.status = 'living'
          and p.person_key in (select person_key from marts.fct_person_tag_current)
        order by (select count(*) from marts.bridge_person_house as b where b.person_key = p.person_key) desc,
                 p.person_key
        limit 1""").to_dicts()[0]


BUREAU = ("--role", "data_bureau_auditor")


def _analyst(build) -> tuple[object, ...]:
    return ("--data-dir", build.data_dir, "--database", build.path)


def test_show_masked_by_default(analyst_build, cli, person) -> None:
    result = cli("person", "show", person["person_key"], *_analyst(analyst_build))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert mask_id_number(person["id_number"], strict=True) in out and person["id_number"] not in out
    assert mask_phone(person["phone"]) in out and person["phone"] not in out
    assert find_id_numbers(out) == []
    assert "WARNING" not in result.stderr
    for section in ("字段来源", "标签", "房屋", "走访"):
        assert section in out


def test_show_unmasked_warns(full_build, cli, person) -> None:
    result = cli("person", "show", person["person_key"], "--database", full_build.duckdb_path, "--unmasked")
    assert result.exit_code == 2 and "--unmasked needs a role" in result.stderr
    result = cli("person", "show", person["person_key"], "--database", full_build.duckdb_path, "--unmasked", *BUREAU)
    assert result.exit_code == 0, result.output
    assert person["id_number"] in result.stdout and person["phone"] in result.stdout
    assert "WARNING: --unmasked" in result.stderr


def test_show_by_id_number_and_old_15_digit_form(analyst_build, cli, person) -> None:
    id18 = person["id_number"]
    id15 = id18[:6] + id18[8:17]
    for given in (id18, id18.lower(), id15):
        result = cli("person", "show", given, *_analyst(analyst_build), "--json")
        assert result.exit_code == 0, (given, result.output)
        report = json.loads(result.stdout)
        assert [p["person"]["person_key"] for p in report["persons"]] == [person["person_key"]]
        assert report["lookup"]["value"] == mask_id_number(id18)


def test_json_provenance_matches_the_marts(full_build, analyst_build, cli, person) -> None:
    key = person["person_key"]
    report = json.loads(cli("person", "show", key, *_analyst(analyst_build), "--json").stdout)
    block = report["persons"][0]
    assert report["masked"] is True
    assert block["person"]["name"] == person["name"]
    tags = full_build.query(f"select tag_code, rule, valid_from, source_record_keys from marts.fct_person_tag_current "
                            f"where person_key = '{key}' order by tag_code").to_dicts()
    got = sorted(block["tags"], key=lambda t: t["tag_code"])
    assert [t["tag_code"] for t in got] == [t["tag_code"] for t in tags] and tags
    assert [t["source_record_keys"] for t in got] == [t["source_record_keys"] for t in tags]
    assert [t["valid_from"] for t in got] == [t["valid_from"].isoformat() if t["valid_from"] else None for t in tags]
    lineage = full_build.query(f"select field, system, rule, record_key from marts.fct_person_field_lineage "
                               f"where person_key = '{key}' order by field").to_dicts()
    assert [{k: r[k] for k in ("field", "system", "rule", "record_key")} for r in block["field_lineage"]] == lineage
    by_field = {r["field"]: r["value"] for r in block["field_lineage"]}
    assert by_field["id_number"] == mask_id_number(person["id_number"], strict=True)
    houses = full_build.query(f"select relation, house_key, valid_from, valid_to from marts.bridge_person_house "
                              f"where person_key = '{key}'")
    assert sorted((h["relation"], h["house_key"]) for h in block["houses"]) == sorted(
        zip(houses["relation"], houses["house_key"], strict=True))
    assert all(h["address"] for h in block["houses"])


def test_visits_latest_first(full_build, analyst_build, cli) -> None:
    row = full_build.query("""
        select person_key, count(*) as n, max(visited_on) as last from marts.fct_visit where person_key is not null
        group by 1 order by n desc, person_key limit 1""").to_dicts()[0]
    report = json.loads(cli("person", "show", row["person_key"], *_analyst(analyst_build), "--json",
                            "--visits", 2).stdout)
    visits = report["persons"][0]["visits"]
    assert visits["available"] and visits["total"] == row["n"]
    assert len(visits["latest"]) == min(2, row["n"]) and visits["latest"][0]["visited_on"] == row["last"].isoformat()
    dates = [v["visited_on"] for v in visits["latest"]]
    assert dates == sorted(dates, reverse=True)


def test_no_visit_table(analyst_build, cli, person, tmp_path) -> None:
    db = tmp_path / "no_visits.duckdb"
    shutil.copy2(analyst_build.path, db)
    with duckdb.connect(str(db)) as con:
        for (name,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' "
                                   "and table_name like 'fct_visit%'").fetchall():
            con.execute(f"drop table marts.{name} cascade")
        con.execute("drop table if exists marts.fct_visit cascade")
    result = cli("person", "show", person["person_key"], "--data-dir", analyst_build.data_dir, "--database", db)
    assert result.exit_code == 0, result.output
    assert "no visit data in this database" in result.stdout


def test_unknown_person(analyst_build, cli) -> None:
    result = cli("person", "show", "P000000000000000", *_analyst(analyst_build))
    assert result.exit_code == 1 and "no person with person key P000000000000000" in result.stderr
    unknown_id = "11010519491231002X"   # valid, not in the city
    result = cli("person", "show", unknown_id, *_analyst(analyst_build))
    assert result.exit_code == 1 and "no person with ID number 110***********002X" in result.stderr
    assert unknown_id not in result.stderr
    result = cli("person", "show", "110105194912310021", *_analyst(analyst_build))
    assert result.exit_code == 1 and "check character should be X" in result.stderr
