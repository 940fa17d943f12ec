"""Masking of ID and phone numbers in what analysts see (domain.md §6: 310***********1234, 138****5678).

Two rules, both applied unless the analyst asks for --unmasked:

* **by column name**: a column the report ledgers declare as pii (`meta.pii`, e.g. `disability_cert_no`), or whose
  name says it holds an ID number (`id_number`, `*_id_number`, 身份证, 证件号 ...), a phone number (`phone`,
  `mobile`, 电话, 手机 ...) or an account (`account`, 账号) is masked whole with the exports' rules
  (shequyun.privacy.masking.mask_sql, the same SQL the ledger exports use);
* **by value**: in every other text column (and text lists), an 18-character ID number (date-shaped, also the
  first 18 characters of a 20-character 残疾人证号) or an 11-digit mobile number standing on its own is masked
  in place, so `select name || id_number` or a renamed column does not print a full number.

Both run inside DuckDB on the query's result relation (vectorised, no Python per cell). On output this is a guard
against numbers shown on screens, not an access control: `substr(id_number, 4, 11)` gets past it. The protection
is the analyst database (shequyun.analyst.publish), which applies the same declaration (`pii_kind`) and value rule
(strict form) to the data itself; the output masking matters when the data-bureau role reads the raw database.
"""

from __future__ import annotations

import functools
import re
import warnings

import duckdb

from shequyun.privacy.masking import mask_account, mask_id_number, mask_phone, mask_sql

_ID_NAME = re.compile(r"(^|_)(id_number|id_no|idcard|id_card|sfzh|zjhm)($|_)|身份证|证件号|公民身份号码")
_PHONE_NAME = re.compile(r"phone|mobile|(^|_)tel($|_)|电话|手机")
_ACCOUNT_NAME = re.compile(r"account|账号|账户")

# (pattern, replacement) in DuckDB's RE2 syntax, also valid for Python's re. RE2 has no look-around: the
# characters either side are captured and put back. A 20-character 残疾人证号 (ID + category + grade) first, then an
# 18-character ID (6-digit region, 18xx-20xx date, sequence, check), then a mobile number; each keeps 3 + 4.
_DATE = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
VALUE_RULES: tuple[tuple[str, str], ...] = (
    (rf"(^|[^0-9])([1-9][0-9]{{2}})[0-9]{{3}}{_DATE}[0-9]{{2}}([0-9][0-9Xx][1-7][1-4])($|[^0-9])",
     r"\1\2" + "*" * 13 + r"\3\4"),
    (rf"(^|[^0-9])([1-9][0-9]{{2}})[0-9]{{3}}{_DATE}([0-9]{{3}}[0-9Xx])($|[^0-9])",
     r"\1\2" + "*" * 11 + r"\3\4"),
    (r"(^|[^0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})($|[^0-9])", r"\1\2****\3\4"),
)
_VALUE_RULES_RE = tuple((re.compile(p), r) for p, r in VALUE_RULES)
# the analyst database's form (shequyun.privacy.masking strict): an ID number inside text keeps its first 3 only
STRICT_VALUE_RULES: tuple[tuple[str, str], ...] = (
    (VALUE_RULES[0][0], r"\1\2" + "*" * 17 + r"\4"),
    (VALUE_RULES[1][0], r"\1\2" + "*" * 15 + r"\4"),
    VALUE_RULES[2],
)


@functools.cache
def ledger_pii_columns() -> dict[str, str]:
    """Column name -> pii kind, as the report ledgers' YAML declares it (meta.pii, exports.catalogue): a ledger
    column the exports mask is masked here under the same name (disability_cert_no ...). Empty, with a warning,
    when the catalogue does not load (the name patterns still apply)."""
    from exports.catalogue import load_ledgers

    try:
        ledgers = load_ledgers()
    except Exception as exc:  # noqa: BLE001 - a broken ledger YAML must not stop an analyst's query
        warnings.warn(f"ledger catalogue not loaded, masking by name patterns only: {exc}", stacklevel=2)
        return {}
    return {c.name: c.pii for ledger in ledgers for c in ledger.columns if c.pii}


def pii_kind(column: str) -> str | None:
    """'id_number', 'phone', 'account' or None, from a column's name (the ledgers' pii columns, then patterns)."""
    declared = ledger_pii_columns().get(column)
    if declared:
        return declared
    name = column.lower()
    if name.endswith("_token"):      # a keyed token of the analyst database (id_number_token): no number in it
        return None
    if _ID_NAME.search(name):
        return "id_number"
    if _PHONE_NAME.search(name):
        return "phone"
    if _ACCOUNT_NAME.search(name):
        return "account"
    return None


def mask_text(value: str | None) -> str | None:
    """The value rule in Python (for `person show`): IDs and mobile numbers inside free text masked."""
    if value is None:
        return None
    for _ in range(2):  # twice: a match takes the separator after it, so a number right after one is missed once
        for pattern, replacement in _VALUE_RULES_RE:
            value = pattern.sub(replacement, value)
    return value


def mask_field(kind: str | None, value: object) -> object:
    """One value of a column whose kind is known (None: the value rule)."""
    if value is None:
        return None
    if kind == "id_number":
        return mask_id_number(str(value))
    if kind == "phone":
        return mask_phone(str(value))
    if kind == "account":
        return mask_account(str(value))
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_field(None, v) for v in value]
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def value_rule_sql(expr: str, *, strict: bool = False) -> str:
    """The value rule as a DuckDB expression on a varchar expression (strict: the analyst database's form).

    The six regexp_replace calls run only where one can match: every rule needs 11 digits in a row (a mobile
    number; an ID number has 17), and most texts (names, labels, addresses) have none."""
    replaced = expr
    for _ in range(2):  # twice, as in mask_text
        for pattern, replacement in (STRICT_VALUE_RULES if strict else VALUE_RULES):
            replaced = f"regexp_replace({replaced}, '{pattern}', '{replacement}', 'g')"
    return f"(case when regexp_matches({expr}, '[0-9]{{11}}') then {replaced} else {expr} end)"


_value_rule_sql = value_rule_sql


def masked_relation(rel: duckdb.DuckDBPyRelation) -> tuple[duckdb.DuckDBPyRelation, list[str]]:
    """The relation with the name and value rules applied; also the columns masked by name."""
    exprs: list[str] = []
    by_name: list[str] = []
    for column, dtype in zip(rel.columns, rel.types, strict=True):
        col = _quote(column)
        kind = pii_kind(column)
        type_name = str(dtype).upper()
        if kind is not None:
            by_name.append(column)
            if type_name.endswith("[]"):
                exprs.append(f"list_transform({col}, x -> {mask_sql(kind, 'x')}) as {col}")
            else:
                exprs.append(f"{mask_sql(kind, col)} as {col}")
        elif type_name == "VARCHAR":
            exprs.append(f"{_value_rule_sql(col)} as {col}")
        elif type_name == "VARCHAR[]":
            exprs.append(f"list_transform({col}, x -> {_value_rule_sql('x')}) as {col}")
        else:
            exprs.append(col)
    return rel.project(", ".join(exprs)), by_name
