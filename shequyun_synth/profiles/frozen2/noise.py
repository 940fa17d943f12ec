"""The frozen2 noise kinds (profile.yaml `noise_kinds`) and how a system's columns get them.

Each transform takes the candidate values of a column (a String Series) and returns, per value, the noisy value or
null where the value is not eligible. A value is eligible for a kind when the transform changes it; a rate is the
probability per eligible value. The kinds of a column are tried in the order the system YAML lists them, each on the
values no earlier kind changed:

    df, events, counts = apply_noise(df, system, rng)   # counts: {(header, kind): [eligible, events]}

The address kinds and name_traditional / id_legacy15 / phone_other are the default profile's transforms
(shequyun_synth.noise); stale_address also moves the record's truth house to the previous one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import polars as pl

from shequyun_synth import names
from shequyun_synth.noise import (
    DATE_STYLES,
    VECTORISED,
    _stale_values,
    format_date_expr,
)
from shequyun_synth.profiles.frozen2.spec import System

EVENT_SCHEMA = {"_rid": pl.Int64, "kind": pl.String, "field": pl.String, "before": pl.String, "after": pl.String}
ALT_KINDS = {"id_former": "former", "permit_instead_of_id": "permit", "passport_instead_of_id": "passport"}
DOT_VARIANTS = ("\u30fb", "\u2022", "\uff0e")          # ・ • ．
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
# common characters of names, besides the population's pools: the homophones a clerk may write instead
_COMMON = ("张章王汪黄皇杨阳扬周舟朱珠孙徐许刘留陈晨沈审胡湖吴伍金今敏民明名铭华化建健剑国强伟维卫军君俊峻红宏洪鸿"
           "芳方英莹颖静敬婧晶丽莉力立燕艳秀琴勤芹兰岚梅玫美玲琳林霞夏婷庭亭佳嘉家怡宜仪欣新心馨涵含晗浩昊豪皓宇雨语羽"
           "轩萱宣博波柏文雯闻志智芝平萍杰洁婕龙隆荣容蓉春纯淑书舒海凯楷慧惠蕙德得勇永泳涛滔斌彬冰兵峰锋枫风丰凤云芸"
           "东冬栋雪学鹏朋辉晖琪奇淇祺思斯诗")


def _v(values: pl.Series, expr: pl.Expr) -> pl.Series:
    return pl.DataFrame({"v": values}).select(expr).to_series()


V = pl.col("v")
DIGITS = V.str.contains(r"^\d+$")


# ---------------------------------------------------------------- identity numbers

def id_excel_sci(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    """3.10104E+17: Excel's General format of a long number (6 significant digits, trailing zeros dropped)."""
    out = [None if v is None or not v.isdigit() or len(v) not in (15, 18, 20)
           else re.sub(r"\.?0+E", "E", f"{float(v):.5E}") for v in s.to_list()]
    return pl.Series(out, dtype=pl.String)


def id_excel_dot0(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    return _v(s, pl.when(DIGITS).then(V + ".0"))


def id_excel_000(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    ok = V.str.contains(r"^(\d{18}|\d{20})$") & ~V.str.ends_with("000")
    return _v(s, pl.when(ok).then(V.str.slice(0, V.str.len_chars() - 3) + "000"))


def id_masked(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    n = V.str.len_chars()
    ok = V.str.contains(r"^(\d{15}|\d{17}[0-9Xx])$")
    return _v(s, pl.when(ok).then(pl.concat_str([V.str.slice(0, 3), pl.lit("*").repeat_by(n - 7).list.join(""),
                                                 V.str.slice(n - 4)])))


def _alternative(s: pl.Series, rng: np.random.Generator, alt: pl.Series | None = None, **_: object) -> pl.Series:
    return alt if alt is not None else pl.Series([None] * s.len(), dtype=pl.String)


# ---------------------------------------------------------------- names

def _split(name: str) -> tuple[str, str]:
    from shequyun_synth.profiles.frozen2.population import split_name

    return split_name(name)


@lru_cache(maxsize=65536)
def _pinyin(name: str) -> tuple[str, str]:
    from pypinyin import lazy_pinyin

    surname, given = _split(name)
    return "".join(lazy_pinyin(surname)), "".join(lazy_pinyin(given))


def name_pinyin(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    """Zhang Jianguo / ZHANG JIANGUO / zhang jianguo / zhangjianguo."""
    styles = rng.integers(0, 4, s.len())
    out = []
    for v, k in zip(s.to_list(), styles):
        if v is None or not _HAN_NAME.match(v):
            out.append(None)
            continue
        sur, given = _pinyin(v)
        out.append([f"{sur.title()} {given.title()}", f"{sur} {given}".upper(), f"{sur} {given}", f"{sur}{given}"][k])
    return pl.Series(out, dtype=pl.String)


def name_dot_variant(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    pick = rng.integers(0, len(DOT_VARIANTS), s.len())
    return pl.Series([v.replace("\u00b7", DOT_VARIANTS[k]) if v is not None and "\u00b7" in v else None
                      for v, k in zip(s.to_list(), pick)], dtype=pl.String)


@lru_cache(maxsize=1)
def homophones() -> dict[str, tuple[str, ...]]:
    """Character -> the other characters of the pool read the same (pinyin without tones), in code-point order."""
    from pypinyin import lazy_pinyin

    pool = set(_COMMON)
    for attr in dir(names):
        value = getattr(names, attr)
        if isinstance(value, list):
            for item in value:
                text = item[0] if isinstance(item, tuple) else item
                if isinstance(text, str):
                    pool.update(c for c in text if "\u4e00" <= c <= "\u9fff")
    by_sound: dict[str, list[str]] = {}
    for c in sorted(pool):
        by_sound.setdefault(lazy_pinyin(c)[0], []).append(c)
    return {c: tuple(o for o in group if o != c) for group in by_sound.values() for c in group if len(group) > 1}


def name_homophone(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    table = homophones()
    u, w = rng.random(s.len()), rng.random(s.len())
    out = []
    for v, a, b in zip(s.to_list(), u, w):
        spots = [i for i, c in enumerate(v or "") if c in table] if v is not None and _HAN_NAME.match(v) else []
        if not spots:
            out.append(None)
            continue
        i = spots[int(a * len(spots))]
        others = table[v[i]]
        out.append(v[:i] + others[int(b * len(others))] + v[i + 1:])
    return pl.Series(out, dtype=pl.String)


# ---------------------------------------------------------------- phones

def phone_masked(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    return _v(s, pl.when(V.str.contains(r"^1\d{10}$")).then(V.str.slice(0, 3) + "****" + V.str.slice(7)))


# ---------------------------------------------------------------- dates

ALTERNATIVE_DATES = ("iso", "slash", "compact", "cn")


def date_format(s: pl.Series, rng: np.random.Generator, date: pl.Series | None = None, **_: object) -> pl.Series:
    if date is None:
        return pl.Series([None] * s.len(), dtype=pl.String)
    pick = rng.integers(0, len(ALTERNATIVE_DATES), s.len())
    frame = pl.DataFrame({"d": date, "k": pick})
    expr = pl.lit(None, pl.String)
    for k, style in enumerate(ALTERNATIVE_DATES):
        expr = pl.when(pl.col("k") == k).then(format_date_expr("d", style)).otherwise(expr)
    return frame.select(expr).to_series()


def _default(kind: str) -> Callable[..., pl.Series]:
    def transform(s: pl.Series, rng: np.random.Generator, **extra: object) -> pl.Series:
        if kind == "address_cn_numerals":   # per value (cn2an): each distinct address once
            uniq = s.unique(maintain_order=True)
            mapped = VECTORISED[kind](uniq, rng)
            return pl.DataFrame({"v": s}).join(pl.DataFrame({"v": uniq, "o": mapped}), on="v", how="left",
                                               maintain_order="left")["o"]
        return VECTORISED[kind](s, rng, **extra)
    return transform


TRANSFORMS: dict[str, Callable[..., pl.Series]] = {
    "id_excel_sci": id_excel_sci, "id_excel_dot0": id_excel_dot0, "id_excel_000": id_excel_000, "id_masked": id_masked,
    "id_former": _alternative, "permit_instead_of_id": _alternative, "passport_instead_of_id": _alternative,
    "name_pinyin": name_pinyin, "name_dot_variant": name_dot_variant, "name_homophone": name_homophone,
    "phone_masked": phone_masked, "date_format": date_format,
    **{k: _default(k) for k in ("id_legacy15", "name_traditional", "phone_other", "address_cn_numerals", "address_no_city",
                                "address_no_district", "address_traditional", "address_building_suffix",
                                "address_old_district", "address_pudong_short", "stale_address")},
}
DATE_STYLES_EXTRA = {**DATE_STYLES, "dot_month": "%Y.%m"}


def apply_noise(df: pl.DataFrame, system: System, rng: np.random.Generator
                ) -> tuple[pl.DataFrame, pl.DataFrame, dict[tuple[str, str], list[int]]]:
    """Field noise on the rendered rows (`_rid`, headers as text, hidden columns of the builder and the renderer).

    Returns the rows, the events (EVENT_SCHEMA, with `_rid`) and per (header, kind) [eligible values, events]."""
    frames = [pl.DataFrame(schema=EVENT_SCHEMA)]
    counts: dict[tuple[str, str], list[int]] = {}
    for col in system.columns:
        if not col.noise:
            continue
        h = col.header
        values = df[h].cast(pl.String)
        touched = np.zeros(df.height, dtype=bool)
        present = (values.is_not_null() & (values != "")).fill_null(False).to_numpy()
        for kind, rate in col.noise.items():
            extra: dict[str, pl.Series] = {}
            if kind in ALT_KINDS:
                alt_col = f"{col.field}__{ALT_KINDS[kind]}"
                alt = df[alt_col] if alt_col in df.columns else pl.Series([None] * df.height, dtype=pl.String)
                cand = np.flatnonzero(~touched & alt.is_not_null().to_numpy())
                extra["alt"] = alt.gather(cand)
            else:
                cand = np.flatnonzero(~touched & present)
                if f"_street__{h}" in df.columns:
                    extra["street"] = df[f"_street__{h}"].gather(cand)
                if f"_stale__{h}" in df.columns:
                    extra["stale"] = _stale_values(df, h).gather(cand)
                if f"_date__{h}" in df.columns:
                    extra["date"] = df[f"_date__{h}"].gather(cand)
            if not len(cand):
                counts[(h, kind)] = [0, 0]
                continue
            before = values.gather(cand)
            after = TRANSFORMS[kind](before, rng, **extra)
            ok = (after.is_not_null() & (before.is_null() | (after != before))).fill_null(False).to_numpy()
            eligible = cand[ok]
            fire = rng.random(len(eligible)) < rate
            rows = eligible[fire]
            counts[(h, kind)] = [len(eligible), len(rows)]
            if not len(rows):
                continue
            new = after.filter(pl.Series(ok)).filter(pl.Series(fire))
            old = before.filter(pl.Series(ok)).filter(pl.Series(fire))
            values = values.scatter(rows, new)
            touched[rows] = True
            if kind == "stale_address" and f"_stale_house__{h}" in df.columns:
                df = df.with_columns(df["_house_id"].scatter(rows, df[f"_stale_house__{h}"].gather(rows)))
            frames.append(pl.DataFrame({"_rid": df["_rid"].gather(rows), "kind": kind, "field": h, "before": old,
                                        "after": new}, schema=EVENT_SCHEMA))
        df = df.with_columns(values.alias(h))
    return df, pl.concat(frames).sort("_rid", "field", "kind"), counts
