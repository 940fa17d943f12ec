"""Shared, vectorised views of the truth that every extract builder uses.

`Context` holds the persons with derived columns (age, ...), the houses with their address in
each department's writing style, and each person's previous house (for stale addresses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl

# GB/T 3304 民族 codes
ETHNICITY_CODES = {name: f"{i + 1:02d}" for i, name in enumerate(
    ["汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"])}
ETHNICITY_CODES.update({"其他": "97", "外国血统": "98", "外国血统中国籍人士": "98"})

ADDRESS_STYLES = ("canonical", "no_city", "street", "local", "compound", "housing", "veteran")


def _opt(col: str, suffix: str) -> pl.Expr:
    return pl.when(pl.col(col).is_not_null()).then(pl.col(col).cast(pl.String) + suffix).otherwise(pl.lit(""))


def _house_styles(houses: pl.DataFrame, areas: pl.DataFrame) -> pl.DataFrame:
    """Each house's address in every department style (vectorised); `canonical` is the truth address."""
    names = areas.select("code", "name")
    h = houses.join(names.rename({"code": "district_code", "name": "_district"}), on="district_code", how="left", maintain_order="left")
    h = h.join(names.rename({"code": "street_code", "name": "_street"}), on="street_code", how="left", maintain_order="left")
    h = h.with_columns(pl.col("_district").fill_null(""), pl.col("_street").fill_null(""))
    if "building_suffix" not in h.columns:
        h = h.with_columns(pl.lit("号楼").alias("building_suffix"))
    if "village_group" not in h.columns:
        h = h.with_columns(pl.lit(None, pl.Int64).alias("village_group"))
    suffix = pl.col("building_suffix").fill_null("号楼")
    suffix = pl.when(suffix == "号").then(pl.lit("号楼")).otherwise(suffix)

    def building(sfx: pl.Expr) -> pl.Expr:
        return pl.when(pl.col("building").is_not_null()).then(pl.col("building").cast(pl.String) + sfx).otherwise(pl.lit(""))

    village = pl.col("road").is_null() & pl.col("village_group").is_not_null()
    village_door = pl.concat_str([pl.col("compound_name").fill_null(""), _opt("village_group", "组"), _opt("number", "号")])
    door = pl.concat_str([pl.col("road").fill_null(""), _opt("lane", "弄"), _opt("sub_lane", "支弄"), _opt("number", "号")])

    def rest(sfx: pl.Expr, room: pl.Expr) -> pl.Expr:
        return pl.when(village).then(pl.concat_str([pl.col("_street"), village_door])).otherwise(
            pl.concat_str([door, building(sfx), room]))

    room = _opt("room", "室")
    plain = rest(suffix, room)
    canonical = pl.col("address") if "address" in h.columns else pl.concat_str([pl.lit("上海市"), pl.col("_district"), plain])
    return h.select(
        "house_id", "street_code", "committee_code",
        canonical.alias("canonical"),
        pl.concat_str([pl.col("_district"), plain]).alias("no_city"),
        pl.concat_str([pl.col("_district"), pl.when(village).then(pl.lit("")).otherwise(pl.col("_street")), plain]).alias("street"),
        plain.alias("local"),
        pl.when(village).then(village_door).otherwise(pl.concat_str([
            pl.col("compound_name").fill_null(pl.col("road").fill_null("")), _opt("number", "号"), building(suffix), room,
        ])).alias("compound"),
        pl.concat_str([pl.col("_district"), rest(pl.lit("幢"), room)]).alias("housing"),
        pl.concat_str([pl.lit("上海市"), pl.col("_district"), rest(pl.lit("栋"), pl.col("room").cast(pl.String).fill_null(""))]
                      ).alias("veteran"),
    )


def _age(birth: pl.Expr, as_of: date) -> pl.Expr:
    md = as_of.month * 100 + as_of.day
    return (pl.lit(as_of.year) - birth.dt.year() - ((birth.dt.month() * 100 + birth.dt.day()) > md).cast(pl.Int32)).cast(
        pl.Int32)


@dataclass
class Context:
    as_of: date
    persons: pl.DataFrame      # truth persons + age, home_house_id, prev_house_id, household_no, head_person_id
    #                            (residence_since: the move into the residence; null without a previous house)
    houses: pl.DataFrame       # truth houses
    households: pl.DataFrame
    addresses: pl.DataFrame    # house_id, street_code, committee_code + one column per ADDRESS_STYLES
    areas: pl.DataFrame

    @classmethod
    def from_city(cls, city: Any, seed: int) -> Context:
        as_of = getattr(city, "as_of", None) or date(2026, 11, 1)
        rng = np.random.default_rng([seed, 1])
        addresses = _house_styles(city.houses, city.areas)
        p = city.persons.with_columns(
            _age(pl.col("birth_date"), as_of).alias("age"),
            pl.coalesce("residence_house_id", "hukou_house_id").alias("home_house_id"),
        )
        p = p.join(city.households.select("household_id", "household_no", "head_person_id"), on="household_id", how="left", maintain_order="left")
        p = p.with_columns(_previous_house(p, city.houses, rng).alias("prev_house_id"))
        if "residence_since" in p.columns:
            # a previous house exists only for a person who moved into the residence (residence_since); the
            # departments that keep it (stale_address) dated their record before that day
            p = p.with_columns(pl.when(pl.col("residence_since").is_not_null()).then(pl.col("prev_house_id"))
                               .alias("prev_house_id"))
        else:
            p = p.with_columns(pl.lit(None, pl.Date).alias("residence_since"))
        return cls(as_of=as_of, persons=p, houses=city.houses, households=city.households, addresses=addresses,
                   areas=city.areas)

    def address(self, df: pl.DataFrame, house_col: str, style: str, out: str, *, stale_from: str | None = None) -> pl.DataFrame:
        """Add column `out` = the address of house `house_col` in `style`, plus `_street__out`;
        with `stale_from` (a house-id column) also `_stale__out` and `_stale_house__out` for stale-address noise."""
        a = self.addresses.select(pl.col("house_id").alias(house_col), pl.col(style).alias(out),
                                  pl.col("street_code").alias(f"_street__{out}"))
        df = df.join(a, on=house_col, how="left", maintain_order="left")
        if stale_from is not None:
            s = self.addresses.select(pl.col("house_id").alias(stale_from), pl.col(style).alias(f"_stale__{out}"))
            df = df.join(s, on=stale_from, how="left", maintain_order="left").with_columns(pl.col(stale_from).alias(f"_stale_house__{out}"))
        return df


def _previous_house(p: pl.DataFrame, houses: pl.DataFrame, rng: np.random.Generator) -> pl.Series:
    """The house a department may still have: the registered (hukou) house for 人户分离 persons,
    otherwise a random other house of the same committee."""
    h = houses.select("house_id", "committee_code").sort("committee_code", "house_id")
    committees = h.group_by("committee_code", maintain_order=True).agg(pl.len().alias("n"))
    start = np.r_[0, np.cumsum(committees["n"].to_numpy().astype(np.int64))[:-1]].astype(np.int64)
    flat = h["house_id"].to_numpy()
    lookup = pl.DataFrame({"committee_code": committees["committee_code"], "_start": start, "_n": committees["n"]})
    home = p.select("home_house_id").join(houses.select(pl.col("house_id").alias("home_house_id"), "committee_code"),
                                          on="home_house_id", how="left", maintain_order="left").join(lookup, on="committee_code", how="left", maintain_order="left")
    n = home["_n"].fill_null(1).to_numpy()
    pos = home["_start"].fill_null(0).to_numpy().astype(np.int64) + np.floor(rng.random(len(n)) * n).astype(np.int64)
    random_house = np.where(home["_n"].is_null().to_numpy(), None, flat[np.minimum(pos, len(flat) - 1)]) if len(flat) else None
    hk, res = p["hukou_house_id"], p["residence_house_id"]
    moved = (hk.is_not_null() & res.is_not_null() & (hk != res)).fill_null(False).to_numpy()
    out = np.where(moved, hk.to_numpy(), random_house)
    return pl.Series("prev_house_id", out, dtype=pl.String)
