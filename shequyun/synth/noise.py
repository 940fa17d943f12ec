"""Documented noise for the department extracts: configuration and field-level transforms.

The rates live in `noise.yaml` next to this module (each documented there). Field noise is
applied to a small random subset of rows per kind; selection is vectorised (numpy), the
transform runs on the selected values only. Every change is returned as an event
(row id, kind, field, before, after) so that truth/noise.parquet lists all of them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import polars as pl
import yaml

NOISE_YAML = Path(__file__).with_name("noise.yaml")

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CN_DIGIT = str.maketrans("0123456789", "零一二三四五六七八九")
_EXCEL_EPOCH = date(1899, 12, 30)

# abolished district names -> the streets (9-digit codes) of today's district that they covered
FORMER_DISTRICTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # old name: (today's name, today's code, street codes of the former district; empty = whole district)
    "闸北区": ("静安区", "310106", ("310106015", "310106016", "310106017", "310106018", "310106019",
                                  "310106020", "310106021", "310106022", "310106101")),
    "卢湾区": ("黄浦区", "310101", ("310101020", "310101021", "310101022", "310101023")),
    "南汇区": ("浦东新区", "310115", ("310115131", "310115132", "310115133", "310115134", "310115135",
                                    "310115136", "310115137", "310115138", "310115139", "310115140",
                                    "310115141", "310115143", "310115114", "310115123")),
    "崇明县": ("崇明区", "310151", ()),
}
DISTRICT_NAMES = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
                  "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")
_DISTRICT_RE = re.compile("|".join(DISTRICT_NAMES))
_NUMBER_RE = re.compile(r"(\d+)(?=支弄|弄|号|幢|栋)")
_ROOM_RE = re.compile(r"(\d+)(?=室)")


@dataclass(frozen=True)
class NoiseConfig:
    """Noise rates (probability per eligible value or row); documented in noise.yaml."""

    id_substitution: float = 0.006
    id_transposition: float = 0.004
    id_legacy15: float = 0.03
    id_lowercase_x: float = 0.10
    id_fullwidth: float = 0.005
    name_traditional: float = 0.01
    name_missing_char: float = 0.005
    name_swapped_chars: float = 0.003
    name_fullwidth_space: float = 0.005
    address_traditional: float = 0.01
    address_cn_numerals: float = 0.02
    address_no_city: float = 0.03
    address_no_district: float = 0.01
    address_building_suffix: float = 0.03
    address_old_district: float = 0.05
    address_pudong_short: float = 0.05
    address_fullwidth: float = 0.01
    stale_address: float = 0.02
    phone_other: float = 0.03
    phone_fullwidth: float = 0.005
    date_format: float = 0.02
    duplicate_row: float = 0.005
    broken_row: float = 0.002
    legacy15_systems: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_yaml(cls, path: Path | str = NOISE_YAML) -> "NoiseConfig":
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown noise settings in {path}: {sorted(unknown)}")
        if "legacy15_systems" in raw:
            raw["legacy15_systems"] = tuple(raw["legacy15_systems"] or ())
        cfg = cls(**raw)
        cfg.validate()
        return cfg

    @classmethod
    def default(cls) -> "NoiseConfig":
        return cls.from_yaml(NOISE_YAML)

    @classmethod
    def zero(cls) -> "NoiseConfig":
        return cls(**{f.name: 0.0 for f in fields(cls) if f.name != "legacy15_systems"})

    def scaled(self, factor: float) -> "NoiseConfig":
        return replace(self, **{k: v * factor for k, v in self.rates().items()})

    def rates(self) -> dict[str, float]:
        return {k: v for k, v in asdict(self).items() if k != "legacy15_systems"}

    def validate(self) -> None:
        for kind, rate in self.rates().items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"noise rate {kind}={rate} is not a probability")
        for role, kinds in ROLE_KINDS.items():
            total = sum(getattr(self, k) for k in kinds)
            if total >= 1.0:
                raise ValueError(f"the {role} noise rates sum to {total:.3f} >= 1")


# ---------------------------------------------------------------- value transforms
# Each takes (value, rng) and returns the new value, or None when the value is not eligible.

Transform = Callable[[str, np.random.Generator], "str | None"]


def _digits17(v: str) -> bool:
    return len(v) == 18 and v[:17].isdigit()


def id_substitution(v: str, rng: np.random.Generator) -> str | None:
    if not _digits17(v):
        return None
    pos = int(rng.integers(0, 17))
    new = str((int(v[pos]) + int(rng.integers(1, 10))) % 10)
    return v[:pos] + new + v[pos + 1:]


def id_transposition(v: str, rng: np.random.Generator) -> str | None:
    if not _digits17(v):
        return None
    candidates = [i for i in range(16) if v[i] != v[i + 1]]
    if not candidates:
        return None
    i = candidates[int(rng.integers(0, len(candidates)))]
    return v[:i] + v[i + 1] + v[i] + v[i + 2:]


def id_legacy15(v: str, rng: np.random.Generator) -> str | None:
    if not _digits17(v) or not v[6:8] == "19":
        return None
    return v[:6] + v[8:17]


def id_lowercase_x(v: str, rng: np.random.Generator) -> str | None:
    return v[:-1] + "x" if len(v) == 18 and v.endswith("X") else None


def fullwidth_digits(v: str, rng: np.random.Generator) -> str | None:
    out = v.translate(_FULLWIDTH)
    return out if out != v else None


@lru_cache(maxsize=1)
def _s2t():  # noqa: ANN202 - opencc object
    import opencc

    return opencc.OpenCC("s2t")


def traditional(v: str, rng: np.random.Generator) -> str | None:
    out = _s2t().convert(v)
    return out if out != v else None


def _plain_chinese_name(v: str) -> bool:
    return len(v) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in v)


def name_missing_char(v: str, rng: np.random.Generator) -> str | None:
    if not _plain_chinese_name(v) or len(v) < 3:
        return None
    pos = int(rng.integers(1, len(v)))
    return v[:pos] + v[pos + 1:]


def name_swapped_chars(v: str, rng: np.random.Generator) -> str | None:
    if not _plain_chinese_name(v) or len(v) < 3 or v[-1] == v[-2]:
        return None
    return v[:-2] + v[-1] + v[-2]


def name_fullwidth_space(v: str, rng: np.random.Generator) -> str | None:
    return v[0] + "\u3000" + v[1:] if _plain_chinese_name(v) else None


def _cn_number(m: re.Match[str]) -> str:
    import cn2an

    return cn2an.an2cn(m.group(1), "low")


def address_cn_numerals(v: str, rng: np.random.Generator) -> str | None:
    out = _NUMBER_RE.sub(_cn_number, v)
    out = _ROOM_RE.sub(lambda m: m.group(1).translate(_CN_DIGIT), out)
    return out if out != v else None


def address_no_city(v: str, rng: np.random.Generator) -> str | None:
    return v[3:] if v.startswith("上海市") else None


def address_no_district(v: str, rng: np.random.Generator) -> str | None:
    out = _DISTRICT_RE.sub("", v, count=1)
    return out if out != v else None


_BUILDING_RE = re.compile(r"(?<=\d)(号楼|幢|栋)")


def address_building_suffix(v: str, rng: np.random.Generator) -> str | None:
    """号楼 / 幢 / 栋 written as one of the others, or as a bare 号 (1504号1号302室)."""
    m = _BUILDING_RE.search(v)
    if m is None:
        return None
    others = [s for s in ("号楼", "幢", "栋", "号") if s != m.group(1)]
    return v[:m.start()] + others[int(rng.integers(0, len(others)))] + v[m.end():]


def address_pudong_short(v: str, rng: np.random.Generator) -> str | None:
    return v.replace("浦东新区", "浦东区", 1) if "浦东新区" in v else None


def _old_district_for(street_code: str | None) -> tuple[str, str] | None:
    if not street_code:
        return None
    for old, (new, district_code, streets) in FORMER_DISTRICTS.items():
        if street_code.startswith(district_code) and (not streets or street_code in streets):
            return old, new
    return None


def address_old_district(v: str, street_code: str | None) -> str | None:
    hit = _old_district_for(street_code)
    if hit is None or hit[1] not in v:
        return None
    return v.replace(hit[1], hit[0], 1)


def _random_phone(rng: np.random.Generator) -> str:
    prefix = ("139", "138", "137", "136", "135", "186", "185", "158", "159", "133", "153", "189", "180", "177", "199")
    return prefix[int(rng.integers(0, len(prefix)))] + f"{int(rng.integers(0, 10**8)):08d}"


def phone_other(v: str, rng: np.random.Generator) -> str | None:
    out = _random_phone(rng)
    return out if out != v else None


ROLE_KINDS: dict[str, dict[str, Transform | None]] = {
    "id": {"id_substitution": id_substitution, "id_transposition": id_transposition, "id_legacy15": id_legacy15,
           "id_lowercase_x": id_lowercase_x, "id_fullwidth": fullwidth_digits},
    "name": {"name_traditional": traditional, "name_missing_char": name_missing_char,
             "name_swapped_chars": name_swapped_chars, "name_fullwidth_space": name_fullwidth_space},
    "address": {"address_traditional": traditional, "address_cn_numerals": address_cn_numerals,
                "address_no_city": address_no_city, "address_no_district": address_no_district,
                "address_building_suffix": address_building_suffix, "address_old_district": None,
                "address_pudong_short": address_pudong_short, "address_fullwidth": fullwidth_digits,
                "stale_address": None},
    "phone": {"phone_other": phone_other, "phone_fullwidth": fullwidth_digits},
    "date": {"date_format": None},
}

# ---------------------------------------------------------------- dates

DATE_STYLES: dict[str, str] = {
    "iso": "%Y-%m-%d", "slash": "%Y/%-m/%-d", "compact": "%Y%m%d", "cn": "%Y年%-m月%-d日",
    "month": "%Y-%m", "month_cn": "%Y年%-m月", "month_compact": "%Y%m",
}
TEXT_ALTERNATIVES = ("iso", "slash", "compact", "cn")
MONTH_ALTERNATIVES = ("month_cn", "month_compact")


def format_date_expr(col: str, style: str) -> pl.Expr:
    """A polars expression formatting the Date column `col` in one of DATE_STYLES or 'serial' (Excel day number)."""
    if style in ("serial", "xlsx_date"):
        return (pl.col(col) - pl.lit(_EXCEL_EPOCH)).dt.total_days().cast(pl.String)
    return pl.col(col).dt.strftime(DATE_STYLES[style])


def _alternatives(base: str, xlsx: bool) -> tuple[str, ...]:
    if base.startswith("month"):
        return tuple(s for s in MONTH_ALTERNATIVES if s != base)
    alts = tuple(s for s in TEXT_ALTERNATIVES if s != base)
    if xlsx and base not in ("serial", "xlsx_date"):
        alts = alts + ("serial",)
    return alts


# ---------------------------------------------------------------- applying to a frame

EVENT_SCHEMA = {"_rid": pl.Int64, "kind": pl.String, "field": pl.String, "before": pl.String, "after": pl.String}


def empty_events() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENT_SCHEMA)


def _encodable(value: str, encoding: str) -> bool:
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _draw(n: int, kinds: list[str], cfg: NoiseConfig, rng: np.random.Generator) -> np.ndarray:
    """One uniform draw per value; returns the index of the kind that fires (or -1)."""
    u = rng.random(n)
    edges = np.cumsum([getattr(cfg, k) for k in kinds])
    pick = np.searchsorted(edges, u, side="right")
    return np.where(pick < len(kinds), pick, -1)


def apply_field_noise(
    df: pl.DataFrame,
    *,
    system: str,
    roles: dict[str, list[str]],
    date_styles: dict[str, str],
    cfg: NoiseConfig,
    rng: np.random.Generator,
    xlsx: bool = False,
    encoding: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Apply field noise to `df` (must have `_rid`; may have `_street__<col>`, `_stale__<col>`, `_stale_house__<col>`).

    `roles` maps a role (id, name, address, phone) to the source columns that play it;
    `date_styles` maps each Date column to its base style; those columns come back as text.
    Returns the new frame and the events (with `_rid`).
    """
    events: list[dict[str, object]] = []
    rids = df["_rid"].to_numpy()
    updates: dict[str, pl.Series] = {}
    for role, cols in roles.items():
        kinds = list(ROLE_KINDS[role])
        for col in cols:
            if col not in df.columns:
                continue
            values = df[col].to_list()
            pick = _draw(len(values), kinds, cfg, rng)
            street = df[f"_street__{col}"].to_list() if f"_street__{col}" in df.columns else None
            stale = df[f"_stale__{col}"].to_list() if f"_stale__{col}" in df.columns else None
            stale_house = df[f"_stale_house__{col}"].to_list() if f"_stale_house__{col}" in df.columns else None
            house_changes: dict[int, str | None] = {}
            changed = False
            for i in np.flatnonzero(pick >= 0):
                before = values[i]
                if before is None or before == "":
                    continue
                kind = kinds[pick[i]]
                if kind == "id_legacy15" and system not in cfg.legacy15_systems:
                    continue
                if kind == "address_old_district":
                    after = address_old_district(before, street[i] if street else None)
                elif kind == "stale_address":
                    after = stale[i] if stale else None
                    if after is not None and after != before:
                        house_changes[i] = stale_house[i] if stale_house else None
                else:
                    after = ROLE_KINDS[role][kind](before, rng)  # type: ignore[misc]
                if after is None or after == before:
                    continue
                if encoding is not None and not _encodable(after, encoding):
                    continue
                values[i] = after
                changed = True
                events.append({"_rid": int(rids[i]), "kind": kind, "field": col, "before": before, "after": after})
            if changed:
                updates[col] = pl.Series(col, values, dtype=pl.String)
            if house_changes and "_house_id" in df.columns:
                houses = df["_house_id"].to_list()
                for i, h in house_changes.items():
                    houses[i] = h
                updates["_house_id"] = pl.Series("_house_id", houses, dtype=pl.String)
    if updates:
        df = df.with_columns(list(updates.values()))
    df, date_events = _apply_dates(df, date_styles, cfg, rng, xlsx)
    ev = pl.DataFrame(events, schema=EVENT_SCHEMA) if events else empty_events()
    return df, pl.concat([ev, date_events])


def _apply_dates(
    df: pl.DataFrame, styles: dict[str, str], cfg: NoiseConfig, rng: np.random.Generator, xlsx: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    frames = [empty_events()]
    for col, base in styles.items():
        alts = _alternatives(base, xlsx)
        n = df.height
        fire = (rng.random(n) < cfg.date_format) & df[col].is_not_null().to_numpy()
        alt_idx = rng.integers(0, len(alts), n)
        base_expr = format_date_expr(col, base)
        expr = base_expr
        for k, alt in enumerate(alts):
            mask = pl.lit(pl.Series(fire & (alt_idx == k)))
            expr = pl.when(mask).then(format_date_expr(col, alt)).otherwise(expr)
        out = df.select(pl.col("_rid"), base_expr.alias("before"), expr.alias("after"))
        df = df.with_columns(expr.alias(col))
        ev = out.filter(pl.lit(pl.Series(fire)) & (pl.col("before") != pl.col("after")))
        frames.append(ev.select(pl.col("_rid"), pl.lit("date_format").alias("kind"), pl.lit(col).alias("field"),
                                pl.col("before"), pl.col("after")))
    return df, pl.concat(frames)
