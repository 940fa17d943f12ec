"""Generate the lookup seeds of dbt_project/seeds/ from maintained sources (never typed by hand):

    ref_t2s_characters.csv   traditional -> simplified, one character each, from OpenCC's t2s dictionary
    ref_region_codes.csv     historical GB/T 2260 county codes (incl. abolished ones), from python-stdnum's cn/loc.dat
    ref_ethnicity_codes.csv  GB/T 3304 两位民族代码 -> 民族 name, the order of the standard (the same table the
                             generator writes, shequyun_synth.extracts.context.ETHNICITY_CODES)

    .venv/bin/python scripts/make_ref_seeds.py            # rewrite the three files
    .venv/bin/python scripts/make_ref_seeds.py --check    # exit 1 when a file is stale
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from importlib import resources
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"

# CJK Unified Ideographs Extension A + the basic block, and the compatibility ideographs
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))

# 港澳台居民居住证 address codes (not in GB/T 2260's county list; Taiwan's 居住证 uses 830000, not 710000)
RESIDENCE_PERMIT_CODES = {"810000": "香港特别行政区", "820000": "澳门特别行政区", "830000": "台湾地区"}

_COUNTY = re.compile(r'^  (\d{4}) county="(?:\[(\d{4})?-(\d{4})?\])?(.*)"$')
_PROVINCE = re.compile(r'^(\d{2}) province="(.*)"$')


def t2s_rows() -> list[tuple[str, str]]:
    """(traditional, simplified) for every single code point OpenCC's t2s changes into one other character."""
    from opencc import OpenCC

    cc = OpenCC("t2s")
    rows = []
    for lo, hi in CJK_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            out = cc.convert(ch)
            if out != ch and len(out) == 1:
                rows.append((ch, out))
    return rows


def region_rows() -> list[tuple[str, str, str, str, str]]:
    """(code, province, county, valid_from, valid_to) for every county-level code stdnum's loc.dat lists."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    rows: dict[str, tuple[str, str, str, str, str]] = {}
    province = prefix = ""
    for line in text.splitlines():
        if m := _PROVINCE.match(line):
            prefix, province = m.group(1), m.group(2)
            rows.setdefault(prefix + "0000", (prefix + "0000", province, province, "", ""))
        elif m := _COUNTY.match(line):
            code = prefix + m.group(1)
            rows[code] = (code, province, m.group(4), m.group(2) or "", m.group(3) or "")
    for code, name in RESIDENCE_PERMIT_CODES.items():
        rows[code] = (code, name, name, "2018", "")
    return sorted(rows.values())


def ethnicity_rows() -> list[tuple[str, str]]:
    from shequyun_synth.extracts.context import ETHNICITY_CODES

    by_code: dict[str, str] = {}
    for name, code in ETHNICITY_CODES.items():
        by_code.setdefault(code, name)   # 98 keeps the first name, 外国血统
    return sorted(by_code.items())


def _csv(header: list[str], rows: list[tuple[str, ...]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def render() -> dict[str, str]:
    return {
        "ref_t2s_characters.csv": _csv(["traditional", "simplified"], t2s_rows()),
        "ref_region_codes.csv": _csv(["region_code", "province", "county", "valid_from", "valid_to"], region_rows()),
        "ref_ethnicity_codes.csv": _csv(["ethnicity_code", "ethnicity"], ethnicity_rows()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when a seed file differs from its source")
    args = parser.parse_args(argv)
    stale = []
    for name, text in render().items():
        path = SEEDS / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"{path}: {text.count(chr(10)) - 1} rows")
    if stale:
        print("stale seeds: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
