"""The fields a policy condition or a `--where` expression may test: a closed whitelist.

Each field knows its accepted names (English and Chinese), its operators, how a value is checked and normalised, and
the SQL that tests it - on the person view (marts.dim_person_profile, alias `p`, with the person's current tag codes
as `pt.tag_codes`) and on the generator's truth persons (shequyun.tags.evaluate._truth_persons). Identifiers in
the SQL come only from this module; values are bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shequyun.core.reference import district_names, street_districts

CITY_CODE = "310000"
LEVELS = ("city", "district", "street", "committee")
AREA_CODE_LENGTH = {"city": 6, "district": 6, "street": 9, "committee": 12}
# the person view's residence-area column an area field / an area-owned policy tests, and the truth persons' column
AREA_COLUMN = {"district": "district_code", "street": "street_code", "committee": "committee_code"}
TRUTH_AREA_COLUMN = {"district": "res_district", "street": "res_street", "committee": "res_committee"}

# 居住状态: the SQL on the person view and on the truth persons, chosen by value (no literal reaches SQL)
RESIDENCE_SQL = {
    "实住": "p.residence_house_key is not null",
    "人户一致": "p.residence_house_key = p.hukou_house_key",
    "人户分离": "p.is_separated",
}
RESIDENCE_TRUTH_SQL = {
    "实住": "residence_house_id is not null",
    "人户一致": "residence_house_id = hukou_house_id",
    "人户分离": "separated",
}
SEXES = ("男", "女")
POPULATION_TYPES = ("户籍", "来沪", "境外")
MAX_AGE = 150


class FieldValueError(ValueError):
    """A value a field does not accept (the message says what it accepts)."""


@dataclass(frozen=True)
class FieldSpec:
    """One testable field: its canonical name, the names a user may write, its kind and operators."""

    name: str
    aliases: tuple[str, ...]
    kind: str                 # number / choice / area / residence / tag
    operators: tuple[str, ...]
    description: str


EQUALITY = ("=", "!=")
ORDERING = ("=", "!=", "<", "<=", ">", ">=")

FIELDS: dict[str, FieldSpec] = {f.name: f for f in (
    FieldSpec("tag", ("标签",), "tag", EQUALITY, "a current tag, by code or Chinese name (tags/)"),
    FieldSpec("age", ("年龄",), "number", ORDERING, "age in whole years at as_of"),
    FieldSpec("sex", ("性别",), "choice", EQUALITY, "性别: " + " / ".join(SEXES)),
    FieldSpec("population_type", ("人员类别",), "choice", EQUALITY, "人员类别: " + " / ".join(POPULATION_TYPES)),
    FieldSpec("district", ("区",), "area", EQUALITY, "区 of the residence house (6-digit code)"),
    FieldSpec("street", ("街道", "街镇"), "area", EQUALITY, "街道/镇 of the residence house (9-digit code)"),
    FieldSpec("committee", ("居委", "居委会", "村居委"), "area", EQUALITY, "居委会/村委会 of the residence house (12-digit code)"),
    FieldSpec("residence", ("居住状态", "人户状态"), "residence", EQUALITY,
              "居住状态: 实住 (a known residence house in the city) / 人户一致 / 人户分离"),
)}
CHOICES = {"sex": SEXES, "population_type": POPULATION_TYPES, "residence": tuple(RESIDENCE_SQL)}
_BY_NAME = {alias.lower(): spec for spec in FIELDS.values() for alias in (spec.name, *spec.aliases)}


def field_named(name: str) -> FieldSpec:
    """The field a user's name refers to (case-insensitive for the English names)."""
    spec = _BY_NAME.get(name.lower())
    if spec is None:
        known = ", ".join(f"{s.name} ({'/'.join(s.aliases)})" for s in FIELDS.values())
        raise FieldValueError(f"unknown field {name!r} (known: {known})")
    return spec


def known_streets() -> dict[str, str]:
    """The city's 215 streets/towns (NBS codes, the reference seed ref_streets): code -> district code."""
    return street_districts()


def check_area_code(level: str, code: object) -> str:
    """A district / street / committee code of this city, as text; FieldValueError naming the problem otherwise."""
    text = str(code).strip() if isinstance(code, (str, int)) and not isinstance(code, bool) else None
    if text is None or not re.fullmatch(r"[0-9]+", text):
        raise FieldValueError(f"{level} code must be digits, not {code!r}")
    if level == "city":
        if text != CITY_CODE:
            raise FieldValueError(f"the city's area code is {CITY_CODE}, not {text!r}")
        return text
    if len(text) != AREA_CODE_LENGTH[level]:
        raise FieldValueError(f"{level} code {text!r} must have {AREA_CODE_LENGTH[level]} digits")
    district = text[:6]
    if district not in district_names():
        raise FieldValueError(f"{level} code {text!r}: {district} is not a district of the city")
    if level in ("street", "committee") and text[:9] not in known_streets():
        raise FieldValueError(f"{level} code {text!r}: {text[:9]} is not a street/town of the city")
    if level == "committee" and text[9:] == "000":
        raise FieldValueError(f"committee code {text!r}: 000 is not a committee number")
    return text


def area_inside(code: str, owner_level: str, owner_code: str) -> bool:
    """Whether an area code lies inside the owning area (everything lies inside the city)."""
    return owner_level == "city" or code.startswith(owner_code)


def check_value(spec: FieldSpec, value: object) -> str | int:
    """The normalised value a field accepts (tags are checked by the catalogue, not here)."""
    if spec.kind == "number":
        if isinstance(value, bool):
            raise FieldValueError(f"{spec.name} takes a whole number, not {value!r}")
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value.strip()):
            number = int(value.strip())
        else:
            raise FieldValueError(f"{spec.name} takes a whole number, not {value!r}")
        if not 0 <= number <= MAX_AGE:
            raise FieldValueError(f"{spec.name} {number} is out of range 0..{MAX_AGE}")
        return number
    if spec.kind == "area":
        return check_area_code(spec.name, value)
    if spec.kind in ("choice", "residence"):
        choices = CHOICES[spec.name]
        if value not in choices:
            raise FieldValueError(f"{spec.name} takes {' / '.join(choices)}, not {value!r}")
        return str(value)
    if spec.kind == "tag":
        if not isinstance(value, str) or not value.strip():
            raise FieldValueError(f"tag takes a tag code or name, not {value!r}")
        return value.strip()
    raise AssertionError(spec.kind)  # pragma: no cover
