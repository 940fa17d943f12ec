"""Documented noise for the department extracts: configuration and field-level transforms.

The rates live in `noise.yaml` next to this module (each documented there). Field noise is
applied to a small random subset of rows per kind; selection is vectorised (numpy), the
transform runs on the selected values only. Every change is returned as an event
(row id, kind, field, before, after) so that truth/noise.parquet lists all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

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
    stale_address: float = 0.05
    phone_other: float = 0.03
    phone_fullwidth: float = 0.005
    date_format: float = 0.02
    duplicate_row: float = 0.005
    broken_row: float = 0.002
    legacy15_systems: tuple[str, ...] = field(default_factory=tuple)
    # per-system multipliers of some rates: {system: {kind: factor}}
    system_factors: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def from_yaml(cls, path: Path | str = NOISE_YAML) -> NoiseConfig:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown noise settings in {path}: {sorted(unknown)}")
        if "legacy15_systems" in raw:
            raw["legacy15_systems"] = tuple(raw["legacy15_systems"] or ())
        if "system_factors" in raw:
            raw["system_factors"] = {str(s): {str(k): float(v) for k, v in (f or {}).items()}
                                     for s, f in (raw["system_factors"] or {}).items()}
        cfg = cls(**raw)
        cfg.validate()
        return cfg

    def for_system(self, system: str) -> NoiseConfig:
        """The rates that apply to one system (its factors applied)."""
        factors = self.system_factors.get(system, {})
        return replace(self, **{k: getattr(self, k) * f for k, f in factors.items()}) if factors else self

    @classmethod
    def default(cls) -> NoiseConfig:
        return cls.from_yaml(NOISE_YAML)

    @classmethod
    def zero(cls) -> NoiseConfig:
        return cls(**{name: 0.0 for name in cls.rate_names()})

    @classmethod
    def rate_names(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name not in ("legacy15_systems", "system_factors")]

    def scaled(self, factor: float) -> NoiseConfig:
        return replace(self, **{k: v * factor for k, v in self.rates().items()})

    def rates(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in self.rate_names()}

    def validate(self) -> None:
        for system, factors in self.system_factors.items():
            unknown = set(factors) - set(self.rate_names())
            if unknown:
                raise ValueError(f"unknown noise kinds in system_factors.{system}: {sorted(unknown)}")
        for cfg in [self] + [self.for_system(s) for s in self.system_factors]:
            for kind, rate in cfg.rates().items():
                if not 0.0 <= rate <= 1.0:
                    raise ValueError(f"noise rate {kind}={rate} is not a probability")
            for role, kinds in ROLE_KINDS.items():
                total = sum(getattr(cfg, k) for k in kinds)
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
    if not _digits17(v) or v[6:8] != "19":
        return None
    return v[:6] + v[8:17]


def id_lowercase_x(v: str, rng: np.random.Generator) -> str | None:
    return v[:-1] + "x" if len(v) == 18 and v.endswith("X") else None


def fullwidth_digits(v: str, rng: np.random.Generator) -> str | None:
    out = v.translate(_FULLWIDTH)
    return out if out != v else None


@lru_cache(maxsize=1)
def _s2t():
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


# ---------------------------------------------------------------- vectorised transforms
# Each takes the selected values (a String Series, no nulls) and returns a Series of the same length:
# the new value, or null where the value is not eligible. Only cn numerals run per value (cn2an).

_HAN = r"[\u4e00-\u9fff]"
_FW = list("０１２３４５６７８９")


def _frame(values: pl.Series, **arrays: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({"v": values, **{k: pl.Series(k, a) for k, a in arrays.items()}})


def _v_id_substitution(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    n = s.len()
    f = _frame(s, pos=rng.integers(0, 17, n).astype(np.int64), add=rng.integers(1, 10, n).astype(np.int64))
    v, pos = pl.col("v"), pl.col("pos")
    digit = ((v.str.slice(pos, 1).cast(pl.Int64, strict=False) + pl.col("add")) % 10).cast(pl.String)
    out = pl.concat_str([v.str.slice(0, pos), digit, v.str.slice(pos + 1)])
    return f.select(pl.when(v.str.contains(r"^\d{17}[0-9Xx]$")).then(out)).to_series()


def _v_id_transposition(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    n = s.len()
    start = rng.integers(0, 16, n)
    f = _frame(s, **{f"p{k}": ((start + k) % 16).astype(np.int64) for k in range(16)})
    v = pl.col("v")
    differs = [v.str.slice(pl.col(f"p{k}"), 1) != v.str.slice(pl.col(f"p{k}") + 1, 1) for k in range(16)]
    pos = pl.when(differs[0]).then(pl.col("p0"))
    for k in range(1, 16):
        pos = pos.when(differs[k]).then(pl.col(f"p{k}"))
    f = f.with_columns(pos.alias("pos"))
    p = pl.col("pos")
    out = pl.concat_str([v.str.slice(0, p), v.str.slice(p + 1, 1), v.str.slice(p, 1), v.str.slice(p + 2)])
    return f.select(pl.when(v.str.contains(r"^\d{17}[0-9Xx]$") & p.is_not_null()).then(out)).to_series()


def _v_id_legacy15(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    v = pl.col("v")
    ok = v.str.contains(r"^\d{17}[0-9Xx]$") & (v.str.slice(6, 2) == "19")
    return _frame(s).select(pl.when(ok).then(v.str.slice(0, 6) + v.str.slice(8, 9))).to_series()


def _v_id_lowercase_x(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    v = pl.col("v")
    ok = v.str.contains(r"^\d{17}X$")
    return _frame(s).select(pl.when(ok).then(v.str.slice(0, 17) + "x")).to_series()


def _v_fullwidth(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    return s.str.replace_many(list("0123456789"), _FW)


def _v_traditional(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    if s.len() == 0:
        return s
    values = s.to_list()
    if any("\n" in v for v in values):
        return pl.Series([traditional(v, rng) for v in values], dtype=pl.String)
    converted = _s2t().convert("\n".join(values)).split("\n")
    return pl.Series(converted, dtype=pl.String)


def _v_name_missing_char(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    f = _frame(s, u=rng.random(s.len()))
    v = pl.col("v")
    n = v.str.len_chars().cast(pl.Int64)
    pos = (pl.lit(1) + (pl.col("u") * (n - 1)).floor().cast(pl.Int64)).clip(1, n - 1)
    ok = v.str.contains(f"^{_HAN}{{3,}}$")
    return f.select(pl.when(ok).then(v.str.slice(0, pos) + v.str.slice(pos + 1))).to_series()


def _v_name_swapped_chars(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    v = pl.col("v")
    n = v.str.len_chars().cast(pl.Int64)
    last, second = v.str.slice(n - 1, 1), v.str.slice(n - 2, 1)
    ok = v.str.contains(f"^{_HAN}{{3,}}$") & (last != second)
    return _frame(s).select(pl.when(ok).then(pl.concat_str([v.str.slice(0, n - 2), last, second]))).to_series()


def _v_name_fullwidth_space(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    v = pl.col("v")
    ok = v.str.contains(f"^{_HAN}{{2,}}$")
    return _frame(s).select(pl.when(ok).then(pl.concat_str([v.str.slice(0, 1), pl.lit("\u3000"), v.str.slice(1)]))
                            ).to_series()


def _v_address_cn_numerals(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    return pl.Series([address_cn_numerals(v, rng) for v in s.to_list()], dtype=pl.String)


def _v_address_no_city(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    v = pl.col("v")
    return _frame(s).select(pl.when(v.str.starts_with("上海市")).then(v.str.slice(3))).to_series()


def _v_address_no_district(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    return s.str.replace("|".join(DISTRICT_NAMES), "", n=1)


def _v_address_building_suffix(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    choices = {"号楼": ["幢", "栋", "号"], "幢": ["号楼", "栋", "号"], "栋": ["号楼", "幢", "号"]}
    parts = s.str.extract_groups(r"^(.*?\d)(号楼|幢|栋)(.*)$").struct.rename_fields(["a", "sfx", "b"]).struct.unnest()
    k = rng.integers(0, 3, s.len())
    target = pl.Series([None if x is None else choices[x][i] for x, i in zip(parts["sfx"].to_list(), k)],
                       dtype=pl.String)
    return parts.with_columns(target.alias("t")).select(pl.concat_str(["a", "t", "b"])).to_series()


def _v_address_pudong_short(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    v = pl.col("v")
    return _frame(s).select(pl.when(v.str.contains("浦东新区", literal=True))
                            .then(v.str.replace("浦东新区", "浦东区", literal=True))).to_series()


def _v_address_old_district(s: pl.Series, rng: np.random.Generator, street: pl.Series | None = None,
                            **_: object) -> pl.Series:
    if street is None:
        return pl.Series([None] * s.len(), dtype=pl.String)
    f = pl.DataFrame({"v": s, "st": street})
    out = pl.lit(None, pl.String)
    for old, (new, district_code, streets) in FORMER_DISTRICTS.items():
        in_area = pl.col("st").str.starts_with(district_code)
        if streets:
            in_area = in_area & pl.col("st").is_in(list(streets))
        hit = in_area.fill_null(False) & pl.col("v").str.contains(new, literal=True)
        out = pl.when(hit).then(pl.col("v").str.replace(new, old, literal=True)).otherwise(out)
    return f.select(out).to_series()


def _v_phone_other(s: pl.Series, rng: np.random.Generator, **_: object) -> pl.Series:
    prefix = np.array(["139", "138", "137", "136", "135", "186", "185", "158", "159", "133", "153", "189", "180", "177",
                       "199"])
    n = s.len()
    return pl.Series(np.char.add(prefix[rng.integers(0, len(prefix), n)],
                                 np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)), dtype=pl.String)


def _v_stale(s: pl.Series, rng: np.random.Generator, stale: pl.Series | None = None, **_: object) -> pl.Series:
    return stale if stale is not None else pl.Series([None] * s.len(), dtype=pl.String)


VECTORISED: dict[str, Callable[..., pl.Series]] = {
    "id_substitution": _v_id_substitution, "id_transposition": _v_id_transposition, "id_legacy15": _v_id_legacy15,
    "id_lowercase_x": _v_id_lowercase_x, "id_fullwidth": _v_fullwidth,
    "name_traditional": _v_traditional, "name_missing_char": _v_name_missing_char,
    "name_swapped_chars": _v_name_swapped_chars, "name_fullwidth_space": _v_name_fullwidth_space,
    "address_traditional": _v_traditional, "address_cn_numerals": _v_address_cn_numerals,
    "address_no_city": _v_address_no_city, "address_no_district": _v_address_no_district,
    "address_building_suffix": _v_address_building_suffix, "address_old_district": _v_address_old_district,
    "address_pudong_short": _v_address_pudong_short, "address_fullwidth": _v_fullwidth, "stale_address": _v_stale,
    "phone_other": _v_phone_other, "phone_fullwidth": _v_fullwidth,
}


def _stale_values(df: pl.DataFrame, col: str) -> pl.Series:
    """The previous-house address of `col` for the rows that may keep it, else null.

    A department keeps a previous house only on a record it last dated before the person moved: with `_moved_on`
    (the move into today's residence) a row is eligible when its `_recorded_on` (the date the system stores and the
    staging models read as the record's date) is before that day; a system without such a date (no `_recorded_on`)
    may keep it for anyone who moved. A frame without `_moved_on` (hand-made test frames) keeps every stale value.
    """
    stale = df[f"_stale__{col}"]
    if "_moved_on" not in df.columns:
        return stale
    moved = df["_moved_on"].cast(pl.Date)
    if "_recorded_on" in df.columns:
        ok = (df["_recorded_on"].cast(pl.Date) < moved).fill_null(False)
    else:
        ok = moved.is_not_null()
    return stale.zip_with(ok, pl.repeat(None, stale.len(), dtype=stale.dtype, eager=True))


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
    """Apply field noise to `df` (must have `_rid`; may have `_street__<col>`, `_stale__<col>`, `_stale_house__<col>`,
    and `_moved_on` / `_recorded_on`, which limit stale_address to records dated before the move: `_stale_values`).

    `roles` maps a role (id, name, address, phone) to the source columns that play it;
    `date_styles` maps each Date column to its base style; those columns come back as text.
    Returns the new frame and the events (with `_rid`).
    """
    frames = [empty_events()]
    rids = df["_rid"]
    for role, cols in roles.items():
        kinds = list(ROLE_KINDS[role])
        for col in cols:
            if col not in df.columns:
                continue
            values = df[col].cast(pl.String)
            pick = _draw(df.height, kinds, cfg, rng)
            present = (values.is_not_null() & (values != "")).fill_null(False).to_numpy()
            house = df["_house_id"] if "_house_id" in df.columns else None
            changed_rows: list[np.ndarray] = []
            changed_values: list[pl.Series] = []
            for k, kind in enumerate(kinds):
                if kind == "id_legacy15" and system not in cfg.legacy15_systems:
                    continue
                idx = np.flatnonzero((pick == k) & present)
                if len(idx) == 0:
                    continue
                before = values.gather(idx)
                extra: dict[str, pl.Series] = {}
                if f"_street__{col}" in df.columns:
                    extra["street"] = df[f"_street__{col}"].gather(idx)
                if f"_stale__{col}" in df.columns:
                    extra["stale"] = _stale_values(df, col).gather(idx)
                after = VECTORISED[kind](before, rng, **extra)
                ok = (after.is_not_null() & (after != before)).fill_null(False)
                if encoding is not None and kind.endswith("traditional"):
                    ok = ok & pl.Series([v is None or _encodable(v, encoding) for v in after.to_list()])
                okn = ok.to_numpy()
                if not okn.any():
                    continue
                rows = idx[okn]
                new = after.filter(ok)
                changed_rows.append(rows)
                changed_values.append(new)
                if kind == "stale_address" and house is not None and f"_stale_house__{col}" in df.columns:
                    house = house.scatter(rows, df[f"_stale_house__{col}"].gather(rows))
                    df = df.with_columns(house.alias("_house_id"))
                frames.append(pl.DataFrame({"_rid": rids.gather(rows), "kind": kind, "field": col,
                                            "before": before.filter(ok), "after": new}, schema=EVENT_SCHEMA))
            if changed_rows:  # one scatter per column: the kinds of a field never touch the same row
                values = values.scatter(np.concatenate(changed_rows), pl.concat(changed_values))
                df = df.with_columns(values.alias(col))
    df, date_events = _apply_dates(df, date_styles, cfg, rng, xlsx)
    events = pl.concat(frames + [date_events]).sort("_rid", "field", "kind")
    return df, events


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
