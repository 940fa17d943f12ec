"""PII by construction: the analyst database holds no ID or phone number, so no SQL expression can reach one.

Every bypass below runs through `run_query` with the output masking turned OFF (unmasked=True): what it returns is
what the file holds. A result is a leak when its text holds a true ID number or phone number of the city in any of
the forms the attempt could have produced (as is, reversed, hex or base64 decoded, digits only) or an unkeyed hash of
one (a dictionary over all 18-digit ID numbers is feasible). The same attempts on the raw thematic database do leak
(a positive control: the detector works). Every statement kind the `query` help calls refused is tried on the CLI.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import stat

import duckdb
import pytest

from shequyun.analyst.publish import IDENTIFIER, TOKEN_SUFFIX, is_analyst_database
from shequyun.analyst.query import plain, run_query
from shequyun.privacy.masking import ID18_PATTERN, find_id_numbers
from shequyun.privacy.tokens import (
    SECRET_VARIABLE,
    TokenSecretError,
    token,
    token_secret,
    token_sql,
)

MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")

BYPASSES = {
    "to_json of the row": "select to_json(p) as j from marts.dim_person as p",
    "substr concatenation": "select substr(id_number, 1, 9) || substr(id_number, 10) as x, "
                            "substr(phone, 1, 5) || substr(phone, 6) as y from marts.dim_person",
    "hex": "select hex(id_number) as a, hex(phone) as b from marts.dim_person",
    "cast to blob": "select id_number::blob as a, phone::blob as b from marts.dim_person",
    "reverse": "select reverse(id_number) as a, reverse(phone) as b from marts.dim_person",
    "slices": "select id_number[1:9] || id_number[10:18] as a, phone[1:11] as b from marts.dim_person",
    "struct packing": "select {'i': id_number, 'p': phone, 'n': name} as s from marts.dim_person",
    "string_agg": "select string_agg(id_number, ',') as a, string_agg(phone, ',') as b from marts.dim_person",
    "list and array_agg": "select list(id_number) as a, array_agg(phone) as b from marts.dim_person",
    "list functions": "select list_transform(string_split(id_number, ''), c -> ord(c)) as codes, "
                      "array_to_string(string_split(phone, ''), '') as b from marts.dim_person",
    "regexp_extract": r"select regexp_extract(id_number, '([0-9X*]+)') as a, "
                      r"regexp_replace(phone, '[^0-9]', '', 'g') as b from marts.dim_person",
    "base64": "select to_base64(id_number::blob) as a, to_base64(phone::blob) as b from marts.dim_person",
    "unkeyed hashes (dictionary attack)": "select md5(id_number) as a, sha256(id_number) as b, sha1(phone) as c, "
                                          "md5(id_number_token) as d from marts.dim_person",
    "json functions": "select json_object('id', id_number, 'tel', phone) as a, "
                      "json_extract_string(to_json(p), '$.id_number') as b from marts.dim_person as p",
    "cte": "with x as (select * from marts.dim_person) select id_number, phone from x",
    "union": "select id_number as v from marts.dim_person union all select phone from marts.dim_person "
             "union all select value from marts.fct_person_field_lineage",
    "lateral join": "select u.v from marts.dim_person as p, lateral (select p.id_number || '|' || p.phone as v) as u",
    "window functions": "select first_value(id_number) over (order by person_key) as a, "
                        "lag(phone) over (order by person_key) as b, "
                        "string_agg(id_number, '') over (partition by sex) as c from marts.dim_person",
    "numeric casts": "select try_cast(regexp_replace(id_number, '[^0-9]', '', 'g') as hugeint) as a, "
                     "try_cast(phone as bigint) as b from marts.dim_person",
    "characters unnested and put back": "select person_key, string_agg(c, '' order by i) as a from "
                                        "(select person_key, unnest(string_split(id_number, '')) as c, "
                                        "generate_subscripts(string_split(id_number, ''), 1) as i "
                                        "from marts.dim_person) group by person_key",
    "field lineage values": "select field, value from marts.fct_person_field_lineage",
    "snapshot history": "select * from snapshots.snap_dim_person",
    "every ledger row": "select to_json(r) as j from reports.rpt_ledger__hukou_roster as r union all "
                        "select to_json(r) from reports.rpt_ledger__disabled_persons as r union all "
                        "select to_json(r) from reports.rpt_ledger__elderly_80_plus as r",
    "visits free text": "select to_json(v) as j from marts.fct_visit as v",
    "summarize min/max": "summarize marts.dim_person",
    "columns() star expression": "select columns('.*(id|phone|number|tel).*') from marts.dim_person",
    "reconstruct from birth date": "select '310' || id_number[4:6] || strftime(birth_date, '%Y%m%d') || "
                                   "right(id_number, 4) as a from marts.dim_person",
}


@pytest.fixture(scope="module")
def truth(analyst_build) -> dict[str, set[str]]:
    """The city's true ID and phone numbers (from the raw thematic database) and their unkeyed hashes."""
    with duckdb.connect(str(analyst_build.raw), read_only=True) as con:
        ids = {r[0] for r in con.execute("select distinct id_number from marts.dim_person "
                                          "where length(id_number) = 18").fetchall()}
        phones = {r[0] for r in con.execute("select distinct phone from marts.dim_person "
                                             "where phone is not null and length(phone) >= 11").fetchall()}
    hashes = {getattr(hashlib, h)(v.encode()).hexdigest() for v in ids | phones for h in ("md5", "sha1", "sha256")}
    assert len(ids) > 1000 and len(phones) > 500
    return {"ids": ids, "phones": phones, "hashes": hashes}


def _texts(value: object) -> list[str]:
    """Every text a result value can be read as: itself, reversed, hex- and base64-decoded, its digits only."""
    raw = json.dumps(plain(value), ensure_ascii=False, default=str) if not isinstance(value, str) else value
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value).decode("utf-8", "replace")
    forms = [raw, raw[::-1], re.sub(r"[^0-9X]", "", raw)]
    for candidate in re.findall(r"[0-9A-Fa-f]{22,}", raw):
        try:
            forms.append(binascii.unhexlify(candidate[: len(candidate) // 2 * 2]).decode("utf-8", "replace"))
        except binascii.Error:
            pass
    for candidate in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", raw):
        try:
            forms.append(base64.b64decode(candidate + "=" * (-len(candidate) % 4)).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            pass
    if isinstance(value, list) and value and all(isinstance(v, int) and 0 < v < 0x110000 for v in value):
        forms.append("".join(chr(v) for v in value))   # character codes put back
    return forms


def _leaks(rows: list[tuple], truth: dict[str, set[str]]) -> list[str]:
    found: list[str] = []
    for row in rows:
        for value in row:
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            for item in [value, *values]:
                for text in _texts(item):
                    found += [v for v in find_id_numbers(text) if v in truth["ids"]]
                    found += [m for m in MOBILE.findall(text) if m in truth["phones"]]
                    found += [h for h in re.findall(r"[0-9a-f]{32,64}", text) if h in truth["hashes"]]
    return found


def _run(db, sql: str) -> list[tuple]:
    result = run_query(db, sql, limit=None, unmasked=True)    # no output masking: what the file holds
    return list(result.frame.iter_rows())


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_bypass_attempt_reaches_no_number(analyst_build, truth, name: str) -> None:
    rows = _run(analyst_build.path, BYPASSES[name])
    assert rows, name
    assert _leaks(rows, truth) == [], name


@pytest.mark.parametrize("name", ["to_json of the row", "hex", "reverse", "struct packing", "unkeyed hashes (dictionary attack)",
                                  "reconstruct from birth date"])
def test_the_same_attempts_leak_on_the_raw_database(analyst_build, truth, name: str) -> None:
    """Positive control: the detector finds the numbers where they are (the raw thematic database)."""
    sql = BYPASSES[name].replace(", md5(id_number_token) as d", "")
    assert _leaks(_run(analyst_build.raw, sql), truth)


def test_no_column_of_the_analyst_database_holds_a_number(analyst_build, truth) -> None:
    """Every column of every table (nested values through to_json): no ID-shaped 18-character number with a right
    check character and no 11-digit mobile number (in a generated key, a hex hash, only a true phone of the city
    counts). A new model column holding numbers under a name the PII rule does not know fails here."""
    id_or_mobile = f"({ID18_PATTERN})|(^|[^0-9])1[3-9][0-9]{{9}}($|[^0-9])"
    offenders: dict[str, list[str]] = {}
    with duckdb.connect(str(analyst_build.path), read_only=True) as con:
        assert is_analyst_database(con)
        tables = con.execute("select schema_name, table_name from duckdb_tables() order by all").fetchall()
        assert len(tables) > 50
        for schema, table in tables:
            columns = [r[0] for r in con.execute("select column_name from duckdb_columns() where schema_name = ? "
                                                 "and table_name = ?", [schema, table]).fetchall()]
            for column in columns:
                values = [r[0] for r in con.execute(
                    f'select distinct to_json("{column}")::varchar as v from "{schema}"."{table}" '
                    f"where regexp_matches(to_json(\"{column}\")::varchar, '{id_or_mobile}') limit 20").fetchall()]
                key = IDENTIFIER.search(column)
                bad = [v for v in values if find_id_numbers(v)
                       or (any(m in truth["phones"] for m in MOBILE.findall(v)) if key else MOBILE.search(v))]
                if bad:
                    offenders[f"{schema}.{table}.{column}"] = bad[:3]
        raw_tables = con.execute("select count(*) from duckdb_tables() where schema_name in ('staging', 'intermediate')"
                                 ).fetchone()[0]
    assert offenders == {}
    assert raw_tables == 0


def test_the_raw_database_does_hold_numbers_the_scan_finds(analyst_build) -> None:
    with duckdb.connect(str(analyst_build.raw), read_only=True) as con:
        ids = con.execute(f"select count(*) from marts.dim_person where regexp_matches(id_number, '{ID18_PATTERN}')"
                          ).fetchone()[0]
    assert ids > 1000


def test_pii_columns_are_masked_and_tokenised(analyst_build, truth) -> None:
    secret = token_secret(analyst_build.data_dir, create=False)
    with duckdb.connect(str(analyst_build.raw), read_only=True) as raw, \
            duckdb.connect(str(analyst_build.path), read_only=True) as pub:
        before = dict(raw.execute("select person_key, id_number from marts.dim_person").fetchall())
        after = {k: (i, t) for k, i, t in pub.execute(
            f"select person_key, id_number, id_number{TOKEN_SUFFIX} from marts.dim_person").fetchall()}
        ledger = pub.execute("select count(*), count(id_number_token) from reports.rpt_ledger__hukou_roster"
                             ).fetchone()
        phones = pub.execute("select phone, phone_token from marts.dim_person where phone is not null limit 50"
                             ).fetchall()
    assert before.keys() == after.keys()
    for key, id_number in before.items():
        masked, tok = after[key]
        if id_number is None:
            assert masked is None and tok is None
            continue
        assert tok == token("id_number", id_number, secret)
        assert masked == id_number[:3] + "*" * (len(id_number) - 3)
        assert re.fullmatch(r"[a-p]{16}", tok)
    # one token per number: a join on tokens is a join on numbers
    assert len({t for _, t in after.values() if t}) == len({i for i in before.values() if i})
    assert ledger[0] == ledger[1] > 0
    assert all(re.fullmatch(r"1[3-9][0-9]\*{4}[0-9]{4}", p) and re.fullmatch(r"[a-p]{16}", t)
               for p, t in phones if len(p) == 11)


def test_tokens_are_keyed_not_plain_hashes(analyst_build, truth) -> None:
    """A dictionary of unkeyed hashes over ID numbers finds no token: the token needs the deployment's secret."""
    with duckdb.connect(str(analyst_build.path), read_only=True) as con:
        tokens = {r[0] for r in con.execute("select id_number_token from marts.dim_person").fetchall()}
    table = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
    unkeyed = {getattr(hashlib, h)(f"id_number:{v}".encode()).hexdigest()[:16].translate(table)
               for v in truth["ids"] for h in ("md5", "sha1", "sha256")}
    unkeyed |= {hashlib.sha256(v.encode()).hexdigest()[:16].translate(table) for v in truth["ids"]}
    assert tokens and not tokens & unkeyed
    other = token("id_number", next(iter(truth["ids"])), b"another-deployment-secret")
    assert other not in tokens


def test_the_file_keeps_no_key_and_no_query_text(analyst_build) -> None:
    secret = token_secret(analyst_build.data_dir, create=False)
    key = secret.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in key).hex()
    data = analyst_build.path.read_bytes()
    assert secret not in data and ipad.encode() not in data and ipad.upper().encode() not in data


def test_token_sql_is_the_python_hmac() -> None:
    for secret in (b"0123456789abcdef0123", b"k" * 100):   # a key longer than the block is hashed first
        values = ["310228197705154985", " 11010519491231002x ", "13812345678", "张三"]
        with duckdb.connect() as con:
            got = con.execute(f"select {token_sql('id_number', 'v', secret)} from unnest(?) as t(v)",
                              [values]).fetchall()
        for (tok,), value in zip(got, values, strict=True):
            digest = hmac.new(secret, f"id_number:{value.strip().upper()}".encode(), hashlib.sha256).hexdigest()
            assert tok == digest[:16].translate(str.maketrans("0123456789abcdef", "abcdefghijklmnop"))


def test_secret_file_is_private_and_stable(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    first = token_secret(tmp_path)
    path = tmp_path / "secrets" / "token.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert token_secret(tmp_path) == first and len(first) == 64
    os.chmod(path, 0o644)
    with pytest.raises(TokenSecretError, match="readable by others"):
        token_secret(tmp_path)
    monkeypatch.setenv(SECRET_VARIABLE, "short")
    with pytest.raises(TokenSecretError, match="at least 16"):
        token_secret(tmp_path)
    monkeypatch.setenv(SECRET_VARIABLE, "a-deployment-secret-from-the-vault")
    assert token_secret(tmp_path) == b"a-deployment-secret-from-the-vault"
    monkeypatch.delenv(SECRET_VARIABLE)
    with pytest.raises(TokenSecretError, match="no token secret"):
        token_secret(tmp_path / "elsewhere", create=False)


REFUSED_ON_THE_CLI = {
    "pragma database_list": "PRAGMA",
    "pragma show_tables": "PRAGMA",
    "pragma table_info('marts.dim_person')": "PRAGMA",
    "pragma enable_profiling": "PRAGMA",
    "select * from pragma_database_list": "PRAGMA",
    "select * from pragma_storage_info('marts.dim_person')": "table function pragma_storage_info",
    "attach '/tmp/x.duckdb' as x": "ATTACH",
    "detach memory": "DETACH",
    "use memory": "SET",
    "copy marts.dim_person to '/tmp/leak.csv'": "COPY",
    "export database '/tmp/leak'": "EXPORT",
    "import database '/tmp/leak'": "",          # DuckDB reads the files while parsing: refused as unreadable
    "install httpfs": "LOAD",
    "load delta": "LOAD",
    "set enable_external_access = true": "SET",
    "reset lock_configuration": "SET",
    "call duckdb_settings()": "CALL",
    "checkpoint": "CALL",
    "vacuum": "VACUUM",
    "prepare p as select 1": "PREPARE",
    "create table marts.t as select 1": "CREATE",
    "create secret (type s3, key_id 'x', secret 'y')": "CREATE",
    "create temp view v as select 1": "CREATE",
    "select * from read_csv('/etc/passwd')": "table function read_csv",
    "select * from read_csv_auto('/etc/passwd')": "table function read_csv_auto",
    "select * from read_parquet('/tmp/*.parquet')": "table function read_parquet",
    "select * from read_json_auto('/tmp/x.json')": "table function read_json_auto",
    "select * from read_text('/etc/passwd')": "table function read_text",
    "select * from read_blob('/etc/passwd')": "table function read_blob",
    "select * from glob('/*')": "table function glob",
    "select * from '/etc/passwd'": "not a table or view",
    "select * from query('pragma database_list')": "table function query",
    "select * from duckdb_databases()": "table function duckdb_databases",
    "explain analyze select * from read_text('/etc/passwd')": "table function read_text",
    "with x as (select * from read_csv('/etc/hosts')) select * from x": "table function read_csv",
    "select (select count(*) from read_text('/etc/passwd')) as n": "table function read_text",
    "select 1; select 2": "one statement at a time",
}


@pytest.mark.parametrize("sql", sorted(REFUSED_ON_THE_CLI))
def test_refused_statements(analyst_build, cli, sql: str) -> None:
    result = cli("query", sql, "--data-dir", analyst_build.data_dir, "--database", analyst_build.path)
    assert result.exit_code == 1, (sql, result.output)
    assert REFUSED_ON_THE_CLI[sql] in result.stderr, result.stderr
    assert "refused" in result.stderr or "one statement" in result.stderr or "does not parse" in result.stderr


def test_reads_still_run(analyst_build, cli) -> None:
    for sql in ("show all tables", "describe marts.dim_person", "summarize marts.dim_area", "values (1)",
                "from duckdb_tables() limit 1", "select * from information_schema.columns limit 1",
                "explain select count(*) from marts.dim_person", "from range(3)",
                "select count(distinct id_number_token) from marts.dim_person"):
        result = cli("query", sql, "--data-dir", analyst_build.data_dir, "--database", analyst_build.path)
        assert result.exit_code == 0, (sql, result.output)


def test_raw_database_needs_the_data_bureau_role(analyst_build, cli, truth) -> None:
    sql = "select id_number from marts.dim_person where id_number is not null order by person_key limit 3"
    args = ("query", sql, "--data-dir", analyst_build.data_dir, "--database", analyst_build.raw, "--format", "json")
    refused = cli(*args)
    assert refused.exit_code == 2 and "not a masked analyst database" in refused.stderr
    assert cli(*args, "--role", "committee_staff").exit_code == 2
    assert "unknown role" in cli(*args, "--role", "nobody").stderr
    unmasked = cli("query", sql, "--data-dir", analyst_build.data_dir, "--format", "json", "--unmasked")
    assert unmasked.exit_code == 2 and "--unmasked needs a role" in unmasked.stderr
    street = cli(*args, "--role", "street_staff", "--unmasked")
    assert street.exit_code == 2 and "may not" in street.stderr
    bureau = cli(*args, "--role", "data_bureau_auditor")
    assert bureau.exit_code == 0 and find_id_numbers(bureau.stdout) == []       # output masking still applies
    full = cli(*args, "--role", "data_bureau_auditor", "--unmasked")
    assert full.exit_code == 0 and set(json.loads(full.stdout)[0].values()) <= truth["ids"]
    assert "WARNING: --unmasked" in full.stderr


def test_person_show_by_id_number_finds_the_token(analyst_build, cli, truth) -> None:
    with duckdb.connect(str(analyst_build.raw), read_only=True) as con:
        key, id_number = con.execute("select person_key, id_number from marts.dim_person where id_number is not null "
                                     "order by person_key limit 1").fetchone()
    result = cli("person", "show", id_number, "--data-dir", analyst_build.data_dir, "--database", analyst_build.path,
                 "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [p["person"]["person_key"] for p in report["persons"]] == [key]
    assert id_number not in result.stdout and find_id_numbers(result.stdout) == []


def test_street_extract_of_the_analyst_database_is_masked(analyst_build, cli, tmp_path) -> None:
    with duckdb.connect(str(analyst_build.path), read_only=True) as con:
        street = con.execute("select street_code from marts.dim_house group by all order by count(*) desc limit 1"
                             ).fetchone()[0]
    out = tmp_path / "street.duckdb"
    result = cli("extract", "--street", street, "--data-dir", analyst_build.data_dir, "--database", analyst_build.path,
                 "--out", out)
    assert result.exit_code == 0, result.output
    assert "masked" in result.stdout and "unmasked" not in result.stdout
    with duckdb.connect(str(out), read_only=True) as con:
        assert is_analyst_database(con)
        dumped = con.execute("select string_agg(to_json(p)::varchar, '') from marts.dim_person as p").fetchone()[0]
    assert find_id_numbers(dumped) == [] and not MOBILE.search(dumped)
    # the extract is readable without a role: it is masked
    assert cli("query", "select count(*) from marts.dim_person", "--data-dir", analyst_build.data_dir,
               "--database", out).exit_code == 0
