"""Pinyin keys per distinct name (pypinyin), with surname readings from a seed (ref_surname_pinyin).

pypinyin's lazy_pinyin reads 单 as dan, 曾 as ceng, 区 as qu: surnames need their own readings, so the
surname (compound surnames first) is looked up in the seed and only the given name goes through pypinyin.

A name without any Han character (a foreign resident's Latin name, JOHN·SMITH; a Han name a visit log wrote in
pinyin, zhang jianguo) is keyed by its letters: name_pinyin is the lower-case letters in written order, so a pinyin
name compares equal to the Han name it reads as, and name_chars_sorted the letters sorted, so the passport order
(given name first) and the surname-first order compare equal. A name that leaves no letters has no keys (an empty
key would make every such name agree with every other)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd
from pypinyin import Style, lazy_pinyin

INTERPUNCT = "\u00b7"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_LETTER = re.compile(r"[^a-z]")


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
        if not _HAN.search(name):
            letters = _NOT_LETTER.sub("", name.lower())
            rows.append((name, None, name, None, letters or None, letters or None,
                         "".join(sorted(letters)) or None))
            continue
        surname, given = split_name(name, surnames)
        s_py = surnames.get(surname) if surname else ""
        if s_py is None:
            s_py = _pinyin(surname)
        s_py = s_py.replace(" ", "").lower()
        g_py = _pinyin(given.replace(INTERPUNCT, ""))
        rows.append((name, surname or None, given, s_py or None, g_py, (s_py + g_py) or None, "".join(sorted(name))))
    return pd.DataFrame(rows, columns=["person_name", "surname", "given_name", "surname_pinyin", "given_pinyin",
                                       "name_pinyin", "name_chars_sorted"])
