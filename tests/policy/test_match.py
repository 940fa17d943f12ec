"""Policies matched on the small generated city (full_build): against the generator's truth, per-committee counts,
area scoping, masking in the written list, read-only access, and the CLI."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from shequyun.cli import main
from shequyun.policy.catalogue import (
    CATALOGUE_DIR,
    TagIndex,
    find_policy,
    load_policies,
)
from shequyun.policy.evaluate import Candidate, evaluate_conditions, evaluate_policies
from shequyun.policy.expression import All, FieldTest, parse_expression
from shequyun.policy.match import COLUMNS, match
from shequyun.policy.output import write_match
from shequyun.privacy.masking import find_id_numbers
from shequyun.tags.catalogue import load_catalogue

TAGS = TagIndex(load_catalogue())
NAMES = {code: tag.name for code, tag in TAGS.by_code.items()}
# a policy limited by an inexact tag (residence survivorship: 人户分离, 独居老人, 纯老家庭, 重点关爱) must still be close
FLOOR = 0.8
MASKED_ID = re.compile(r"^[0-9]{3}\*+[0-9Xx]{4}$")
MASKED_PHONE = re.compile(r"^[0-9]{3}\*{4}[0-9]{4}$")


@pytest.fixture(scope="module")
def build(full_build):
    return full_build


@pytest.fixture(scope="module")
def policies():
    return load_policies(CATALOGUE_DIR, TAGS)


@pytest.fixture(scope="module")
def figures(build, policies):
    return evaluate_policies(build.duckdb_path, build.paths.truth, policies, NAMES)


def test_policies_match_truth(figures) -> None:
    print("\n" + "\n".join(f"{f.code}: eligible {f.eligible} truth {f.truth} P {f.precision} R {f.recall} "
                           f"limited by {f.limiting_tags}" for f in figures))
    exact = [f for f in figures if not f.limiting_tags]
    assert len(exact) >= 5
    for f in figures:
        assert f.precision is not None, f      # every shipped policy's tags have a truth
        if f.limiting_tags:
            assert f.precision >= FLOOR and f.recall >= FLOOR, f
        else:                                  # exact tags: every eligible person, and no one else
            assert f.fp == 0 and f.fn == 0, f
            assert f.eligible == f.truth == f.tp, f
    # the city is big enough for the comparison to mean something
    assert sum(f.truth > 0 for f in exact) >= 4 and sum(f.truth for f in exact) > 50


@pytest.mark.parametrize("text", [
    "tag:低保,特困,低收入 and sex:女",
    "tag:80岁以上 and not tag:家庭医生签约 and population_type:户籍",
    "age>=60 and age<70 and tag:残疾人 and (district:310115 or district:310104)",
    "tag:退役军人 or tag:正式党员 and age>=70",
    "tag:失业登记 and residence:实住 and not committee:310115015001",
    "tag:80岁以上 and residence:人户一致",           # residence status: as good as the 人户分离 tag
])
def test_adhoc_conditions_match_truth(build, text: str) -> None:
    node = parse_expression(text, TAGS.code_of)
    [f] = evaluate_conditions(build.duckdb_path, build.paths.truth, [Candidate("adhoc", text, node)], NAMES)
    assert f.truth > 0, f
    if "residence:人户" in text:
        assert f.limiting_tags == ["residence (as hukou_separated)"] or not f.limiting_tags, f
        assert f.precision >= FLOOR and f.recall >= FLOOR, f
    else:
        assert not f.limiting_tags and f.fp == 0 and f.fn == 0, f


def test_counts_per_committee_sum_to_the_total(build, policies) -> None:
    for policy in policies:
        result = match(build.duckdb_path, policy.condition, policy=policy, tag_names=NAMES)
        counts = result.counts()
        assert counts["persons"].sum() == result.total == result.persons.height, policy.code
        assert counts.select(["committee_code"]).is_unique().all()
        # the same counts straight from the list
        direct = result.persons.group_by("committee_code").len().sort("committee_code", nulls_last=True)
        assert direct["len"].to_list() == counts.sort("committee_code", nulls_last=True)["persons"].to_list()
        assert result.persons["person_key"].is_unique().all()
        if result.total:
            assert counts["committee_name"].null_count() == 0 and counts["district_name"].null_count() == 0


def test_area_owned_policies_match_only_inside_their_area(build, policies) -> None:
    area_owned = [p for p in policies if p.level != "city"]
    assert {p.level for p in area_owned} == {"district", "street", "committee"}
    column = {"district": "district_code", "street": "street_code", "committee": "committee_code"}
    for policy in area_owned:
        inside = match(build.duckdb_path, policy.condition, policy=policy).persons
        assert inside.height > 0, policy.code
        assert set(inside[column[policy.level]]) == {policy.area_code}, policy.code
        # the same condition without the owning area finds persons elsewhere: the scoping is what keeps them out
        rest = policy.condition.items[1:]
        everywhere = match(build.duckdb_path, All(rest) if len(rest) > 1 else rest[0]).persons
        assert set(inside["person_key"]) < set(everywhere["person_key"]), policy.code
        assert policy.condition.items[0] == FieldTest(policy.level, "=", (policy.area_code,))


def test_written_list_is_masked(build, tmp_path: Path) -> None:
    policy = find_policy("winter_relief_visit", CATALOGUE_DIR, TAGS)
    result = match(build.duckdb_path, policy.condition, policy=policy, tag_names=NAMES)
    assert result.total > 0
    files = write_match(result, tmp_path)
    raw = files["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                      # UTF-8 with BOM
    text = raw.decode("utf-8-sig")
    assert find_id_numbers(text) == []                          # no full ID number anywhere in the file
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == list(COLUMNS.values()) and len(rows) == result.total
    assert all(MASKED_ID.match(r["身份证号"]) for r in rows)
    assert all(MASKED_PHONE.match(r["联系电话"]) for r in rows if r["联系电话"])
    assert all(set(r["符合标签"].split("、")) <= {"低保", "特困", "低收入"} and r["符合标签"] for r in rows)
    parquet = pl.read_parquet(files["parquet"])
    assert parquet.columns == list(COLUMNS) and parquet.height == result.total
    assert parquet["id_number"].str.contains(r"^\d{3}\*{11}[\dXx]{4}$").all()
    counts = files["counts"].read_text(encoding="utf-8-sig").splitlines()
    assert counts[-1] == f"合计,,,,,,{result.total}"
    # one list per committee: each holds its own residents only, together the whole list
    split = write_match(result, tmp_path / "split", split_committees=True)
    lists = {k.removeprefix("committee:"): p for k, p in split.items() if k.startswith("committee:")}
    assert set(lists) == set(result.persons["committee_code"])
    seen = []
    for code, path in lists.items():
        part = pl.read_csv(path, schema_overrides={"居委会代码": pl.String, "区代码": pl.String, "街镇代码": pl.String})
        assert set(part["居委会代码"]) == {code} and path.parent.name == code
        seen += part["人员编号"].to_list()
    assert sorted(seen) == sorted(result.persons["person_key"])
    # unmasked on request only: the full numbers of dim_person
    full = match(build.duckdb_path, policy.condition, policy=policy, unmasked=True).persons
    truth = build.query("select person_key, id_number from marts.dim_person")
    joined = full.join(truth, on="person_key", suffix="_db")
    assert joined.height == result.total and (joined["id_number"] == joined["id_number_db"]).all()
    masked = result.persons.join(full, on="person_key", suffix="_full")
    assert (masked["id_number"].str.slice(-4) == masked["id_number_full"].str.slice(-4)).all()


def test_database_opened_read_only(build, tmp_path: Path) -> None:
    """DuckDB refuses a second connection to a file in another mode from the same process: with a read-only
    connection held open, the matcher works only if it opens the file read-only too."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy2(build.duckdb_path, copy)
    policy = find_policy("milk_90_plus", CATALOGUE_DIR, TAGS)
    with duckdb.connect(str(copy), read_only=True) as held:
        assert match(copy, policy.condition).total == held.execute("""
            select count(*) from marts.fct_person_tag_current t join marts.dim_person_profile p using (person_key)
            where t.tag_code = 'elderly_90' and p.status = 'living' and p.residence_house_key is not null
        """).fetchone()[0]
        with pytest.raises(duckdb.ConnectionException, match="different configuration"):
            duckdb.connect(str(copy), read_only=False)


def test_cli_list_match_evaluate(build, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["policy", "list"])
    assert listed.exit_code == 0, listed.output
    assert "milk_90_plus" in listed.output and "tag:90岁以上 and residence:实住" in listed.output

    db = str(build.duckdb_path)
    out = runner.invoke(main, ["policy", "match", "90岁以上老人每月送牛奶", "--database", db, "--data-dir", str(tmp_path)])
    assert out.exit_code == 0, out.output
    folders = list((tmp_path / "policies" / "milk_90_plus").iterdir())
    assert len(folders) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", folders[0].name)
    listed_rows = pl.read_csv(folders[0] / "eligible.csv")
    total = int(re.search(r"合计\s+([\d,]+)", out.output).group(1).replace(",", ""))
    assert total == listed_rows.height > 0
    assert {"eligible.csv", "eligible.parquet", "counts.csv", "manifest.json"} <= {p.name for p in folders[0].iterdir()}
    assert not find_id_numbers(out.output)

    narrowed = runner.invoke(main, ["policy", "match", "milk_90_plus", "--where", "sex:女", "--database", db,
                                    "--out", str(tmp_path / "narrow")])
    assert narrowed.exit_code == 0, narrowed.output
    women = pl.read_csv(tmp_path / "narrow" / "eligible.csv")
    assert 0 < women.height < total and set(women["性别"]) == {"女"}

    adhoc = runner.invoke(main, ["policy", "match", "--where", "tag:独居老人 and age>=80", "--database", db,
                                 "--out", str(tmp_path / "adhoc"), "--show-sql"])
    assert adhoc.exit_code == 0, adhoc.output
    assert "-- parameters: ['elderly_living_alone', 80, ['elderly_living_alone']]" in adhoc.output

    for evil in ["'; drop table x; --", "tag:x' or '1'='1", "age>=80; delete", "__import__('os')"]:
        refused = runner.invoke(main, ["policy", "match", "--where", evil, "--database", db, "--out", str(tmp_path / "x")])
        assert refused.exit_code == 2 and "--where" in refused.output and "syntax error" in refused.output, refused.output
    assert not (tmp_path / "x").exists()
    unknown = runner.invoke(main, ["policy", "match", "milk", "--database", db, "--out", str(tmp_path / "x")])
    assert unknown.exit_code == 1 and "no policy 'milk'" in unknown.output

    unmasked = runner.invoke(main, ["policy", "match", "milk_90_plus", "--database", db, "--unmasked",
                                    "--out", str(tmp_path / "full")])
    assert unmasked.exit_code == 0 and "WARNING: --unmasked" in unmasked.stderr
    assert find_id_numbers((tmp_path / "full" / "eligible.csv").read_text(encoding="utf-8-sig"))

    evaluated = runner.invoke(main, ["policy", "evaluate", "--data-dir", str(build.paths.root), "--database", db])
    assert evaluated.exit_code == 0, evaluated.output
    assert re.search(r"^milk_90_plus\s+\d+\s+\d+\s+1\.0000\s+1\.0000\s+0\s+0\s+-$", evaluated.output, re.MULTILINE), evaluated.output
