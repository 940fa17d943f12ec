"""Generator profile frozen2 (issue 9 item 6): eight department systems the platform was never configured for.

The files are read here independently of the generator (csv, openpyxl, json, polars) and checked against the
profile's spec and the truth: the formats, every record in truth/source_records.parquet on a row of its file or table,
the noise kinds at their documented rates, the population's hard cases (twins, foreign residents, corrected IDs).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from shequyun.core.settings import PROJECT_ROOT
from shequyun_synth import ids
from shequyun_synth.digest import file_content
from shequyun_synth.profiles.frozen2.generate import generate_frozen2
from shequyun_synth.profiles.frozen2.spec import (
    HERE,
    System,
    frozen_digest,
    frozen_files,
    load_profile,
)

PERSONS, SEED = 2000, 20261126
PROFILE = load_profile()
SYSTEMS = PROFILE.systems

# FROZEN. The frozen2 profile (its spec, shequyun_synth/profiles/frozen2/profile.yaml and systems/*.yaml, and its
# modules, shequyun_synth/profiles/frozen2/*.py) was written before the platform had any configuration for these
# systems (no connectors/sources YAML, no staging model): it is the platform's test of generalisation and must not be
# tuned to the platform. Changing any of these files changes this digest: change it deliberately, and say in the commit
# why the profile had to change (a generator bug, never "the platform could not read it").
# Shared modules it uses (population.py, extracts/context.py, the default noise transforms) are not pinned here.
FROZEN_DIGEST = "e64838ed3a45fb1a897e1b8830d5c8b8451c4c7c13eb8362d7077b95a5917663"
# the kinds issue 9 item 6 asks for; each must occur in the small city
ISSUE_KINDS = ("id_excel_sci", "id_excel_dot0", "id_excel_000", "id_masked", "phone_masked", "name_pinyin",
               "name_dot_variant", "name_traditional", "name_homophone", "passport_instead_of_id", "permit_instead_of_id",
               "id_former", "id_legacy15", "twin")


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    a, b = tmp_path_factory.mktemp("f2a"), tmp_path_factory.mktemp("f2b")
    manifest = generate_frozen2(a, persons=PERSONS, seed=SEED, progress=False)
    # the second run in another process with another hash seed: nothing may depend on either
    code = ("from pathlib import Path; from shequyun_synth.profiles.frozen2.generate import generate_frozen2; "
            f"generate_frozen2(Path({str(b)!r}), persons={PERSONS}, seed={SEED}, progress=False)")
    env = {**os.environ, "PYTHONHASHSEED": "4321"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=PROJECT_ROOT, timeout=600)
    return a, b, manifest


@pytest.fixture(scope="module")
def city(twice: tuple[Path, Path, dict]) -> Path:
    return twice[0]


@pytest.fixture(scope="module")
def truth(city: Path) -> dict[str, pl.DataFrame]:
    return {p.stem: pl.read_parquet(p) for p in sorted((city / "truth").glob("*.parquet"))}


def _text(v: object) -> str | None:
    return None if v is None else str(v)


def read_rows(city: Path, s: System) -> dict[str, dict[str, str | None] | None]:
    """{row key: {header: text}} of every data row, read without the generator; None for a row that does not parse
    (a broken CSV / JSON line)."""
    path = city / s.output_path("20261101")
    rows: dict[str, dict[str, str | None] | None] = {}
    if s.format == "csv":
        text = path.read_bytes().decode(s.encoding)
        lines = text.split(s.line_terminator)
        assert lines[-1] == ""
        width = len(s.headers)
        for n, line in enumerate(lines[1:-1], start=2):
            if s.trailing_delimiter:
                assert line.endswith(s.delimiter), line
                line = line[:-1]
            fields = next(csv.reader(io.StringIO(line), delimiter=s.delimiter))
            rows[str(n)] = dict(zip(s.headers, [f or None for f in fields])) if len(fields) == width else None
    elif s.format == "jsonl":
        for n, line in enumerate(path.read_text(encoding=s.encoding).splitlines(), start=1):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                rows[str(n)] = None
                continue
            assert list(obj) == s.headers
            rows[str(n)] = {h: _text(v) for h, v in obj.items()}
    elif s.format == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        sheet = list(wb[s.sheet].iter_rows(values_only=True))
        wb.close()
        for n, values in enumerate(sheet[s.first_data_row - 1:], start=s.first_data_row):
            if all(v is None for v in values) or (isinstance(values[0], str) and re.match(r"^(注|制表人|填报日期)", values[0])):
                break
            rows[str(n)] = {h: _text(v) for h, v in zip(s.headers, values)}
    else:
        df = pl.read_parquet(path)
        assert df.columns == s.headers
        key = s.primary_key
        for n, row in enumerate(df.iter_rows(named=True), start=1):
            rows[str(row[key]) if key else str(n)] = {h: _text(v) for h, v in row.items()}
    return rows


# ---------------------------------------------------------------- determinism, frozen spec

def test_same_seed_same_bytes(twice: tuple[Path, Path, dict]) -> None:
    a, b, _ = twice
    fa = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    fb = sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file())
    assert fa == fb
    for name in fa:
        if name.endswith(".xlsx"):   # the zip container may carry times: the workbooks' cells must be the same
            assert file_content(a / name) == file_content(b / name), name
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_the_profile_is_frozen() -> None:
    names = [p.relative_to(HERE).as_posix() for p in frozen_files()]
    assert "profile.yaml" in names and len([n for n in names if n.startswith("systems/")]) == 8
    assert {"generate.py", "builders.py", "noise.py", "population.py", "spec.py", "writers.py"} <= set(names)
    assert frozen_digest() == FROZEN_DIGEST, (
        "shequyun_synth/profiles/frozen2 changed: the profile is frozen (see the comment on FROZEN_DIGEST); if the "
        f"change is deliberate, pin {frozen_digest()} and say why in the commit")


# ---------------------------------------------------------------- layout, formats

def test_manifest_and_layout(city: Path, truth: dict[str, pl.DataFrame]) -> None:
    records, events = truth["source_records"], truth["noise"]
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["profile"] == "frozen2" and manifest["persons"] == PERSONS and manifest["seed"] == SEED
    assert manifest["profile_digest"] == frozen_digest()
    assert set(manifest["systems"]) == set(SYSTEMS) and len(SYSTEMS) == 8
    for name in ("areas", "houses", "households", "persons", "source_records", "noise", "record_persons"):
        assert (city / "truth" / f"{name}.parquet").exists()
    per_source = dict(records.group_by("source").len().iter_rows())
    for path, rows in manifest["rows"].items():
        assert (city / path).exists(), path
        source = next((s["source"] for s in manifest["systems"].values() if s["path"] == path),
                      path.removeprefix("landing/"))
        assert per_source[source] == rows, path
    assert sum(manifest["noise_events"].values()) == events.height
    # no connector configuration exists for these systems: that is the point of the profile
    configured = {p.stem for p in (PROJECT_ROOT / "connectors" / "sources").glob("*.yaml")}
    assert not configured & set(SYSTEMS)


def test_every_format_is_emitted(city: Path) -> None:
    formats = {s.format for s in SYSTEMS.values()}
    assert formats == {"csv", "xlsx", "jsonl", "parquet", "postgres", "mysql"}
    gb = SYSTEMS["gaj_czrk"]
    raw = (city / gb.output_path("20261101")).read_bytes()
    assert gb.encoding == "gb18030" and not raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("gb18030").split("\r\n")[:-1]
    assert lines[0] == ";".join(gb.headers) + ";" and all(line.endswith(";") for line in lines)
    assert any(ord(c) > 127 for c in lines[1])
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    tab = SYSTEMS["wjw_mbsf"]
    raw = (city / tab.output_path("20261101")).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[3:].decode("utf-8").split("\r\n")[0] == "\t".join(tab.headers)
    for name in ("mzj_lsjz", "cl_cjrhmc"):
        s = SYSTEMS[name]
        wb = openpyxl.load_workbook(city / s.output_path("20261101"), read_only=True)
        sheet = [r for r in wb[s.sheet].iter_rows(values_only=True)]
        wb.close()
        assert sheet[0][0].endswith("花名册") and len(s.title_rows) == 2
        header = [v for v in sheet[len(s.title_rows) + s.header_rows - 1]]
        assert [h for h in header if h] == [c.header for c in s.columns if c.group or s.header_rows == 1] or \
            s.header_rows == 2
        notes = [r[0] for r in sheet if isinstance(r[0], str) and r[0].startswith("制表人：")]
        assert len(notes) == 1 and sheet.index(next(r for r in sheet if r[0] == notes[0])) > s.first_data_row
    assert SYSTEMS["cl_cjrhmc"].header_rows == 2
    jsonl = SYSTEMS["jd_wgzf"]
    first = (city / jsonl.output_path("20261101")).read_text(encoding="utf-8").splitlines()[0]
    assert list(json.loads(first)) == jsonl.headers and "\\u" not in first
    pq = pl.read_parquet(city / SYSTEMS["crj_jwry"].output_path("20261101"))
    assert pq.schema["CSRQ"] == pl.Date and pq.schema["DJSJ"] == pl.Datetime("us")
    for name, engine in (("fgj_zlba", "postgres"), ("rsj_sbcb", "mysql")):
        s = SYSTEMS[name]
        db = pl.read_parquet(city / s.output_path("20261101"))
        assert s.format == engine and s.cursor in db.columns and db.schema[s.cursor] == pl.Datetime("us")
        assert db[s.primary_key].n_unique() == db.height


# ---------------------------------------------------------------- truth

def test_every_source_record_is_a_row_of_its_file(city: Path, truth: dict[str, pl.DataFrame]) -> None:
    records, events, persons = truth["source_records"], truth["noise"], truth["persons"]
    by_id = persons.select("person_id", "id_number", "name", "passport_no").rows_by_key("person_id", named=True,
                                                                                         unique=True)
    changed = {(r["system"], r["row_key"], r["field"]): r["after"] for r in events.filter(pl.col("field").is_not_null())
               .iter_rows(named=True)}
    for s in SYSTEMS.values():
        rows = read_rows(city, s)
        mine = records.filter(pl.col("system") == s.system)
        assert sorted(mine["row_key"].to_list()) == sorted(rows), s.system
        assert mine["source"].unique().to_list() == [s.source_name("20261101")]
        unparsed = {k for k, v in rows.items() if v is None}
        assert unparsed <= set(mine.filter(pl.col("is_broken"))["row_key"].to_list())
        checked = [c for c in s.columns if c.field in ("id_number", "name") and c.render == "text"]
        for rec in mine.filter(~pl.col("is_broken") & pl.col("person_id").is_not_null()).iter_rows(named=True):
            row = rows[rec["row_key"]]
            assert row is not None
            person = by_id[rec["person_id"]]
            for col in checked:
                got = row[col.header]
                expected = changed.get((s.system, rec["row_key"], col.header), person[col.field])
                if s.system == "jd_wgzf" and got is None:
                    continue   # the card was not shown
                assert got == expected, (s.system, rec["row_key"], col.header, got, expected)


def test_truth_follows_the_schema(truth: dict[str, pl.DataFrame]) -> None:
    records, persons, houses = truth["source_records"], truth["persons"], truth["houses"]
    for col in ("person_id", "name", "sex", "birth_date", "id_number", "population_type", "household_id",
                "hukou_house_id", "residence_house_id", "status", "disability_cert_no", "chronic_diseases"):
        assert col in persons.columns
    assert persons["person_id"].n_unique() == persons.height > PERSONS
    assert set(records["person_id"].drop_nulls()) <= set(persons["person_id"])
    assert set(records["house_id"].drop_nulls()) <= set(houses["house_id"])
    roles = truth["record_persons"]
    assert set(roles["role"].unique()) == {"subject", "landlord"}
    assert set(roles["person_id"]) <= set(persons["person_id"])
    ids18 = persons["id_number"].drop_nulls()
    assert ids18.n_unique() == ids18.len() and all(ids.is_valid_id(v) for v in ids18.to_list())


def test_twins_foreigners_and_corrected_ids(truth: dict[str, pl.DataFrame]) -> None:
    records, persons, houses = truth["source_records"], truth["persons"], truth["houses"]
    twins = persons.filter(pl.col("twin_of").is_not_null())
    assert twins.height >= 4 and twins.height % 2 == 0
    pair = twins.join(persons, left_on="twin_of", right_on="person_id", suffix="_t")
    assert (pair["twin_of_t"] == pair["person_id"]).all()
    assert (pair["birth_date"] == pair["birth_date_t"]).all()
    assert (pair["residence_house_id"] == pair["residence_house_id_t"]).all()
    assert (pair["household_id"] == pair["household_id_t"]).all()
    assert (pair["id_number"] != pair["id_number_t"]).all() and (pair["name"] != pair["name_t"]).all()
    assert (pair["id_number"].str.slice(0, 14) == pair["id_number_t"].str.slice(0, 14)).all()
    assert set(twins["person_id"]) <= set(records.filter(pl.col("system") == "gaj_czrk")["person_id"])

    foreign = persons.filter(pl.col("passport_no").is_not_null())
    assert foreign.height >= 6 and foreign["id_number"].is_null().all()
    assert (foreign["population_type"] == "境外").all() and foreign["name"].str.contains(r"^[A-Z][a-zé]+ [A-Z]").all()
    rented = houses.filter(pl.col("house_id").is_in(foreign["residence_house_id"].to_list()))
    assert (rented["occupancy"] == "出租").all() and rented["owner_person_id"].is_not_null().all()
    assert set(foreign["person_id"]) <= set(records.filter(pl.col("system") == "crj_jwry")["person_id"])

    corrected = persons.filter(pl.col("former_id_number").is_not_null())
    assert corrected.height >= 3
    assert all(ids.is_valid_id(v) for v in corrected["former_id_number"].to_list())
    assert (corrected["former_id_number"] != corrected["id_number"]).all()
    assert not set(corrected["former_id_number"]) & set(persons["id_number"].drop_nulls())
    hmt = persons.filter(pl.col("id_region_code").is_in(["810000", "820000", "830000"]))
    assert hmt["travel_permit_no"].is_not_null().all()
    assert hmt["travel_permit_no"].str.contains(r"^([HM]\d{10}|\d{8})$").all()


# ---------------------------------------------------------------- noise

def test_noise_kinds_occur_at_their_rates(city: Path, truth: dict[str, pl.DataFrame]) -> None:
    events = truth["noise"]
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["noise_events"]) <= set(PROFILE.noise_kinds)
    totals: dict[str, list[float]] = {}
    for system, columns in manifest["noise"].items():
        for header, kinds in columns.items():
            if header != "rows":
                assert kinds.keys() == SYSTEMS[system].column(header).noise.keys(), (system, header)
            for kind, c in kinds.items():
                t = totals.setdefault(kind, [0.0, 0.0, 0.0])
                t[0] += c["events"]
                t[1] += c["rate"] * c["eligible"]
                t[2] += c["rate"] * (1 - c["rate"]) * c["eligible"]
    for kind, (got, expected, variance) in totals.items():
        assert abs(got - expected) <= 4 * math.sqrt(variance) + 2, (kind, got, expected)
    for kind in ISSUE_KINDS:
        assert manifest["noise_events"].get(kind, 0) > 0, kind
    # the per-column counts are the events on the original rows (duplicates repeat them)
    field_kinds = events.filter(pl.col("field").is_not_null() & (pl.col("kind") != "broken_row"))
    counted = sum(totals[k][0] for k in totals if k not in ("duplicate_row", "broken_row"))
    assert counted <= field_kinds.height


def test_noise_values_look_as_documented(truth: dict[str, pl.DataFrame]) -> None:
    events, persons = truth["noise"], truth["persons"]

    def after(kind: str) -> list[str]:
        return events.filter(pl.col("kind") == kind)["after"].to_list()

    assert all(re.fullmatch(r"\d(\.\d{1,5})?E\+(14|17|19)", v) for v in after("id_excel_sci"))
    assert all(re.fullmatch(r"\d+\.0", v) for v in after("id_excel_dot0"))
    assert all(re.fullmatch(r"\d{15}000|\d{17}000", v) for v in after("id_excel_000"))
    assert all(re.fullmatch(r"\d{3}(\*{8}|\*{11})\d{3}[0-9Xx]", v) for v in after("id_masked"))
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", v) for v in after("phone_masked"))
    assert all(re.fullmatch(r"[A-Za-z]+( [A-Za-z]+)?", v) for v in after("name_pinyin"))
    assert all(re.search("[\u30fb\u2022\uff0e]", v) and "\u00b7" not in v for v in after("name_dot_variant"))
    assert all(re.fullmatch(r"\d{15}", v) for v in after("id_legacy15"))
    former = set(persons["former_id_number"].drop_nulls())
    assert all(v in former or v[:18] in former for v in after("id_former"))
    permits = set(persons["travel_permit_no"].drop_nulls())
    assert set(after("permit_instead_of_id")) <= permits
    assert set(after("passport_instead_of_id")) <= set(persons["passport_no"].drop_nulls())
    homophones = events.filter(pl.col("kind") == "name_homophone")
    from pypinyin import lazy_pinyin

    for before, new in homophones.select("before", "after").iter_rows():
        assert len(before) == len(new) and before != new and lazy_pinyin(before) == lazy_pinyin(new)


# ---------------------------------------------------------------- command, databases

def test_generate_command_takes_the_profile(tmp_path: Path) -> None:
    from shequyun_synth.cli import generate

    result = CliRunner().invoke(generate, ["--data-dir", str(tmp_path), "-n", "300", "-s", "5", "--profile", "frozen2",
                                           "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "profile frozen2" in result.output
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["profile"] == "frozen2"
    bad = CliRunner().invoke(generate, ["--data-dir", str(tmp_path), "--profile", "nosuch"])
    assert bad.exit_code != 0


def test_load_db_loads_the_profiles_tables(city: Path) -> None:
    import psycopg

    from shequyun.core.settings import mysql_dsn, pg_dsn
    from shequyun_synth.dbload import _mysql_connect, load_databases

    suffix = uuid.uuid4().hex[:8]
    names = {"fgj_zlba": f"fg_fwzl_djba_t{suffix}", "rsj_sbcb": f"rs_sbcb_ry_t{suffix}"}
    try:
        counts = load_databases(city, pg_dsn(), mysql_dsn(), tables=names)
        zl = pl.read_parquet(city / "db" / "fgj_zlba.parquet")
        sb = pl.read_parquet(city / "db" / "rsj_sbcb.parquet")
        assert counts == {names["fgj_zlba"]: zl.height, names["rsj_sbcb"]: sb.height}
        with psycopg.connect(pg_dsn()) as conn:
            types = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns "
                                      "WHERE table_name = %s", (names["fgj_zlba"],)).fetchall())
            top = conn.execute(f"SELECT djbh, chzrxm FROM {names['fgj_zlba']} ORDER BY gxsj DESC, djbh LIMIT 1").fetchone()
        assert types["gxsj"] == "timestamp without time zone" and types["zlqsrq"] == "date"
        assert types["yzj"] == "numeric" and types["tzrs"] == "integer"
        last = zl.sort(["gxsj", "djbh"], descending=[True, False]).row(0, named=True)
        assert top == (last["djbh"], last["chzrxm"])
        conn = _mysql_connect(mysql_dsn())
        with conn.cursor() as cur:
            cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = DATABASE() AND table_name = %s", (names["rsj_sbcb"],))
            mtypes = {k.lower(): v.lower() for k, v in cur.fetchall()}
            cur.execute(f"SELECT COUNT(*), COUNT(DISTINCT grbh) FROM `{names['rsj_sbcb']}`")
            n, distinct = cur.fetchone()
        conn.close()
        assert mtypes["czsj"] == "datetime" and mtypes["csrq"] == "date" and (n, distinct) == (sb.height, sb.height)
    finally:
        with psycopg.connect(pg_dsn()) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {names['fgj_zlba']}")
        conn = _mysql_connect(mysql_dsn())
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS `{names['rsj_sbcb']}`")
        conn.commit()
        conn.close()


def test_spec_digest_covers_every_spec_file() -> None:
    h = hashlib.sha256()
    for path in frozen_files():
        h.update(path.relative_to(HERE).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    assert h.hexdigest() == frozen_digest()
    assert {p.name for p in (HERE / "systems").glob("*.yaml")} == {f"{s}.yaml" for s in SYSTEMS}
