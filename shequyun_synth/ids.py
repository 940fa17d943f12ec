"""居民身份证号码 (GB 11643-1999): check digits, validation, 15->18 conversion, decoding,
and the region codes (地址码) the synthetic city draws from.

Region codes are *historical*: a number keeps the code of the place where it was first
assigned, so Shanghai people legitimately carry abolished codes (310102 南市, 310103 卢湾,
310108 闸北, 310111 吴淞, 310119 南汇, 310221-310230 counties). `shanghai_region_codes`
picks, per person, the code that was valid in the year the number was assigned.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = "10X98765432"
_CHECK_ARR = np.array(list(CHECK_CHARS))

# ---------------------------------------------------------------- Shanghai historical codes
# code -> (name, valid_from_year, valid_to_year) ; to_year exclusive, None = still valid.
SHANGHAI_CODES: dict[str, tuple[str, int, int | None]] = {
    "310101": ("黄浦区", 1980, None),
    "310102": ("南市区", 1980, 2000),
    "310103": ("卢湾区", 1980, 2011),
    "310104": ("徐汇区", 1980, None),
    "310105": ("长宁区", 1980, None),
    "310106": ("静安区", 1980, None),
    "310107": ("普陀区", 1980, None),
    "310108": ("闸北区", 1980, 2015),
    "310109": ("虹口区", 1980, None),
    "310110": ("杨浦区", 1980, None),
    "310111": ("吴淞区", 1980, 1988),
    "310112": ("闵行区", 1981, None),
    "310113": ("宝山区", 1988, None),
    "310114": ("嘉定区", 1992, None),
    "310115": ("浦东新区", 1992, None),
    "310116": ("金山区", 1997, None),
    "310117": ("松江区", 1998, None),
    "310118": ("青浦区", 1999, None),
    "310119": ("南汇区", 2001, 2009),
    "310120": ("奉贤区", 2001, None),
    "310151": ("崇明区", 2016, None),
    "310221": ("上海县", 1980, 1992),
    "310222": ("嘉定县", 1980, 1992),
    "310223": ("宝山县", 1980, 1988),
    "310224": ("川沙县", 1980, 1993),
    "310225": ("南汇县", 1980, 2001),
    "310226": ("奉贤县", 1980, 2001),
    "310227": ("松江县", 1980, 1998),
    "310228": ("金山县", 1980, 1997),
    "310229": ("青浦县", 1980, 1999),
    "310230": ("崇明县", 1980, 2016),
}

# Today's district -> list of (code, from_year, to_year, weight): the lineages whose numbers its
# residents carry. Weights split a district between predecessors (e.g. 静安 = old 静安 + 闸北).
_LINEAGE: dict[str, list[tuple[str, int, int, float]]] = {
    "310101": [("310101", 0, 9999, 0.45), ("310102", 0, 2000, 0.30), ("310103", 0, 2011, 0.25)],
    "310104": [("310104", 0, 9999, 1.0)],
    "310105": [("310105", 0, 9999, 1.0)],
    "310106": [("310106", 0, 9999, 0.40), ("310108", 0, 2015, 0.60)],
    "310107": [("310107", 0, 9999, 1.0)],
    "310109": [("310109", 0, 9999, 1.0)],
    "310110": [("310110", 0, 9999, 1.0)],
    "310112": [("310112", 1992, 9999, 1.0), ("310221", 0, 1992, 0.7), ("310112", 0, 1992, 0.3)],
    "310113": [("310113", 1988, 9999, 1.0), ("310223", 0, 1988, 0.7), ("310111", 0, 1988, 0.3)],
    "310114": [("310114", 1992, 9999, 1.0), ("310222", 0, 1992, 1.0)],
    "310115": [("310115", 1992, 9999, 1.0), ("310224", 0, 1992, 0.5), ("310102", 0, 1992, 0.2),
               ("310101", 0, 1992, 0.15), ("310110", 0, 1992, 0.15)],
    "310115N": [("310115", 2009, 9999, 1.0), ("310119", 2001, 2009, 1.0), ("310225", 0, 2001, 1.0)],
    "310116": [("310116", 1997, 9999, 1.0), ("310228", 0, 1997, 1.0)],
    "310117": [("310117", 1998, 9999, 1.0), ("310227", 0, 1998, 1.0)],
    "310118": [("310118", 1999, 9999, 1.0), ("310229", 0, 1999, 1.0)],
    "310120": [("310120", 2001, 9999, 1.0), ("310226", 0, 2001, 1.0)],
    "310151": [("310151", 2016, 9999, 1.0), ("310230", 0, 2016, 1.0)],
}

# ---------------------------------------------------------------- other provinces (来沪)
# Real GB/T 2260 county-level codes from the main source provinces of Shanghai's migrants.
PROVINCE_CODES: dict[str, list[str]] = {
    "安徽": ["340102", "340104", "340121", "340321", "340322", "341125", "341126", "341221",
             "341222", "341225", "341226", "341282", "341321", "341322", "341323", "341324",
             "341521", "341522", "341602", "341621", "341622", "341623", "340826", "340828", "340881"],
    "江苏": ["320321", "320322", "320324", "320381", "320382", "320826", "320830", "320921",
             "320922", "320923", "320924", "320925", "321023", "321281", "321322", "321323",
             "321324", "320623", "320681", "320682"],
    "河南": ["410102", "411521", "411522", "411524", "411525", "411526", "411527", "411528",
             "411621", "411622", "411623", "411625", "411627", "411628", "411421", "411422",
             "411424", "411425", "411426", "411721", "411722", "411723", "411724", "411727", "411729"],
    "四川": ["510107", "511321", "511322", "511323", "511324", "511325", "511621", "511622",
             "511623", "511722", "511723", "511724", "511725", "510681", "510722", "510723",
             "511921", "511922", "511923"],
    "浙江": ["330102", "330324", "330326", "330327", "330381", "330382", "330421", "330424",
             "330481", "330482", "330483", "330521", "330681", "330782", "331081", "331082", "330881"],
    "江西": ["360121", "360124", "360423", "360425", "361123", "361127", "361128", "361129",
             "360721", "360722", "360731", "360732", "360734", "360735"],
    "湖北": ["420102", "420111", "421121", "421122", "421123", "421124", "421125", "421126",
             "421127", "421181", "421182", "420921", "420922", "420923", "420981", "421022", "420683"],
    "山东": ["370102", "370202", "371321", "371322", "371323", "371324", "371325", "371326",
             "371327", "371328", "371329", "371721", "371722", "371723", "371724", "371725",
             "371726", "371728", "370883"],
    "福建": ["350102", "350121", "350122", "350181", "350322", "350302", "350583", "350582",
             "350526", "350624", "350821", "350921", "350981", "350982"],
    "湖南": ["430102", "430121", "430181", "430523", "430524", "430525", "430528", "430621",
             "430623", "430626", "430681", "430721", "430921", "431021"],
    "重庆": ["500101", "500102", "500112", "500229", "500230", "500231", "500233", "500235",
             "500236", "500237", "500238"],
    "贵州": ["520102", "522422", "522423", "522424", "522425", "522426"],
    "甘肃": ["620102", "620421", "621121", "621122"],
    "黑龙江": ["230102", "230103"],
    "河北": ["130102", "130621", "131121"],
    "陕西": ["610102", "610113"],
    "广西": ["450102", "450881"],
    "广东": ["440103", "440106", "440524"],
    "辽宁": ["210102", "210202"],
    "吉林": ["220102", "220104", "222401"],
    "内蒙古": ["150102", "150202"],
    "北京": ["110105", "110108"],
    "天津": ["120101"],
    "新疆": ["650102", "650104", "653101", "653121", "653221", "654002", "654021"],
    "西藏": ["540102", "540121"],
    "宁夏": ["640104", "640121"],
    "云南": ["530102"],
    "山西": ["140105", "140106"],
}
# 2020 census shares of 外省市来沪 by origin province (rounded; the rest spread thinly)
PROVINCE_WEIGHTS: dict[str, float] = {
    "安徽": 0.29, "江苏": 0.16, "河南": 0.09, "四川": 0.06, "浙江": 0.05, "江西": 0.05,
    "湖北": 0.045, "山东": 0.04, "福建": 0.03, "湖南": 0.03, "重庆": 0.025, "贵州": 0.02,
    "甘肃": 0.01, "黑龙江": 0.01, "河北": 0.01, "陕西": 0.008, "广西": 0.008, "广东": 0.006,
    "辽宁": 0.006, "吉林": 0.005, "内蒙古": 0.004, "北京": 0.003, "天津": 0.002, "新疆": 0.003,
    "西藏": 0.001, "宁夏": 0.002, "云南": 0.004, "山西": 0.006,
}
# Region codes of home areas for some minorities (used for 来沪 people of that ethnicity)
ETHNIC_REGION_CODES: dict[str, list[str]] = {
    "维吾尔族": ["650102", "650104", "653101", "653121", "653221"],
    "哈萨克族": ["654002", "654021"],
    "藏族": ["540102", "540121"],
    "朝鲜族": ["222401"],
    "壮族": ["450102", "450881"],
    "回族": ["640104", "640121", "410102"],
    "蒙古族": ["150102", "150202"],
    "土家族": ["500240", "422801", "433101"],
    "苗族": ["522601", "433101"],
    "满族": ["210102", "130102"],
}
HMT_CODES = {"香港": "810000", "澳门": "820000", "台湾": "830000"}


# ---------------------------------------------------------------- check digits
def check_digit(s17: str) -> str:
    """MOD 11-2 check character for the 17 leading digits."""
    if len(s17) != 17 or not s17.isdigit():
        raise ValueError(f"need 17 digits, got {s17!r}")
    total = sum(int(c) * int(w) for c, w in zip(s17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def check_digits(digits17: np.ndarray) -> np.ndarray:
    """Vectorised check characters.

    `digits17` is either an (n, 17) integer array of digits, an array of 17-char strings,
    or an int64 array of 17-digit numbers. Returns an array of single-char strings.
    """
    arr = np.asarray(digits17)
    if arr.ndim == 2:
        d = arr.astype(np.int64)
    elif arr.dtype.kind in "iu":
        d = np.empty((arr.shape[0], 17), dtype=np.int64)
        rest = arr.astype(np.int64).copy()
        for i in range(16, -1, -1):
            d[:, i] = rest % 10
            rest //= 10
    else:
        b = np.asarray(arr, dtype="S17")
        d = (np.frombuffer(b.tobytes(), dtype=np.uint8).reshape(-1, 17) - 48).astype(np.int64)
    return _CHECK_ARR[(d @ WEIGHTS) % 11]


def _valid_date(yyyymmdd: str) -> dt.date | None:
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def is_valid_id(s: str) -> bool:
    """18-char number with a real birth date and a correct check character.

    The region prefix is only checked to be six digits (see domain: abolished codes are legal).
    """
    if not isinstance(s, str) or len(s) != 18:
        return False
    s = s.upper()
    if not s[:17].isdigit() or s[17] not in "0123456789X":
        return False
    if _valid_date(s[6:14]) is None:
        return False
    return check_digit(s[:17]) == s[17]


def is_valid_id_array(ids: np.ndarray) -> np.ndarray:
    """Vectorised check-character test (no date check) over 18-char strings."""
    b = np.asarray(ids, dtype="S18")
    raw = np.frombuffer(b.tobytes(), dtype=np.uint8).reshape(-1, 18)
    head = raw[:, :17].astype(np.int64) - 48
    ok_digits = ((head >= 0) & (head <= 9)).all(axis=1)
    expect = np.frombuffer("".join(CHECK_CHARS).encode(), dtype=np.uint8)[(np.clip(head, 0, 9) @ WEIGHTS) % 11]
    return ok_digits & (raw[:, 17] == expect)


def id15_to_id18(s15: str) -> str:
    """Old 15-digit number (YYMMDD, 19xx) to the 18-char form."""
    if len(s15) != 15 or not s15.isdigit():
        raise ValueError(f"need 15 digits, got {s15!r}")
    s17 = s15[:6] + "19" + s15[6:]
    return s17 + check_digit(s17)


def birth_date(s: str) -> dt.date:
    d = _valid_date(s[6:14])
    if d is None:
        raise ValueError(f"no valid birth date in {s!r}")
    return d


def sex(s: str) -> str:
    """男 for an odd 顺序码, 女 for even."""
    return "男" if int(s[16]) % 2 == 1 else "女"


def region_name(code: str) -> str | None:
    if code in SHANGHAI_CODES:
        return SHANGHAI_CODES[code][0]
    return None


# ---------------------------------------------------------------- sampling helpers
def shanghai_region_codes(district_codes: np.ndarray, assigned_years: np.ndarray,
                          nanhui: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Historical Shanghai code per person: the one valid for their lineage in the year the
    number was assigned. `nanhui` marks 浦东 residents of former 南汇 towns."""
    n = len(district_codes)
    out = np.empty(n, dtype="<U6")
    keys = np.where(nanhui, "310115N", district_codes.astype("<U7"))
    u = rng.random(n)
    for key in np.unique(keys):
        idx = np.flatnonzero(keys == key)
        yrs = assigned_years[idx]
        lineage = _LINEAGE[str(key)]
        res = np.full(len(idx), lineage[0][0], dtype="<U6")
        # candidate weights per person given their year
        w = np.array([[wt if lo <= y < hi else 0.0 for (_, lo, hi, wt) in lineage] for y in range(1900, 2031)])
        wy = w[np.clip(yrs, 1900, 2030) - 1900]
        wy = wy / wy.sum(axis=1, keepdims=True)
        cum = np.cumsum(wy, axis=1)
        pick = (u[idx, None] > cum).sum(axis=1)
        pick = np.minimum(pick, len(lineage) - 1)
        res = np.array([c for c, *_ in lineage], dtype="<U6")[pick]
        out[idx] = res
    return out


def other_province_codes(n: int, rng: np.random.Generator) -> np.ndarray:
    provs = list(PROVINCE_WEIGHTS)
    p = np.array([PROVINCE_WEIGHTS[k] for k in provs])
    prov_idx = rng.choice(len(provs), size=n, p=p / p.sum())
    out = np.empty(n, dtype="<U6")
    for i, prov in enumerate(provs):
        idx = np.flatnonzero(prov_idx == i)
        codes = np.array(PROVINCE_CODES[prov])
        out[idx] = codes[rng.integers(0, len(codes), len(idx))]
    return out


def compose_ids(region: np.ndarray, birth: np.ndarray, is_male: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    """18-char numbers, unique within the batch: region (6) + YYYYMMDD + 顺序码 + check.

    `birth` is a datetime64[D] array. Sequence numbers are odd for men, even for women."""
    n = len(region)
    ymd = np.datetime_as_string(birth.astype("datetime64[D]"), unit="D")
    ymd = np.char.replace(ymd, "-", "")
    prefix = np.char.add(region.astype("<U6"), ymd)
    seq = _draw_seq(n, is_male, rng)
    s17 = np.char.add(prefix, np.char.zfill(seq.astype("<U3"), 3))
    for _ in range(50):
        _, first = np.unique(s17, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        idx = np.flatnonzero(dup)
        seq[idx] = _draw_seq(len(idx), is_male[idx], rng)
        s17[idx] = np.char.add(prefix[idx], np.char.zfill(seq[idx].astype("<U3"), 3))
    else:  # pragma: no cover - astronomically unlikely
        raise RuntimeError("could not make ID numbers unique")
    return np.char.add(s17, check_digits(s17))


def _draw_seq(n: int, is_male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    # 1..999 with parity by sex: odd = man, even = woman
    base = rng.integers(0, 499, n) * 2 + 2  # even 2..998
    return np.where(is_male, base - 1, base)
