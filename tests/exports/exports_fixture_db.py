"""A hand-made thematic database for the fixture ledgers (tests/exports/fixtures/project): fast export tests
without a dbt build. ID numbers are valid (right check character), so a leak would be found by the scans."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from shequyun.privacy.masking import id_check_character

FIXTURE_PROJECT = Path(__file__).parent / "fixtures" / "project"

# committee -> (street, district)
COMMITTEES = {
    "310106006001": ("310106006", "310106"),
    "310106006002": ("310106006", "310106"),
    "310113104002": ("310113104", "310113"),
    "310113104003": ("310113104", "310113"),     # a committee with no elderly rows: header-only files
}
NAMES = {"310106": "静安区", "310113": "宝山区", "310106006": "江宁路街道", "310113104": "友谊路街道",
         "310106006001": "恒德里居委会", "310106006002": "新安居委会", "310113104002": "月浦十村居委会",
         "310113104003": "月浦八村居委会"}
AS_OF = "2026-11-01"


def valid_id(first17: str) -> str:
    return first17 + id_check_character(first17)


@dataclass(frozen=True)
class FixtureDatabase:
    path: Path
    project_dir: Path
    elderly: list[tuple]           # rows of reports.rpt_ledger__elderly_test
    committees: dict[str, tuple[str, str]]


def elderly_rows() -> list[tuple]:
    rows = []
    people = [
        ("310106006001", "张伟", "31010619400101001", "13812345678", True, "静安区江宁路1弄1号101室"),
        ("310106006001", "阿依古丽·买买提", "31010619420315002", "02153550452", False, "静安区江宁路1弄2号"),
        ("310106006001", "李秀英", "31010819300707004", None, None, "静安区江宁路1弄3号"),
        ("310106006002", "王芳", "31010619410202003", "13900001111", True, "静安区新安路5号"),
        ("310113104002", "陈国强", "31011319350505005", "13700002222", False, "宝山区月浦十村12号"),
        (None, "孤儿行", "31011319360606006", "13600003333", False, "地址不详"),          # stray: no committee
    ]
    for i, (committee, name, id17, phone, alone, address) in enumerate(people):
        street, district = COMMITTEES.get(committee, (None, "310113"))
        birth = f"{id17[6:10]}-{id17[10:12]}-{id17[12:14]}"
        rows.append((district, street, committee, f"P{i:04d}", name, valid_id(id17), birth,
                     2026 - int(id17[6:10]), phone, alone, address))
    return rows


def build_fixture_database(path: Path) -> FixtureDatabase:
    rows = elderly_rows()
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "reports"):
            con.execute(f"create schema {schema}")
        con.execute("create table marts.dim_area (code varchar, level varchar, name varchar, district_code varchar, "
                    "street_code varchar, committee_code varchar)")
        for district in {d for _, d in COMMITTEES.values()}:
            con.execute("insert into marts.dim_area values (?, 'district', ?, ?, null, null)",
                        [district, NAMES[district], district])
        for street, district in set(COMMITTEES.values()):
            con.execute("insert into marts.dim_area values (?, 'street', ?, ?, ?, null)",
                        [street, NAMES[street], district, street])
        for code, (street, district) in COMMITTEES.items():
            con.execute("insert into marts.dim_area values (?, 'committee', ?, ?, ?, ?)",
                        [code, NAMES[code], district, street, code])
        # what every build records (dbt model build_info): the day the ledgers describe
        con.execute("create table marts.build_info as select ?::date as as_of, "
                    "timestamptz '2026-11-02 02:30:00+08' as built_at, 'fixture' as code_version, "
                    "[]::struct(system varchar)[] as source_batches", [AS_OF])
        con.execute("create table reports.rpt_ledger__elderly_test (district_code varchar, street_code varchar, "
                    "committee_code varchar, person_key varchar, name varchar, id_number varchar, birth_date date, "
                    "age integer, phone varchar, lives_alone boolean, address varchar)")
        con.executemany("insert into reports.rpt_ledger__elderly_test values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("create table reports.rpt_ledger__population_counts_test (level varchar, district_code varchar, "
                    "street_code varchar, committee_code varchar, population_type varchar, persons bigint)")
        counts = []
        for code, (street, district) in COMMITTEES.items():
            counts += [("committee", district, street, code, "户籍", 100), ("committee", district, street, code, "来沪", 40)]
        counts += [("street", "310106", "310106006", None, "户籍", 200), ("district", "310106", None, None, "户籍", 200)]
        con.executemany("insert into reports.rpt_ledger__population_counts_test values (?, ?, ?, ?, ?, ?)", counts)
    return FixtureDatabase(path=path, project_dir=FIXTURE_PROJECT, elderly=rows, committees=dict(COMMITTEES))


def full_id_numbers_in(folder: Path) -> dict[str, list[str]]:
    """Every valid 18-character ID number found in any exported file under `folder`: every xlsx cell (all sheets),
    the whole csv text, every parquet column (as text), and the manifests."""
    import openpyxl
    import polars as pl

    from shequyun.privacy.masking import find_id_numbers

    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            texts = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None]
            book.close()
            text = "\n".join(texts)
        elif path.suffix in (".csv", ".json"):
            text = path.read_text(encoding="utf-8-sig")
        elif path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            text = "\n".join(str(v) for col in frame.columns for v in frame[col].cast(pl.String).to_list()
                             if v is not None)
        else:
            continue
        ids = find_id_numbers(text)
        if ids:
            found[str(path)] = ids
    return found
