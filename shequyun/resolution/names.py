"""Pinyin keys per distinct name (pypinyin), with surname readings from a seed (ref_surname_pinyin).

pypinyin's lazy_pinyin reads 单 as dan, 曾 as ceng, 区 as qu: surnames need their own readings, so the
surname (compound surnames first) is looked up in the seed and only the given name goes through pypinyin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from pypinyin import Style, lazy_pinyin

INTERPUNCT = "\u00b7"


def split_name(name: str, surnames: Mapping[str, str]) -> tuple[str, str]:
    """(surname, given name): a two-character surname from the seed first, else the first character.
    Names with an interpunct (minority names) have no surname: the whole name is the given name."""
    if not name or INTERPUNCT in name:
        return "", name or ""
    if len(name) >= 3 and name[:2] in surnames:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).lower()


def romanise(names: Iterable[str], surnames: Mapping[str, str]) -> pd.DataFrame:
    """One row per distinct non-empty name: person_name, surname, given_name, surname_pinyin, given_pinyin,
    name_pinyin (surname reading + given reading, no spaces, no tones) and name_chars_sorted (the name's
    characters sorted, so swapped characters compare equal)."""
    rows = []
    for name in sorted({n for n in names if isinstance(n, str) and n}):
        surname, given = split_name(name, surnames)
        s_py = surnames.get(surname) if surname else ""
        if s_py is None:
            s_py = _pinyin(surname)
        s_py = s_py.replace(" ", "").lower()
        g_py = _pinyin(given.replace(INTERPUNCT, ""))
        rows.append((name, surname or None, given, s_py or None, g_py, s_py + g_py, "".join(sorted(name))))
    return pd.DataFrame(rows, columns=["person_name", "surname", "given_name", "surname_pinyin", "given_pinyin",
                                       "name_pinyin", "name_chars_sorted"])
