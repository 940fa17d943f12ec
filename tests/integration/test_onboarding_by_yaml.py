"""A new department system reaches staging through its YAML alone, in every format the connectors read.

For each format (CSV in GBK, xlsx, JSON lines, Parquet, a PostgreSQL table, a MariaDB table) the test writes a
source YAML the project has never seen (new headers, a column the field catalogue does not know) and a small
extract, lands it into bronze, renders the dbt sources and staging models of the shipped systems plus the new ones
into a copy of the dbt project (`python -m connectors.dbt_sources` does the same in the project itself), and builds
the new staging models with dbt. No SQL is written by hand: the rows arrive normalised by their kinds.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import psycopg
import pymysql
import pytest
import yaml

from connectors.config import load_source_configs
from connectors.dbt_sources import write
from connectors.landing import load_system
from shequyun.core.duck import dbt_environment, dbt_vars_args
from shequyun.core.settings import DBT_PROJECT_DIR, SOURCES_DIR, Paths
from shequyun.privacy.masking import id_check_character
from shequyun_synth.testing import isolated_databases

FORMATS = ["csv", "xlsx", "jsonl", "parquet", "postgres", "mysql"]
# the models that take every configured system: person records, address records, survivorship candidates
UNIONS = ["int_person_records", "int_addresses_collected", "fct_person_source_records"]
HEADERS = {"档案编号": "case_no", "对象姓名": "person_name", "证件号码": "id_number", "性别": "sex",
           "出生年月日": "birth_date", "现住址": "address", "手机": "phone", "补贴金额": "subsidy",
           "登记时间": "updated_at"}


def _id(first17: str) -> str:
    return first17 + id_check_character(first17)


# (档案编号, 姓名 as delivered, ID, 性别, 出生日期 as delivered, 住址, 手机, 补贴, 登记时间)
ROWS = [
    ("N001", " 张　伟 ", _id("31010419450312001"), "男", "1945年3月12日", "徐汇区漕宝路１２３号", "138-1234-5678", "１５０.５",
     "2026-10-01 08:00:00"),
    ("N002", "阿依古丽•买买提", _id("65010219600101002"), "2", "19600101", "浦东新区世纪大道1号", "13900001111", "75",
     "2026-10-02 08:00:00"),
    ("N003", "陳國強", _id("31011519701231003"), "1", "1970/12/31", "闵行区莘庄镇1弄2号301室", None, None,
     "2026-10-03 08:00:00"),
]
CLEAN = {  # what staging makes of them
    "N001": ("张伟", "男", dt.date(1945, 3, 12), "13812345678"),
    "N002": ("阿依古丽·买买提", "女", dt.date(1960, 1, 1), "13900001111"),
    "N003": ("陈国强", "男", dt.date(1970, 12, 31), None),
}


def _yaml(fmt: str, system: str) -> dict:
    raw = {
        "system": system, "title": f"新接入系统 ({fmt})", "department": "civil_affairs", "department_title": "市民政局",
        "format": fmt, "columns": HEADERS, "required": ["case_no"], "primary_key": ["case_no"],
        "staging": {"model": f"stg_civil_affairs__onboarded_{fmt}_cases",
                    "fields": {"subsidy": {"kind": "decimal"}}},
    }
    if fmt in ("postgres", "mysql"):
        raw.update(dsn_env="SHEQUYUN_PG_DSN" if fmt == "postgres" else "SHEQUYUN_MYSQL_DSN",
                   dsn_default="unused://", table=system, cursor="登记时间")
    else:
        raw["path"] = f"civil_affairs/{system}/*.{fmt}"
    if fmt == "csv":
        raw["encoding"] = "gbk"
    if fmt == "xlsx":
        raw["sheet"] = "对象"
    return raw


def _write_extract(fmt: str, system: str, landing: Path) -> None:
    frame = pl.DataFrame([dict(zip(HEADERS, row, strict=True)) for row in ROWS], schema={h: pl.String for h in HEADERS},
                         orient="row")
    folder = landing / "civil_affairs" / system
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        # GBK has no U+2022: a GBK extract writes the interpunct as a full-width full stop (another look-alike)
        (folder / "x.csv").write_bytes(frame.write_csv().replace("•", "．").encode("gbk", errors="strict"))
    elif fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "对象"
        sheet.append(list(HEADERS))
        for row in ROWS:
            sheet.append(list(row))
        book.save(folder / "x.xlsx")
    elif fmt == "jsonl":
        (folder / "x.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in frame.to_dicts()) + "\n",
                                        encoding="utf-8")
    elif fmt == "parquet":
        frame.write_parquet(folder / "x.parquet")


def _create_table(fmt: str, system: str, pg_dsn: str, mysql_dsn: str) -> None:
    columns = ", ".join(f'"{h}" text' if h != "登记时间" else f'"{h}" timestamp' for h in HEADERS)
    if fmt == "postgres":
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(f'create table "{system}" ({columns})')
            with conn.cursor() as cur:
                cur.executemany(f'insert into "{system}" values ({", ".join(["%s"] * len(HEADERS))})', ROWS)
    else:
        database = mysql_dsn.rsplit("/", 1)[1]
        conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", database=database,
                               autocommit=True, charset="utf8mb4")
        with conn.cursor() as cur:
            cur.execute(f"create table `{system}` ({columns.replace(chr(34), '`').replace(' timestamp', ' datetime')})")
            cur.executemany(f"insert into `{system}` values ({', '.join(['%s'] * len(HEADERS))})", ROWS)
        conn.close()


@pytest.fixture(scope="module")
def onboarded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """The shipped systems plus one new system per format, landed and staged; returns the database and the models."""
    root = tmp_path_factory.mktemp("onboarding")
    sources = root / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    project = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    paths = Paths(root / "data")
    models = {}
    with isolated_databases("onb") as (pg_dsn, mysql_dsn):
        for fmt in FORMATS:
            system = f"xx_onboarded_{fmt}"
            (sources / f"{system}.yaml").write_text(yaml.safe_dump(_yaml(fmt, system), allow_unicode=True),
                                                   encoding="utf-8")
            if fmt in ("postgres", "mysql"):
                _create_table(fmt, system, pg_dsn, mysql_dsn)
            else:
                _write_extract(fmt, system, paths.landing)
            cfg = load_source_configs(sources)[system]
            result = load_system(cfg, paths)
            assert result.ok and result.rows_landed == len(ROWS), (fmt, [str(f) for f in result.failures])
            models[fmt] = f"stg_civil_affairs__onboarded_{fmt}_cases"
        written = write(sources, project)
    assert {p.stem for p in written if p.suffix == ".sql"} >= set(models.values())
    db = root / "onboarding.duckdb"
    cmd = [str(Path(sys.executable).with_name("dbt")), "build", *dbt_vars_args(paths.root, db),
           "--select", *(f"+{m}" for m in models.values()), "--exclude", "resource_type:unit_test",
           "--project-dir", str(project), "--profiles-dir", str(project),
           "--target-path", str(root / "target"), "--log-path", str(root / "logs")]
    proc = subprocess.run(cmd, cwd=project, env=dbt_environment(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"dbt build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    # the models that union every system compile with the new ones in them: no SQL was edited
    compile_cmd = [cmd[0], "compile", *dbt_vars_args(paths.root, db), "--select", *UNIONS,
                   "--project-dir", str(project), "--profiles-dir", str(project),
                   "--target-path", str(root / "target"), "--log-path", str(root / "logs")]
    proc = subprocess.run(compile_cmd, cwd=project, env=dbt_environment(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"dbt compile failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    compiled = {name: next((root / "target" / "compiled").rglob(f"{name}.sql")).read_text(encoding="utf-8")
                for name in UNIONS}
    return db, models, compiled


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_new_system_is_staged_from_its_yaml(onboarded: tuple[Path, dict[str, str], dict[str, str]], fmt: str) -> None:
    db, models, _ = onboarded
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.sql(f"select * from staging.{models[fmt]} order by case_no").pl()
    assert frame["case_no"].to_list() == ["N001", "N002", "N003"]
    for row in frame.iter_rows(named=True):
        name, sex, birth, phone = CLEAN[row["case_no"]]
        assert (row["person_name"], row["sex"], row["birth_date"], row["phone"]) == (name, sex, birth, phone), row
        assert row["id_valid"] and row["id_birth_date"] == birth and row["birth_date_conflicts_id"] is False
        assert row["person_name_raw"] is not None and row["record_key"].startswith(f"xx_onboarded_{fmt}:")
    assert [float(v) if v is not None else None for v in frame["subsidy"]] == [150.5, 75.0, None]
    assert frame["address"][0] == "徐汇区漕宝路123号"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_new_system_feeds_resolution_from_its_yaml(onboarded: tuple[Path, dict[str, str], dict[str, str]],
                                                    fmt: str) -> None:
    """By the defaults of resolution_spec the new system names its subject (person records) and places it by its
    address (a residence) - and has no record date of its own, so survivorship dates it by its load."""
    _, models, compiled = onboarded
    relation = f'"staging"."{models[fmt]}"'
    assert relation in compiled["int_person_records"]
    assert relation in compiled["int_addresses_collected"]
    assert relation not in compiled["fct_person_source_records"]
