"""`shequyun query`: writes and escapes refused (by DuckDB's statement type), the database unchanged, masking.

Tests of the command's behaviour read the analyst database (the default); the output masking is tested where it
still matters, on the raw thematic database read with the data-bureau role (the bypasses of it, and why the analyst
database does not need it: tests/analyst/test_pii_by_construction.py)."""

from __future__ import annotations

import hashlib
import json

import pytest

from shequyun.analyst.masking import mask_text, pii_kind
from shequyun.analyst.query import QueryRefused, check_read_only
from shequyun.privacy.masking import find_id_numbers, mask_id_number, mask_phone

REFUSED = {
    "insert into marts.dim_area (code) values ('x')": "INSERT",
    "update marts.dim_person set name = 'x'": "UPDATE",
    "delete from marts.dim_person": "DELETE",
    "create table marts.t as select 1 as x": "CREATE",
    "drop table marts.dim_area": "DROP",
    "copy (select * from marts.dim_person) to '/tmp/leak.csv'": "COPY",
    "export database '/tmp/leak'": "EXPORT",
    "attach '/tmp/other.duckdb' as other": "ATTACH",
    "install delta": "LOAD",
    "load delta": "LOAD",
    "set enable_external_access = true": "SET",
    "pragma enable_profiling": "PRAGMA",
    "pragma database_list": "PRAGMA",     # DuckDB rewrites it into a SELECT: refused by the first keyword
    "pragma show_tables": "PRAGMA",
    "checkpoint": "CALL",
    "begin transaction": "TRANSACTION",
}


@pytest.mark.parametrize("sql", sorted(REFUSED))
def test_writes_and_escapes_are_refused_by_statement_type(sql: str) -> None:
    with pytest.raises(QueryRefused, match=f"refused: {REFUSED[sql]} statement"):
        check_read_only(sql)


@pytest.mark.parametrize("sql", ["select 1; drop table marts.dim_area", "select 1; select 2"])
def test_several_statements_are_refused(sql: str) -> None:
    with pytest.raises(QueryRefused, match="one statement at a time: got 2"):
        check_read_only(sql)


@pytest.mark.parametrize("sql", ["select 1", "from marts.dim_area", "show all tables", "describe marts.dim_person",
                                 "summarize marts.dim_area", "explain select 1",
                                 "with x as (select 1 as a) select a from x -- a comment"])
def test_reads_pass(sql: str) -> None:
    import duckdb

    with duckdb.connect() as con:   # the tables a statement reads must exist (the syntax check looks them up)
        con.execute("create schema marts; create table marts.dim_area (code varchar); "
                    "create table marts.dim_person (person_key varchar)")
        assert check_read_only(sql, con).query.strip().startswith(sql.split()[0])


def test_unparseable_sql_is_refused() -> None:
    with pytest.raises(QueryRefused, match="does not parse"):
        check_read_only("selec 1 frm")


def test_pii_columns_and_values() -> None:
    assert pii_kind("id_number") == "id_number"
    assert pii_kind("head_id_number") == "id_number"
    assert pii_kind("身份证号") == "id_number"
    assert pii_kind("phone") == "phone" and pii_kind("emergency_contact_phone") == "phone"
    assert pii_kind("bank_account") == "account"
    assert pii_kind("person_key") is None and pii_kind("street_code") is None
    assert pii_kind("id_number_token") is None and pii_kind("guardian_phone_token") is None   # keyed tokens
    text = "陆燕 310228197705154985, 电话13812345678,13912345678; 残疾人证 3102281977051549854 1"
    masked = mask_text(text)
    assert masked == "陆燕 310***********4985, 电话138****5678,139****5678; 残疾人证 3102281977051549854 1"
    assert mask_text("31022819770515498541") == "310*************8541"   # 20-character 残疾人证号, as mask_id_number
    assert mask_text("31022819770515498541") == mask_id_number("31022819770515498541")
    assert mask_text("H7f450aedce1614 12345678901234567890") == "H7f450aedce1614 12345678901234567890"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_refuses_writes_and_leaves_the_database_unchanged(analyst_build, cli) -> None:
    db = analyst_build.path
    before = _digest(db)
    for sql in ("drop table marts.dim_area", "select 1; delete from marts.dim_person",
                "copy marts.dim_person to 'leak.csv'", "set enable_external_access = true"):
        result = cli("query", sql, *_analyst(analyst_build))
        assert result.exit_code == 1, (sql, result.output)
        assert "refused" in result.stderr or "one statement at a time" in result.stderr
    # a SELECT that reads files is refused by the syntax check (and would be stopped by the sandboxed connection)
    result = cli("query", "select * from read_csv('/etc/passwd')", *_analyst(analyst_build))
    assert result.exit_code == 1 and "table function read_csv" in result.stderr
    assert _digest(db) == before


BUREAU = ("--role", "data_bureau_auditor")


def _analyst(build) -> tuple[object, ...]:
    """The analyst database and the data directory holding its token secret."""
    return ("--data-dir", build.data_dir, "--database", build.path)


def test_cli_masks_ids_and_phones_by_default(full_build, cli) -> None:
    """The data-bureau role reads the raw database, and the output is still masked unless it asks --unmasked."""
    sql = ("select person_key, id_number, phone, name || ' ' || id_number as label from marts.dim_person "
           "where id_number is not null and phone is not null order by person_key limit 20")
    truth = {r["person_key"]: r for r in full_build.query(sql).iter_rows(named=True)}
    result = cli("query", sql, "--database", full_build.duckdb_path, "--format", "json", *BUREAU)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 20
    for row in rows:
        source = truth[row["person_key"]]
        assert row["id_number"] == mask_id_number(source["id_number"]) != source["id_number"]
        assert row["phone"] == mask_phone(source["phone"]) != source["phone"]
        assert row["label"].endswith(mask_id_number(source["id_number"]))
    assert find_id_numbers(result.stdout) == []
    csv_out = cli("query", sql, "--database", full_build.duckdb_path, "--format", "csv", *BUREAU)
    assert find_id_numbers(csv_out.stdout) == [] and csv_out.stdout.startswith("person_key,id_number,phone,label")


def test_cli_unmasked_shows_numbers_and_warns(full_build, cli) -> None:
    sql = "select person_key, id_number, phone from marts.dim_person where id_number is not null order by 1 limit 5"
    truth = full_build.query(sql).to_dicts()
    result = cli("query", sql, "--database", full_build.duckdb_path, "--format", "json", "--unmasked", *BUREAU)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == truth
    assert "WARNING: --unmasked" in result.stderr


def test_cli_limit_and_table_format(full_build, analyst_build, cli) -> None:
    n = full_build.query("select count(*) as n from marts.dim_area")["n"][0]
    result = cli("query", "select code, name from marts.dim_area order by code", *_analyst(analyst_build),
                 "--limit", 3)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 + 3 and lines[0].split("|")[1].strip() == "code"
    assert "limit 3 reached" in result.stderr
    everything = cli("query", "select code from marts.dim_area", *_analyst(analyst_build),
                     "--limit", 0, "--format", "json")
    assert len(json.loads(everything.stdout)) == n


def test_cli_sql_error_is_reported(analyst_build, cli) -> None:
    result = cli("query", "select no_such_column from marts.dim_area", *_analyst(analyst_build))
    assert result.exit_code == 1 and "no_such_column" in result.stderr


def test_cli_duplicate_column_names(analyst_build, cli) -> None:
    result = cli("query", "select code, code from marts.dim_area", *_analyst(analyst_build))
    assert result.exit_code == 1 and "two columns named code" in result.stderr


def test_cli_sql_from_a_file_and_comment_first_sql(full_build, analyst_build, cli, tmp_path) -> None:
    sql = "-- 居委会数\nselect count(*) as n from marts.dim_area where level = 'committee'"
    want = full_build.query(sql)["n"][0]
    (tmp_path / "q.sql").write_text(sql, encoding="utf-8")
    for args in (("--file", tmp_path / "q.sql"), ("--", sql)):
        result = cli("query", *_analyst(analyst_build), "--format", "json", *args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == [{"n": want}]
    both = cli("query", "select 1", "--file", tmp_path / "q.sql", *_analyst(analyst_build))
    assert both.exit_code == 2 and "not both" in both.stderr


def test_cli_without_database(tmp_path, cli) -> None:
    result = cli("query", "select 1", "--data-dir", tmp_path)
    assert result.exit_code == 1 and "no analyst database" in result.stderr
    bureau = cli("query", "select 1", "--data-dir", tmp_path, *BUREAU)
    assert bureau.exit_code == 1 and "no thematic database" in bureau.stderr


def test_ledger_pii_columns_are_masked_as_the_exports_declare(full_build, cli) -> None:
    from exports.catalogue import load_ledgers

    ledgers = [ledger for ledger in load_ledgers() if any(c.pii for c in ledger.columns)]
    assert ledgers
    built = set(full_build.query("select table_name from duckdb_tables() where schema_name = 'reports'")["table_name"])
    checked = 0
    queries = {ledger.model: f"select * from reports.{ledger.model} order by all limit 50"
               for ledger in ledgers if ledger.model in built}
    with full_build.connect() as con:   # closed before the CLI opens the file with its own configuration
        sources = {model: con.sql(sql).pl().to_dicts() for model, sql in queries.items()}
    for ledger in ledgers:
        if ledger.model not in built:
            continue
        pii = {c.name: c.pii for c in ledger.columns if c.pii}
        assert all(pii_kind(name) == kind for name, kind in pii.items()), ledger.model
        result = cli("query", queries[ledger.model], "--database", full_build.duckdb_path, "--format", "json", *BUREAU)
        assert result.exit_code == 0, result.output
        assert find_id_numbers(result.stdout) == [], ledger.model
        for got, want in zip(json.loads(result.stdout), sources[ledger.model], strict=True):
            for name, kind in pii.items():
                masker = {"id_number": mask_id_number, "phone": mask_phone}.get(kind)
                if masker and want[name] is not None:
                    assert got[name] == masker(want[name]) != want[name], (ledger.model, name)
        checked += 1
    assert checked
