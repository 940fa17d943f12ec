"""Address keys for person matching, per distinct address: the written address with building suffixes
unified and Chinese numerals turned into digits (cn2an, only where a numeral is present), and its door
(门牌: number + building + room, e.g. 225号3幢303室) which department styles share even when one writes the
road (共富路1717号...) and another the compound name (祥云华庭1717号...)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import cn2an
import polars as pl

_NUMERAL = r"[零〇一二两三四五六七八九十百千]"
_DOOR = r"((?:\d+组)?\d+号(?:\d+幢)?(?:\d+室)?)$"


def _cn_to_digits(text: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cn2an.transform(text, "cn2an")
        except Exception:  # noqa: BLE001 - cn2an rejects some strings; keep them as written
            return text


def address_keys(addresses: Iterable[str | None]) -> pl.DataFrame:
    """One row per distinct non-empty address: address, address_std, address_door (null when none)."""
    df = pl.DataFrame({"address": sorted({a for a in addresses if isinstance(a, str) and a})}, schema={"address": pl.String})
    has_numeral = df["address"].str.contains(_NUMERAL + r"+[号幢栋室弄组]")
    converted = [(_cn_to_digits(a) if n else a) for a, n in zip(df["address"].to_list(), has_numeral.to_list())]
    std = (pl.Series(converted, dtype=pl.String)
           .str.replace_all(r"(\d+)(?:号楼|幢|栋)", "${1}幢")
           .str.replace(r"(\d+号)(\d+)号(\d+室)$", "${1}${2}幢${3}"))
    return df.with_columns(std.alias("address_std"), std.str.extract(_DOOR, 1).alias("address_door"))
