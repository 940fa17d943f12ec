"""Department extracts: formats, headers, who appears where, truth mapping and noise events, on a small city."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
import yaml

from shequyun.core.settings import PROJECT_ROOT
from shequyun_synth.extracts import SYSTEMS, Context, build_clean
from shequyun_synth.generate import generate_city
from shequyun_synth.noise import NoiseConfig

SOURCES = PROJECT_ROOT / "connectors" / "sources"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def yaml_of(system: str) -> dict:
    return yaml.safe_load((SOURCES / f"{system}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    # doubled rates: more events to check, still valid
    generate_city(out, persons=2500, seed=99, noise=NoiseConfig.default().scaled(2), progress=False)
    return out


@pytest.fixture(scope="module")
def records(city_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(city_dir / "truth" / "source_records.parquet")


@pytest.fixture(scope="module")
def events(city_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(city_dir / "truth" / "noise.parquet")


@pytest.fixture(scope="module")
def persons(city_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(city_dir / "truth" / "persons.parquet")


def file_of(city_dir: Path, system: str) -> Path:
    cfg = yaml_of(system)
    if cfg["format"] in ("postgres", "mysql"):
        return city_dir / "db" / f"{system}.parquet"
    files = sorted((city_dir / "landing").glob(cfg["path"]))
    assert len(files) == 1, files
    return files[0]


def _cell(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return str((v.date() - date(1899, 12, 30)).days)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_rows(city_dir: Path, system: str) -> tuple[list[str], dict[str, dict[str, str | None] | None]]:
    """(header, {row_key: {column: text}}) read independently of the generator; None for an unparseable row."""
    cfg = yaml_of(system)
    path = file_of(city_dir, system)
    fmt = cfg["format"]
    rows: dict[str, dict[str, str | None] | None] = {}
    if fmt == "csv":
        raw = path.read_bytes()
        if cfg["encoding"] == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
        else:
            assert not raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode(cfg["encoding"])
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        for i, rec in enumerate(reader, start=2):
            rows[str(i)] = dict(zip(header, [v or None for v in rec])) if len(rec) == len(header) else None
        return header, rows
    if fmt == "jsonl":
        lines = path.read_text(encoding=cfg["encoding"]).split("\n")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        header: list[str] = []
        for i, line in enumerate(lines, start=1):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                rows[str(i)] = None
                continue
            header = header or list(obj)
            assert list(obj) == header
            rows[str(i)] = {k: (None if v is None or v == "" else str(v)) for k, v in obj.items()}
        return header, rows
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        assert wb.sheetnames == [cfg["sheet"]]
        it = wb[cfg["sheet"]].iter_rows(values_only=True)
        header = [str(h) for h in next(it)]
        for i, rec in enumerate(it, start=2):
            rows[str(i)] = dict(zip(header, [_cell(v) for v in rec]))
        return header, rows
    df = pl.read_parquet(path)
    key = None
    if fmt in ("postgres", "mysql"):
        key = next(h for h, c in cfg["columns"].items() if c == cfg["primary_key"][0])
    for i, rec in enumerate(df.iter_rows(named=True), start=1):
        k = str(rec[key]) if key else str(i)
        rows[k] = {c: (None if v is None else v.isoformat() if isinstance(v, date) else str(v)) for c, v in rec.items()}
    return df.columns, rows


@pytest.mark.parametrize("system", SYSTEMS)
def test_file_format_headers_and_row_keys(city_dir: Path, records: pl.DataFrame, system: str) -> None:
    cfg = yaml_of(system)
    header, rows = read_rows(city_dir, system)
    assert header == list(cfg["columns"]), system
    mine = records.filter(pl.col("system") == system)
    assert mine.height == len(rows) > 0 or system == "ed_graduates"
    assert set(mine["row_key"].to_list()) == set(rows)
    if cfg["format"] in ("csv", "xlsx"):
        assert sorted(int(k) for k in rows) == list(range(2, len(rows) + 2))
    elif cfg["format"] in ("jsonl", "parquet"):
        assert sorted(int(k) for k in rows) == list(range(1, len(rows) + 1))
    # broken rows are exactly the unparseable ones or those with a required field empty
    required = [h for h, c in cfg["columns"].items() if c in cfg["required"]]
    bad = {k for k, r in rows.items() if r is None or any(r.get(h) in (None, "") for h in required)}
    assert bad == set(mine.filter(pl.col("is_broken"))["row_key"].to_list())
    source = mine["source"].unique().to_list()
    assert source == [cfg["table"] if "table" in cfg else str(file_of(city_dir, system).relative_to(city_dir / "landing"))]


def test_every_noise_event_is_in_the_file(city_dir: Path, events: pl.DataFrame, records: pl.DataFrame) -> None:
    assert events.columns == ["system", "row_key", "kind", "field", "before", "after"]
    kinds = set(events["kind"].to_list())
    for kind in ("id_substitution", "id_transposition", "id_legacy15", "id_lowercase_x", "name_traditional",
                 "name_missing_char", "address_cn_numerals", "address_no_city", "address_building_suffix",
                 "address_old_district", "address_pudong_short", "stale_address", "phone_other", "date_format",
                 "duplicate_row", "broken_row"):
        assert kind in kinds, kind
    broken = set(records.filter(pl.col("is_broken")).select("system", "row_key").iter_rows())
    # the file holds the last event's value of a field (an encoding replacement may follow a noise event)
    events = events.with_row_index("_n").filter(
        pl.col("_n") == pl.col("_n").max().over("system", "row_key", pl.col("field").fill_null(pl.col("kind"))))
    for system in SYSTEMS:
        _, rows = read_rows(city_dir, system)
        for ev in events.filter(pl.col("system") == system).iter_rows(named=True):
            assert ev["before"] != ev["after"], ev
            row = rows[ev["row_key"]]
            if ev["kind"] == "broken_row":
                assert (system, ev["row_key"]) in broken
                if ev["field"] is not None:
                    assert row is not None and row[ev["field"]] in (None, "")
                continue
            if ev["kind"] == "duplicate_row":
                if system in ("ps_population", "ca_elderly_allowance"):   # same content under a new primary key
                    pk = next(iter(yaml_of(system)["columns"]))
                    assert row[pk] != rows[ev["before"]][pk]
                    row = {**row, pk: None}
                    assert {**rows[ev["before"]], pk: None} == row
                else:
                    assert rows[ev["before"]] == row
                continue
            assert (system, ev["row_key"]) not in broken
            assert row[ev["field"]] == ev["after"], ev


def test_duplicates_are_exact_and_flagged(city_dir: Path, records: pl.DataFrame, events: pl.DataFrame) -> None:
    dups = records.filter(pl.col("is_duplicate"))
    assert dups.height > 0
    dup_events = events.filter(pl.col("kind") == "duplicate_row")
    assert dup_events.height == dups.height
    flagged = set(dups.select("system", "row_key").iter_rows())
    assert flagged == set(dup_events.select("system", "row_key").iter_rows())


def test_records_point_to_the_true_person(city_dir: Path, records: pl.DataFrame, events: pl.DataFrame,
                                          persons: pl.DataFrame) -> None:
    truth = dict(persons.select("person_id", "id_number").iter_rows())
    id_col = {"ps_hukou": "公民身份号码", "ps_population": "gmsfhm", "ca_low_income": "证件号码", "po_party_members": "公民身份证号",
              "hr_employment": "证件号码", "dpf_disability": "身份证号", "va_veterans": "idNumber", "ca_tekun": "idCard",
              "hc_family_doctor": "id_card", "ca_elderly_allowance": "sqrsfzh", "ha_property": "权利人证件号"}
    for system, col in id_col.items():
        _, rows = read_rows(city_dir, system)
        noisy = set(events.filter((pl.col("system") == system) & (pl.col("field") == col))["row_key"].to_list())
        recs = records.filter((pl.col("system") == system) & ~pl.col("is_broken"))
        checked = 0
        for key, pid in recs.select("row_key", "person_id").iter_rows():
            if key in noisy:
                continue
            assert rows[key][col] == truth[pid], (system, key)
            checked += 1
        assert checked > 0 or recs.height == 0


def test_who_appears_where(city_dir: Path, records: pl.DataFrame, persons: pl.DataFrame) -> None:
    def ids(system: str) -> set[str]:
        return set(records.filter((pl.col("system") == system) & ~pl.col("is_broken"))["person_id"].to_list())

    hukou = set(persons.filter(pl.col("population_type") == "户籍")["person_id"].to_list())
    assert ids("ps_hukou") == hukou
    assert persons.filter(pl.col("person_id").is_in(list(hukou)))["status"].n_unique() >= 2
    residents = set(persons.filter(pl.col("residence_house_id").is_not_null())["person_id"].to_list())
    assert residents <= ids("ps_population")
    assert ids("dpf_disability") == set(persons.filter(pl.col("disability_cert_no").is_not_null()
                                                       & (pl.col("status") == "living"))["person_id"].to_list())
    assert ids("hc_family_doctor") == set(persons.filter(pl.col("family_doctor_signed_on").is_not_null()
                                                         & (pl.col("status") == "living"))["person_id"].to_list())
    assert ids("ca_elderly_allowance") <= hukou
    houses = pl.read_parquet(city_dir / "truth" / "houses.parquet")
    owned = houses.filter(pl.col("owner_person_id").is_not_null())
    ha = records.filter((pl.col("system") == "ha_property") & ~pl.col("is_broken") & ~pl.col("is_duplicate"))
    assert ha.height == owned.height and set(ha["house_id"].to_list()) == set(owned["house_id"].to_list())


def test_codes_and_special_values(city_dir: Path) -> None:
    pop = pl.read_parquet(file_of(city_dir, "ps_population"))
    assert set(pop["xb"].unique().to_list()) <= {"1", "2"}
    assert set(pop["rylb"].unique().to_list()) <= {"1", "2", "3"} and {"1", "2"} <= set(pop["rylb"].to_list())
    assert set(pop["zxbs"].unique().to_list()) <= {"0", "1", "2"}
    assert pop["mz"].drop_nulls().str.contains(r"^\d{2}$").all()
    assert pop.schema["csrq"] == pl.Date and pop.schema["djsj"] == pl.Datetime("us")
    hukou = pl.read_csv(file_of(city_dir, "ps_hukou").read_bytes().decode("gbk").encode(), infer_schema=False,
                        truncate_ragged_lines=True)
    assert {"正常", "死亡注销"} <= set(hukou["户口状态"].drop_nulls().to_list())
    assert hukou.filter(pl.col("户口状态") == "正常")["注销日期"].null_count() == hukou.filter(pl.col("户口状态") == "正常").height
    _, dpf = read_rows(city_dir, "dpf_disability")
    serials = [r["发证日期"] for r in dpf.values() if r and r["发证日期"] and r["发证日期"].isdigit() and len(r["发证日期"]) == 5]
    assert serials, "dpf_disability writes issue dates as Excel serial numbers"
    emp = pl.read_csv(file_of(city_dir, "hr_employment").read_bytes().decode("gbk").encode(), infer_schema=False,
                      truncate_ragged_lines=True)
    assert set(emp["登记类别"].drop_nulls().unique().to_list()) == {"就业登记", "失业登记"}
    both = emp.group_by("姓名", "出生日期").agg(pl.col("登记类别").n_unique().alias("k")).filter(pl.col("k") == 2)
    assert both.height > 0
    assert emp["终止日期"].drop_nulls().len() > 0


def test_cc_visits_repeat_visits_and_departments(city_dir: Path, records: pl.DataFrame) -> None:
    _, rows = read_rows(city_dir, "cc_visits")
    recs = dict(records.filter(pl.col("system") == "cc_visits").select("row_key", "person_id").iter_rows())
    good = [(recs[k], r) for k, r in rows.items() if r is not None and r["visitDate"] and r["visitDate"][:4].isdigit()
            and "-" in r["visitDate"]]
    depts = {r["visitorDept"] for _, r in good}
    assert depts == {"居委会", "民政", "残联", "卫健", "退役军人", "人社"}
    empty_id = sum(r["targetIdNumber"] is None for _, r in good) / len(good)
    assert 0.2 < empty_id < 0.8
    by_person: dict[str, list[tuple[date, str]]] = {}
    for pid, r in good:
        by_person.setdefault(pid, []).append((date.fromisoformat(r["visitDate"]), r["visitorDept"]))
    repeats = 0
    for visits in by_person.values():
        visits.sort()
        repeats += any(b[0] - a[0] <= timedelta(days=7) and a[1] != b[1] for a, b in pairwise(visits))
    assert repeats > 5
    dates = [d for v in by_person.values() for d, _ in v]
    assert max(dates) - min(dates) > timedelta(days=150) and max(dates) <= date(2026, 11, 1)


def test_department_copies_disagree(city_dir: Path, events: pl.DataFrame) -> None:
    _, hukou = read_rows(city_dir, "ps_hukou")
    _, dibao = read_rows(city_dir, "ca_dibao")
    h = [r["户籍地址"] for r in hukou.values() if r and r["户籍地址"]]
    d = [r["家庭住址"] for r in dibao.values() if r and r["家庭住址"]]
    assert sum(a.startswith("上海市") for a in h) / len(h) > 0.8
    assert not any(a.startswith("上海市") for a in d)      # civil affairs writes district + street, no city
    assert events.filter(pl.col("kind") == "stale_address").height > 0
    assert events.filter(pl.col("kind") == "phone_other")["system"].n_unique() > 5


def test_clean_extract_has_valid_ids_and_20_char_certificates(city_dir: Path) -> None:
    from shequyun_synth.generate import _build_city

    city, _ = _build_city(400, 5)
    ctx = Context.from_city(city, 5)
    dpf = build_clean("dpf_disability", ctx, 5).df
    assert dpf["残疾人证号"].str.len_chars().eq(20).all()
    assert (dpf["残疾人证号"].str.slice(0, 18) == dpf["身份证号"]).all()
    hk = build_clean("ps_hukou", ctx, 5).df
    for v in hk["公民身份号码"].to_list()[:200]:
        assert "10X98765432"[sum(int(c) * w for c, w in zip(v[:17], WEIGHTS)) % 11] == v[17]
    again = build_clean("ps_hukou", Context.from_city(city, 5), 5).df
    assert again.equals(hk)
    assert np.all(hk["_person_id"].is_not_null().to_numpy())


@pytest.fixture(scope="module")
def small_ctx() -> Context:
    from shequyun_synth.generate import _build_city

    city, _ = _build_city(3000, 17)
    return Context.from_city(city, 17)


@pytest.mark.parametrize("system", SYSTEMS)
def test_event_before_is_the_clean_value(small_ctx: Context, system: str) -> None:
    from shequyun_synth.extracts import build_noisy
    from shequyun_synth.noise import format_date_expr

    cfg = NoiseConfig.default().scaled(3)
    clean = build_clean(system, small_ctx, 17)
    noisy, ev = build_noisy(system, small_ctx, cfg, 17)
    assert noisy.df.height == clean.df.height
    text = clean.df.with_columns([format_date_expr(c, s).alias(c) for c, s in clean.date_styles.items()])
    for e in ev.iter_rows(named=True):
        assert text[e["field"]][e["_rid"]] == e["before"], e
        assert noisy.df[e["field"]][e["_rid"]] == e["after"], e
        assert e["before"] != e["after"]
    # fields without events are exactly the clean ones
    touched = {(r, f) for r, f in zip(ev["_rid"].to_list(), ev["field"].to_list())}
    for col in [c for c in noisy.df.columns if not c.startswith("_")]:
        if noisy.df.schema[col] != pl.String or text.schema[col] != pl.String:
            continue
        diff = np.flatnonzero((noisy.df[col] != text[col]).fill_null(True).to_numpy()
                              & ~(noisy.df[col].is_null() & text[col].is_null()).to_numpy())
        assert all((int(i), col) in touched for i in diff), (system, col)


def test_rates_on_the_extracts(city_dir: Path, records: pl.DataFrame, events: pl.DataFrame) -> None:
    cfg = NoiseConfig.default().scaled(2)
    base = records.filter(~pl.col("is_broken") & ~pl.col("is_duplicate")).height

    def within(kind: str, eligible: int) -> None:
        rate = getattr(cfg, kind)
        got = events.filter(pl.col("kind") == kind).height
        sigma = (eligible * rate * (1 - rate)) ** 0.5
        assert abs(got - rate * eligible) < 4 * sigma + 3, (kind, got, rate * eligible)

    within("duplicate_row", base)
    within("broken_row", base)
    # id numbers: every non-broken original row of the systems whose main id column is always filled
    id_cols = {"ps_hukou": "公民身份号码", "hr_employment": "证件号码", "hc_family_doctor": "id_card", "ps_population": "gmsfhm"}
    expected = variance = 0.0
    for system, col in id_cols.items():
        _, rows = read_rows(city_dir, system)
        keys = records.filter((pl.col("system") == system) & ~pl.col("is_broken") & ~pl.col("is_duplicate"))["row_key"]
        originals = sum(1 for k in keys.to_list() if rows[k][col] is not None)
        rate = cfg.for_system(system).id_substitution       # per-system factors apply
        expected += rate * originals
        variance += originals * rate * (1 - rate)
    assert cfg.for_system("ps_hukou").id_substitution == pytest.approx(cfg.id_substitution * 0.5)
    dup_keys = set(records.filter(pl.col("is_duplicate")).select("system", "row_key").iter_rows())
    subs = events.filter(pl.col("kind").is_in(["id_substitution"]) & pl.col("system").is_in(list(id_cols))
                         & pl.col("field").is_in(list(id_cols.values())))
    got = sum(1 for s, k in subs.select("system", "row_key").iter_rows() if (s, k) not in dup_keys)
    sigma = variance ** 0.5
    # foreign ids (not 18 digits) are not eligible: allow a little under the expectation
    assert expected * 0.8 - 4 * sigma < got < expected + 4 * sigma + 3


def test_gbk_files_keep_the_interpunct_and_replace_what_gbk_lacks(small_ctx: Context, tmp_path: Path) -> None:
    from dataclasses import replace

    from shequyun_synth.extracts import write_system

    persons = small_ctx.persons
    hukou = persons.with_row_index("_i").filter(pl.col("population_type") == "户籍")["_i"].to_list()
    names = persons["name"].to_list()
    names[hukou[0]] = "阿依努尔·艾力"
    names[hukou[1]] = "王𠮷"          # U+20BB7 is not in GBK
    ctx = replace(small_ctx, persons=persons.with_columns(pl.Series("name", names)))
    res = write_system("ps_hukou", ctx, tmp_path, NoiseConfig.zero(), 17)
    text = res.path.read_bytes().decode("gbk")
    assert "阿依努尔·艾力" in text and "王?" in text and "𠮷" not in text
    ev = res.events.filter(pl.col("kind") == "encoding_replaced")
    assert ev.select("field", "before", "after").rows() == [("姓名", "王𠮷", "王?")]
    line = text.split("\n")[int(ev["row_key"][0]) - 1]
    assert "王?" in line
    pid = res.records.filter(pl.col("row_key") == ev["row_key"][0])["person_id"][0]
    assert persons["person_id"][hukou[1]] == pid


def test_stale_addresses_are_records_dated_before_the_move(small_ctx: Context) -> None:
    """A department keeps a previous house only on a record it dated before the person moved in (residence_since);
    the 实有人口 register never keeps one and is dated after the move, so the newest record names today's house."""
    from shequyun_synth.extracts import build_noisy

    cfg = NoiseConfig.default().scaled(3)
    persons = small_ctx.persons.select(pl.col("person_id").alias("_person_id"), "residence_since", "residence_house_id",
                                       "status")
    stale_total = 0
    for system in SYSTEMS:
        noisy, ev = build_noisy(system, small_ctx, cfg, 17)
        stale = ev.filter(pl.col("kind") == "stale_address")["_rid"]
        if system == "ps_population":
            assert stale.len() == 0
            rows = noisy.df.join(persons, on="_person_id", how="left")
            movers = rows.filter(pl.col("residence_since").is_not_null())
            assert movers.height > 0
            assert (movers["_recorded_on"] > movers["residence_since"]).all()
            continue
        if stale.len() == 0:
            continue
        rows = noisy.df.filter(pl.col("_rid").is_in(stale.implode())).join(persons, on="_person_id", how="left")
        stale_total += rows.height
        assert rows["residence_since"].is_not_null().all(), system
        if "_recorded_on" in rows.columns:
            assert (rows["_recorded_on"] < rows["residence_since"]).all(), system
        # the stale row names the previous house, not today's residence
        assert (rows["_house_id"] != rows["residence_house_id"]).fill_null(True).all(), system
    assert stale_total > 50
    # every living resident who moved is on the register (the dated, never stale record)
    pop = build_noisy("ps_population", small_ctx, cfg, 17)[0].df
    movers = persons.filter((pl.col("status") == "living") & pl.col("residence_since").is_not_null())
    assert movers.join(pop, on="_person_id", how="anti").height == 0
