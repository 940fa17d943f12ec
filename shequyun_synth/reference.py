"""Reference data of the synthetic city, delivered like any department extract (two more source systems):

- ps_standard_addresses  公安 标准地址库: one row per BUILDING address (not rooms), mapping the door
  (路/弄/支弄/号/幢, or 村/组 for rural houses) to its 街镇, 居委会 and 小区.
- ca_divisions           民政 行政区划与居委会名录: districts (6 digits), streets/towns (9), committees (12),
  with office address, phone and the committee mailbox (issue 5 delivers ledgers there).

Both are clean CSV (UTF-8) written from the truth (areas, houses):

    counts = write_reference_extracts(city, out)   # city: anything with .houses and .areas (truth frames)
    records = reference_source_records(city)        # truth/source_records rows for both files (RECORD_SCHEMA)
"""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from shequyun_synth.areas import DISTRICT_NAMES, load_streets

AS_OF = date(2026, 11, 1)
STANDARD_ADDRESSES = "ps_standard_addresses"
DIVISIONS = "ca_divisions"
MAIL_DOMAIN = "community.example.cn"
RECORD_SCHEMA = {"system": pl.String, "source": pl.String, "row_key": pl.String, "person_id": pl.String,
                 "house_id": pl.String, "is_duplicate": pl.Boolean, "is_broken": pl.Boolean}
PATHS = {
    STANDARD_ADDRESSES: "public_security/ps_standard_addresses/ps_standard_addresses_{stamp}.csv",
    DIVISIONS: "civil_affairs/ca_divisions/ca_divisions_{stamp}.csv",
}


def _opt(col: str, suffix: str) -> pl.Expr:
    return pl.when(pl.col(col).is_not_null()).then(pl.col(col).cast(pl.String) + suffix).otherwise(pl.lit(""))


def _names(areas: pl.DataFrame, level: str, code: str, name: str) -> pl.DataFrame:
    return areas.filter(pl.col("level") == level).select(pl.col("code").alias(code), pl.col("name").alias(name))


def standard_addresses(houses: pl.DataFrame, areas: pl.DataFrame) -> pl.DataFrame:
    """One row per building (building_code of the truth), in 地址编码 order."""
    first = houses.sort("house_id").group_by("building_code", maintain_order=True).agg(
        pl.col("district_code", "street_code", "committee_code", "compound_code", "compound_name", "compound_kind",
               "road", "lane", "sub_lane", "building", "building_suffix", "village_group").first(),
        pl.col("number").first().alias("_number"), pl.col("number").n_unique().alias("_numbers"),
    )
    village = pl.col("compound_kind") == "村"
    b = first.with_columns(
        pl.when(village).then(None).otherwise(pl.col("_number")).alias("number"),
        pl.col("building_code").str.split("-").list.get(1).cast(pl.Int64).alias("_n"),
    )
    b = b.join(_names(areas, "street", "street_code", "street_name"), on="street_code", how="left")
    b = b.join(_names(areas, "committee", "committee_code", "committee_name"), on="committee_code", how="left")
    district = pl.col("district_code").replace_strict(DISTRICT_NAMES)
    building = pl.when(pl.col("building").is_not_null()).then(
        pl.col("building").cast(pl.String) + pl.col("building_suffix").fill_null("号楼")).otherwise(pl.lit(""))
    door = pl.when(village).then(pl.concat_str([pl.col("street_name"), pl.col("compound_name"), _opt("village_group", "组")])
                                 ).otherwise(pl.concat_str([pl.col("road").fill_null(""), _opt("lane", "弄"),
                                                            _opt("sub_lane", "支弄"), _opt("number", "号"), building]))
    b = b.with_columns(
        (pl.col("compound_code").str.slice(1) + pl.col("_n").cast(pl.String).str.zfill(4)).alias("address_code"),
        district.alias("district_name"),
        pl.concat_str([pl.lit("上海市"), district, door]).alias("standard_address"),
    ).sort("address_code")
    return b.select(
        pl.col("address_code").alias("地址编码"), pl.col("standard_address").alias("标准地址"),
        pl.col("district_code").alias("区划代码"), pl.col("district_name").alias("区"),
        pl.col("street_code").alias("街镇代码"), pl.col("street_name").alias("街镇"),
        pl.col("committee_code").alias("居委会代码"), pl.col("committee_name").alias("居委会"),
        pl.col("compound_name").alias("小区"), pl.col("road").alias("路"), pl.col("lane").alias("弄"),
        pl.col("sub_lane").alias("支弄"), pl.col("number").alias("号"), pl.col("building").alias("幢"),
        pl.col("village_group").alias("村民小组"),
    )


def _phone(code: pl.Expr) -> pl.Expr:
    return pl.format("021-{}", code.map_elements(lambda c: f"{5000_0000 + zlib.crc32(c.encode()) % 4000_0000:08d}",
                                                 return_dtype=pl.String))


def divisions(houses: pl.DataFrame, areas: pl.DataFrame) -> pl.DataFrame:
    """Districts, every street/town of the districts (215), the committees of the city; with office and mailbox."""
    streets = load_streets()
    committees = areas.filter(pl.col("level") == "committee")
    kind = pl.when(pl.col("name").str.ends_with("村委会")).then(pl.lit("村委会")).otherwise(pl.lit("居委会"))
    # a committee's office: the first building of its first compound
    office = houses.sort("house_id").group_by("committee_code", maintain_order=True).agg(pl.col("address").first())
    office = office.with_columns(pl.col("address").str.replace(r"\d+室$", "").str.replace(r"^上海市", "").alias("office"))
    d = pl.DataFrame({"code": list(DISTRICT_NAMES), "name": list(DISTRICT_NAMES.values())}).select(
        "code", "name", pl.lit("区").alias("level"), pl.lit("310100").alias("parent_code"), pl.lit("区").alias("kind"),
        pl.col("name").alias("office"))
    s = streets.select("code", "name", pl.lit("街镇").alias("level"), pl.col("district_code").alias("parent_code"),
                       pl.col("street_type").alias("kind"),
                       (pl.col("district_code").replace_strict(DISTRICT_NAMES) + pl.col("name")).alias("office"))
    c = committees.select("code", "name", pl.lit("居村委").alias("level"), "parent_code", kind.alias("kind")).join(
        office.select(pl.col("committee_code").alias("code"), "office"), on="code", how="left")
    out = pl.concat([d, s, c], how="vertical_relaxed").sort("code")
    mailbox = pl.when(pl.col("level") == "居村委").then(pl.format("{}@{}", pl.col("code"), pl.lit(MAIL_DOMAIN))).otherwise(
        pl.format("{}@gov.{}", pl.col("code"), pl.lit(MAIL_DOMAIN)))
    return out.select(
        pl.col("code").alias("区划代码"), pl.col("name").alias("名称"), pl.col("level").alias("层级"),
        pl.col("parent_code").alias("上级代码"), pl.col("kind").alias("类型"), pl.col("office").alias("办公地址"),
        _phone(pl.col("code")).alias("联系电话"), mailbox.alias("电子邮箱"),
    )


def build_reference_extracts(city: Any) -> dict[str, pl.DataFrame]:
    return {STANDARD_ADDRESSES: standard_addresses(city.houses, city.areas), DIVISIONS: divisions(city.houses, city.areas)}


def _stamp(city: Any) -> str:
    return (getattr(city, "as_of", None) or AS_OF).strftime("%Y%m%d")


def write_reference_extracts(city: Any, out: Path) -> dict[str, int]:
    """Write both reference extracts under out/landing/; returns rows per file (path relative to `out`)."""
    counts: dict[str, int] = {}
    for system, frame in build_reference_extracts(city).items():
        path = Path(out) / "landing" / PATHS[system].format(stamp=_stamp(city))
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(path)
        counts[str(path.relative_to(out))] = frame.height
    return counts


def reference_source_records(city: Any) -> pl.DataFrame:
    """truth/source_records rows of the two reference files (CSV: header = row 1, first data row = 2)."""
    frames = []
    for system, frame in build_reference_extracts(city).items():
        n = frame.height
        frames.append(pl.DataFrame({
            "system": [system] * n, "source": [PATHS[system].format(stamp=_stamp(city))] * n,
            "row_key": [str(i) for i in range(2, n + 2)], "person_id": [None] * n, "house_id": [None] * n,
            "is_duplicate": [False] * n, "is_broken": [False] * n}, schema=RECORD_SCHEMA))
    return pl.concat(frames)


def load_truth_city(truth_dir: Path) -> Any:
    """The truth frames a generated city wrote (truth/houses.parquet, truth/areas.parquet), as a city object."""
    from types import SimpleNamespace

    truth_dir = Path(truth_dir)
    return SimpleNamespace(houses=pl.read_parquet(truth_dir / "houses.parquet"),
                           areas=pl.read_parquet(truth_dir / "areas.parquet"), as_of=None)
