"""`shequyun tags list`: the catalogue with owning areas and the persons each tag holds now."""

from __future__ import annotations

import json

from shequyun.tags.catalogue import load_catalogue


def test_tags_list_counts_persons_per_tag(full_build, cli) -> None:
    result = cli("tags", "list", "--database", full_build.duckdb_path, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    catalogue = load_catalogue()
    assert [r["code"] for r in rows] == [t.code for t in catalogue]
    counts = dict(full_build.query(
        "select tag_code, count(distinct person_key) as n from marts.fct_person_tag_current group by 1").iter_rows())
    assert {r["code"]: r["persons"] for r in rows} == {t.code: counts.get(t.code, 0) for t in catalogue}
    assert any(r["persons"] for r in rows)
    by_code = {r["code"]: r for r in rows}
    assert by_code["elderly_80"]["area_name"] == "上海市" and by_code["elderly_80"]["level"] == "city"
    assert by_code["elderly_80"]["rule"] == "status == 'living' and age >= 80"


def test_tags_list_filters(full_build, cli) -> None:
    street = cli("tags", "list", "--database", full_build.duckdb_path, "--json", "--level", "street")
    assert {r["level"] for r in json.loads(street.stdout)} == {"street"}
    # the tags that can apply in 长桥街道: the city's, 徐汇区's, the street's and its committees'; no other area's
    area = json.loads(cli("tags", "list", "--database", full_build.duckdb_path, "--json", "--area", "310104010").stdout)
    codes = {r["code"] for r in area}
    want = {t.code for t in load_catalogue() if t.area_code == "310000" or "310104010".startswith(t.area_code)
            or t.area_code.startswith("310104010")}
    assert codes == want and "changqiao_family_doctor_elderly" in codes
    text = cli("tags", "list", "--database", full_build.duckdb_path, "--level", "district")
    assert text.exit_code == 0 and "| code" in text.stdout and "persons" in text.stdout
    bad = cli("tags", "list", "--area", "31x")
    assert bad.exit_code == 2 and "not a 6/9/12-digit area code" in bad.stderr


def test_tags_list_without_database(tmp_path, cli) -> None:
    result = cli("tags", "list", "--data-dir", tmp_path)
    assert result.exit_code == 0, result.output
    assert "persons not counted" in result.stdout and "| persons" not in result.stdout
    rows = json.loads(cli("tags", "list", "--data-dir", tmp_path, "--json").stdout)
    assert rows and all(r["persons"] is None for r in rows)
