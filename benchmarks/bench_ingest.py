"""Benchmark: land one synthetic extract of N rows into bronze; print rows/s and peak memory.

    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000                    # ps_hukou CSV, GBK
    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 --encoding utf-8 --quoted
    .venv/bin/python benchmarks/bench_ingest.py --rows 200000 --format xlsx       # ca_dibao-shaped workbook
    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 --format jsonl
    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 --format postgres  # ps_population-shaped table
    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 --format mysql     # ca_elderly_allowance-shaped

The extract is written by this script (vectorised, with 0.1 % lines of the wrong width and 0.1 % rows
with an empty required field, so the quarantine path is timed too); the load then runs in a fresh
process so that its peak RSS is its own. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华")
ROADS = ["四平路", "福州路", "天山西路", "漕宝路", "长寿路", "南京东路", "共和新路"]


def _frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    idx = np.arange(n)

    def pick(options: list[str], size: int) -> pl.Series:
        return pl.Series(options).gather(rng.integers(0, len(options), size))

    second = pl.Series(np.where(rng.random(n) < 0.6, 1, 0)).cast(pl.Boolean)
    names = pick(SURNAMES, n) + pick(GIVEN, n)
    names = names.zip_with(second, names + pick(GIVEN, n))
    birth = pl.date_range(pl.date(1930, 1, 1), pl.date(2020, 12, 31), "1d", eager=True)
    births = birth.gather(rng.integers(0, len(birth), n))
    seq = pl.Series(rng.integers(0, 1000, n)).cast(pl.String).str.zfill(3)
    id_number = ("310110" + births.dt.strftime("%Y%m%d") + seq + pl.Series(rng.integers(0, 10, n)).cast(pl.String))
    df = pl.DataFrame(
        {
            "户号": pl.Series(idx // 3 + 100_000_000).cast(pl.String),
            "姓名": names,
            "性别": pick(["男", "女"], n),
            "民族": pick(["汉族", "汉族", "汉族", "回族", "满族"], n),
            "出生日期": births.dt.strftime("%Y-%m-%d"),
            "公民身份号码": id_number,
            "与户主关系": pick(["户主", "配偶", "子女", "父母"], n),
            "户籍地址": "上海市杨浦区" + pick(ROADS, n) + pl.Series(rng.integers(1, 2000, n)).cast(pl.String) + "弄"
            + pl.Series(rng.integers(1, 60, n)).cast(pl.String) + "号" + pl.Series(rng.integers(101, 2301, n)).cast(pl.String) + "室",
            "户口登记日期": births.dt.strftime("%Y-%m-%d"),
            "户口状态": pick(["正常", "正常", "正常", "死亡注销", "迁出注销"], n),
            "注销日期": pl.Series([""] * n),
            "文化程度": pick(["大学本科", "高中", "初中", "小学", "研究生"], n),
            "联系电话": "13" + pl.Series(rng.integers(100_000_000, 999_999_999, n)).cast(pl.String),
        }
    )
    blank_name = rng.random(n) < 0.001
    return df.with_columns(pl.when(pl.Series(blank_name)).then(pl.lit("")).otherwise(pl.col("姓名")).alias("姓名"))


def write_extract(landing: Path, fmt: str, n: int, encoding: str, quoted: bool, seed: int) -> tuple[str, Path]:
    """Returns (system, file). Uses the real ps_hukou config for CSV, ca_dibao for xlsx, ca_tekun shape for jsonl."""
    landing.mkdir(parents=True, exist_ok=True)
    if fmt == "postgres":
        return _pg_table(landing, n)
    if fmt == "mysql":
        return _mysql_table(landing, n)
    df = _frame(n, seed)
    if fmt == "csv":
        folder = landing / "public_security" / "ps_hukou"
        folder.mkdir(parents=True, exist_ok=True)
        text = df.write_csv(quote_style="always" if quoted else "necessary")
        lines = text.split("\n")
        rng = np.random.default_rng(seed + 1)
        for i in rng.choice(np.arange(1, len(lines) - 1), size=max(1, n // 1000), replace=False):
            lines[i] = lines[i].rsplit(",", 5)[0]  # a line of the wrong width
        target = folder / "ps_hukou_bench.csv"
        target.write_bytes("\n".join(lines).encode(encoding))
        return "ps_hukou", target
    if fmt == "xlsx":
        folder = landing / "civil_affairs" / "ca_dibao"
        folder.mkdir(parents=True, exist_ok=True)
        dibao = df.select(
            pl.col("户号").alias("低保证号"), pl.col("姓名").alias("户主姓名"), pl.col("公民身份号码").alias("户主身份证号"),
            pl.col("姓名"), pl.col("公民身份号码").alias("身份证号"), pl.col("与户主关系"), pl.lit("3").alias("家庭人口"),
            pl.lit("2").alias("保障人数"), pl.lit("1510").alias("月保障金(元)"), pl.col("户口登记日期").alias("保障起始日期"),
            pl.lit("疾病").alias("致困原因"), pl.col("户籍地址").alias("家庭住址"), pl.col("联系电话"),
        )
        target = folder / "ca_dibao_bench.xlsx"
        dibao.write_excel(target, worksheet="低保对象", autofit=False)
        return "ca_dibao", target
    if fmt == "jsonl":
        folder = landing / "civil_affairs" / "ca_tekun"
        folder.mkdir(parents=True, exist_ok=True)
        tekun = df.select(
            pl.col("户号").alias("caseNo"), pl.col("姓名").alias("name"), pl.col("公民身份号码").alias("idCard"),
            pl.col("性别").alias("gender"), pl.col("出生日期").alias("birthday"), pl.lit("分散供养").alias("supportType"),
            pl.col("户口登记日期").alias("startDate"), pl.col("户籍地址").alias("address"), pl.col("联系电话").alias("phone"),
        )
        target = folder / "ca_tekun_bench.jsonl"
        tekun.write_ndjson(target)
        return "ca_tekun", target
    raise SystemExit(f"unknown format {fmt}")


def _pg_table(landing: Path, n: int) -> tuple[str, Path]:
    import uuid

    import psycopg

    table = f"t_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_dsn(), autocommit=True) as conn:
        conn.execute(
            f"""CREATE TABLE {table} AS SELECT
                'R' || lpad(g::text, 11, '0') AS rkbh,
                (ARRAY['张','王','李','赵','陈'])[1 + g % 5] || (ARRAY['伟','芳','敏','静','强'])[1 + g % 7 % 5] AS xm,
                (1 + g % 2)::text AS xb, '01' AS mz, date '1930-01-01' + (g % 30000) AS csrq,
                '310110' || to_char(date '1930-01-01' + (g % 30000), 'YYYYMMDD') || lpad((g % 1000)::text, 3, '0') || (g % 10)::text AS gmsfhm,
                '1' AS rylb, '上海市杨浦区四平路' || (g % 2000)::text || '弄' || (g % 60)::text || '号' AS jzdz,
                '上海市杨浦区四平路' || (g % 2000)::text || '弄' AS hjdz, '310110' AS hjdxzqh, NULL::date AS lhrq,
                NULL::text AS jzzbh, '13' || lpad((g::bigint * 7919 % 1000000000)::text, 9, '0') AS lxdh, '0' AS zxbs,
                timestamp '2015-01-01' + g * interval '1 second' AS djsj
            FROM generate_series(1, {n}) AS g"""
        )
    (landing / ".bench_table").write_text(table)
    return "ps_population", landing / ".bench_table"


def _mysql_table(landing: Path, n: int) -> tuple[str, Path]:
    import uuid

    import pymysql

    from connectors.mysql_reader import connect_args

    table = f"t_bench_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(**{**connect_args(_mysql_dsn()), "read_timeout": 600}, autocommit=True)
    with conn.cursor() as cur:
        cur.execute(
            f"""CREATE TABLE `{table}` DEFAULT CHARSET=utf8mb4 AS SELECT seq AS id,
                ELT(1 + seq % 5, '张伟', '王芳', '李敏', '赵静', '陈强') AS sqrxm,
                CONCAT('310110', DATE_FORMAT(DATE '1930-01-01' + INTERVAL (seq % 20000) DAY, '%Y%m%d'),
                       LPAD(seq % 1000, 3, '0'), seq % 10) AS sqrsfzh,
                ELT(1 + seq % 2, '男', '女') AS xb, DATE '1930-01-01' + INTERVAL (seq % 20000) DAY AS csrq,
                '80-89' AS jtdc, CAST(180 AS DECIMAL(10,2)) AS jtje, DATE '2020-01-01' AS ffkssj,
                CONCAT('上海市松江区九亭大街', seq % 500, '号') AS jzdz, CONCAT('13', LPAD(seq * 7919 % 1000000000, 9, '0')) AS lxdh,
                '发放中' AS zt, TIMESTAMP '2016-01-01 00:00:00' + INTERVAL seq SECOND AS gxsj
            FROM seq_1_to_{n}"""
        )
    conn.close()
    (landing / ".bench_table").write_text(table)
    return "ca_elderly_allowance", landing / ".bench_table"


def _mysql_dsn() -> str:
    import os

    return os.environ.get("SHEQUYUN_MYSQL_DSN", "mysql://root@127.0.0.1:3306/test")


def _pg_dsn() -> str:
    import os

    return os.environ.get("SHEQUYUN_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def load(data_dir: Path, system: str) -> dict:
    sys.path.insert(0, str(ROOT))
    import os

    from connectors.config import load_source_configs
    from connectors.landing import load_system
    from shequyun.core.settings import Paths

    sources = os.environ.get("SHEQUYUN_BENCH_SOURCES")
    cfg = load_source_configs(Path(sources) if sources else None)[system]
    marker = data_dir / "landing" / ".bench_table"
    if cfg.is_database and marker.exists():
        import dataclasses

        cfg = dataclasses.replace(cfg, table=marker.read_text().strip())
    t0 = time.perf_counter()
    result = load_system(cfg, Paths(data_dir))
    seconds = time.perf_counter() - t0
    assert not result.failures, result.failures
    assert result.rows_read == result.rows_landed + result.rows_quarantined
    return {
        "system": system,
        "rows_read": result.rows_read,
        "rows_landed": result.rows_landed,
        "rows_quarantined": result.rows_quarantined,
        "seconds": round(seconds, 2),
        "rows_per_second": round(result.rows_read / seconds),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "jsonl", "postgres", "mysql"], default="csv")
    parser.add_argument("--encoding", default="gbk", help="CSV encoding (the ps_hukou config says gbk)")
    parser.add_argument("--quoted", action="store_true", help="quote every CSV field (the stdlib-csv path)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="keep the data directory here")
    parser.add_argument("--load-only", nargs=2, metavar=("DATA_DIR", "SYSTEM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_only:
        print(json.dumps(load(Path(args.load_only[0]), args.load_only[1]), ensure_ascii=False))
        return

    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    try:
        t0 = time.perf_counter()
        system, target = write_extract(data_dir / "landing", args.format, args.rows, args.encoding, args.quoted, args.seed)
        written = time.perf_counter() - t0
        env_note = {}
        if args.format == "csv" and args.encoding.lower() != "gbk":
            system = _retarget_encoding(data_dir, system, args.encoding)
            env_note["sources_dir"] = str(data_dir / "sources")
        cmd = [sys.executable, __file__, "--load-only", str(data_dir), system]
        env = None
        if env_note:
            import os

            env = {**os.environ, "SHEQUYUN_BENCH_SOURCES": env_note["sources_dir"]}
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout.strip().splitlines()[-1]
        report = json.loads(out)
        report.update(
            format=args.format, encoding=args.encoding if args.format == "csv" else None, quoted=args.quoted,
            file_mib=round(target.stat().st_size / 2**20, 1), write_seconds=round(written, 1),
        )
        print(json.dumps(report, ensure_ascii=False))
    finally:
        marker = data_dir / "landing" / ".bench_table"
        if marker.exists() and args.format == "postgres":
            import psycopg

            with psycopg.connect(_pg_dsn(), autocommit=True) as conn:
                conn.execute(f"DROP TABLE IF EXISTS {marker.read_text().strip()}")
        elif marker.exists() and args.format == "mysql":
            import pymysql

            from connectors.mysql_reader import connect_args

            conn = pymysql.connect(**connect_args(_mysql_dsn()), autocommit=True)
            with conn.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS `{marker.read_text().strip()}`")
            conn.close()
        if args.keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


def _retarget_encoding(data_dir: Path, system: str, encoding: str) -> str:
    """Copy the system's YAML with another encoding into data_dir/sources (read by --load-only)."""
    import yaml

    raw = yaml.safe_load((ROOT / "connectors" / "sources" / f"{system}.yaml").read_text(encoding="utf-8"))
    raw["encoding"] = encoding
    (data_dir / "sources").mkdir(exist_ok=True)
    (data_dir / "sources" / f"{system}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return system


if __name__ == "__main__":
    main()
