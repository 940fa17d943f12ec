"""The tag catalogue: YAML files under tags/<level>/, loaded, validated and compiled against the person view.

A catalogue file:

    level: district                 # city / district / street / committee
    area_code: "310104"             # 310000 for the city; 6 / 9 / 12 digits for a district / street / committee
    tags:
      - code: xuhui_elderly_80      # unique in the whole catalogue: [a-z][a-z0-9_]*
        name: 徐汇区高龄老人
        description: ...
        rule: "status == 'living' and age >= 80"   # shequyun.tags.rules
        since: years_after(birth_date, 80)         # optional: the date the tag applies from (a date expression)
        effective_from: 2020-01-01                 # the tag's own validity (optional)
        effective_to: null

A tag owned by a district, street or committee applies only to persons whose residence house lies in its area.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from shequyun.core.settings import DBT_PROJECT_DIR, PROJECT_ROOT, TAG_CATALOGUE_DIR
from shequyun.tags.rules import (
    TYPE_OF_DATA_TYPE,
    RuleError,
    Schema,
    compile_date,
    compile_rule,
)
from shequyun.tags.rules import Field as RuleField

CATALOGUE_DIR = TAG_CATALOGUE_DIR
PROFILE_YAML = DBT_PROJECT_DIR / "models" / "marts" / "tags" / "dim_person_profile.yml"
CITY_CODE = "310000"
LEVELS = ("city", "district", "street", "committee")
AREA_CODE_LENGTH = {"city": 6, "district": 6, "street": 9, "committee": 12}
# the profile column an area-owned tag tests
AREA_COLUMN = {"district": "district_code", "street": "street_code", "committee": "committee_code"}


class TagSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    name: str = Field(min_length=1, max_length=50)
    description: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    since: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    @field_validator("name", "description")
    @classmethod
    def no_braces(cls, value: str) -> str:
        if re.search(r"[{}]", value):  # names and descriptions go into generated dbt files
            raise ValueError("braces are not allowed")
        return value

    @model_validator(mode="after")
    def dates_in_order(self) -> TagSpec:
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["city", "district", "street", "committee"]
    area_code: str = Field(pattern=r"^31[0-9]+$")
    tags: list[TagSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def area_fits_level(self) -> CatalogueFile:
        if len(self.area_code) != AREA_CODE_LENGTH[self.level] or (self.level == "city") != (self.area_code == CITY_CODE):
            raise ValueError(f"area_code {self.area_code!r} is not a {self.level} code")
        return self


@dataclass(frozen=True)
class Tag:
    """A validated, compiled tag."""

    code: str
    name: str
    description: str
    level: str
    area_code: str
    rule: str
    since: str | None
    effective_from: dt.date | None
    effective_to: dt.date | None
    file: str                  # relative to the project root
    condition_sql: str         # the rule, and the area condition of an area-owned tag
    since_sql: str
    fields: tuple[str, ...]    # the profile fields the rule and since name
    provenance: tuple[str, ...]  # the profile columns listing the records behind those fields


class CatalogueError(ValueError):
    """A catalogue file that does not validate; the message names the file (and the tag)."""


def load_schema(profile_yaml: Path = PROFILE_YAML) -> Schema:
    """The fields a rule may name: the documented columns of dim_person_profile, typed by their data_type."""
    doc = yaml.safe_load(profile_yaml.read_text(encoding="utf-8"))
    model = next(m for m in doc["models"] if m["name"] == "dim_person_profile")
    fields = {}
    for col in model["columns"]:
        meta = (col.get("config") or {}).get("meta") or {}
        fields[col["name"]] = RuleField(col["name"], TYPE_OF_DATA_TYPE[col["data_type"]], meta.get("provenance"))
    return Schema(fields)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def compile_tag(spec: TagSpec, level: str, area_code: str, file: str, schema: Schema) -> Tag:
    """Compile one tag's rule and since; a RuleError names the tag and the file."""
    try:
        rule = compile_rule(spec.rule, schema)
        since = compile_date(spec.since, schema) if spec.since else None
    except RuleError as exc:
        raise RuleError(exc.reason, tag=spec.code, file=file) from None
    condition = rule.sql
    if level != "city":
        condition = f'({condition} and "{AREA_COLUMN[level]}" = \'{area_code}\')'
    fields = sorted(rule.fields | (since.fields if since else set()))
    provenance = sorted({p for f in fields if (p := schema.fields[f].provenance)})
    return Tag(code=spec.code, name=spec.name, description=spec.description.strip(), level=level, area_code=area_code,
               rule=spec.rule.strip(), since=spec.since, effective_from=spec.effective_from, effective_to=spec.effective_to,
               file=file, condition_sql=condition, since_sql=since.sql if since else "cast(null as date)",
               fields=tuple(fields), provenance=tuple(provenance))


def load_file(path: Path, schema: Schema) -> list[Tag]:
    file = _relative(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = CatalogueFile.model_validate(doc)
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogueError(f"{file}: {exc}") from None
    return [compile_tag(spec, parsed.level, parsed.area_code, file, schema) for spec in parsed.tags]


def load_catalogue(directory: Path = CATALOGUE_DIR, schema: Schema | None = None) -> list[Tag]:
    """Every tag of tags/**/*.yaml, compiled; codes unique across the catalogue; sorted by level, area and code."""
    schema = schema or load_schema()
    tags: list[Tag] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.rglob("*.yaml")):
        for tag in load_file(path, schema):
            if tag.code in seen:
                raise CatalogueError(f"{tag.file}: tag {tag.code}: code already defined in {seen[tag.code]}")
            seen[tag.code] = tag.file
            tags.append(tag)
    return sorted(tags, key=lambda t: (LEVELS.index(t.level), t.area_code, t.file, t.code))
