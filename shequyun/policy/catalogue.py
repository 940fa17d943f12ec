"""The policy catalogue: one YAML file per policy under policies/<level>/, loaded and validated into a condition tree.

    level: city                      # city / district / street / committee (the folder must agree)
    area_code: "310000"              # 310000 for the city, else the owning 6 / 9 / 12-digit 区划代码
    code: milk_90_plus               # unique in the catalogue: [a-z][a-z0-9_]*
    name: 90岁以上老人每月送牛奶
    department: 市民政局
    description: ...
    benefit: 每月配送鲜牛奶            # optional: what an eligible person receives
    tags:                            # tags by code or Chinese name (tags/ catalogue)
      all_of: [90岁以上]              #   every one of them
      any_of: []                     #   at least one of them
      none_of: []                    #   none of them
    conditions:                      # optional
      age: {min: 80, max: null}      #   whole years at as_of, both ends included
      sex: 女                         #   男 / 女
      population_type: [户籍]         #   户籍 / 来沪 / 境外 (one or a list: any of them)
      residence: 实住                 #   实住 / 人户一致 / 人户分离
      areas: ["310104010"]           #   district / street / committee codes inside the owning area (any of them)
    where: "not tag:人户分离"          # optional: an extra condition in the --where language
    effective_from: 2026-01-01       # optional: the policy is in force from / until
    effective_to: null

A district, street or committee policy matches only persons whose residence house lies in its area. Every error
names the file and the field: `policies/city/milk.yaml: tags.all_of[0]: unknown tag '九十岁' (...)`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shequyun.core.settings import POLICY_CATALOGUE_DIR, PROJECT_ROOT
from shequyun.policy.expression import (
    All,
    AnyOf,
    ExpressionError,
    FieldTest,
    Node,
    Not,
    parse_expression,
    render,
    tag_codes,
)
from shequyun.policy.fields import (
    AREA_CODE_LENGTH,
    FIELDS,
    LEVELS,
    FieldValueError,
    area_inside,
    check_area_code,
    check_value,
)
from shequyun.tags.catalogue import Tag, load_catalogue

CATALOGUE_DIR = POLICY_CATALOGUE_DIR
LEVEL_OF_LENGTH = {6: "district", 9: "street", 12: "committee"}


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates: `2026-13-01` stays text, so pydantic reports it against its field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class PolicyError(ValueError):
    """A policy file that does not validate; the message names the file and the field."""

    def __init__(self, file: str, where: str, message: str) -> None:
        self.file, self.where, self.reason = file, where, message
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgeSpec(_Strict):
    min: int | None = Field(default=None, ge=0, le=150)
    max: int | None = Field(default=None, ge=0, le=150)


OneOrMany = str | list[str]


class TagsSpec(_Strict):
    all_of: list[str] = []
    any_of: list[str] = []
    none_of: list[str] = []


class ConditionsSpec(_Strict):
    age: AgeSpec | None = None
    sex: OneOrMany | None = None
    population_type: OneOrMany | None = None
    residence: OneOrMany | None = None
    areas: list[str | int] | None = None


class PolicySpec(_Strict):
    level: Literal["city", "district", "street", "committee"]
    area_code: str
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    name: str = Field(min_length=1, max_length=60)
    department: str = Field(min_length=1)
    description: str = Field(min_length=1)
    benefit: str | None = None
    tags: TagsSpec = TagsSpec()
    conditions: ConditionsSpec = ConditionsSpec()
    where: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    @field_validator("area_code", mode="before")
    @classmethod
    def code_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


@dataclass(frozen=True)
class Policy:
    """A validated policy: its condition tree holds the owning area, the tags and the conditions."""

    code: str
    name: str
    level: str
    area_code: str
    department: str
    description: str
    benefit: str | None
    condition: Node
    tag_codes: tuple[str, ...]
    effective_from: dt.date | None
    effective_to: dt.date | None
    file: str                 # relative to the project root

    @property
    def expression(self) -> str:
        """The whole condition in the --where language."""
        return render(self.condition)

    def in_force(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and \
            (self.effective_to is None or day <= self.effective_to)


class TagIndex:
    """Tags by code and by Chinese name, for resolving what a policy or an expression names."""

    def __init__(self, tags: list[Tag]) -> None:
        self.by_code = {t.code: t for t in tags}
        self.by_name = {t.name: t for t in tags}

    def code_of(self, text: str) -> str:
        if text in self.by_code:
            return text
        if text in self.by_name:
            return self.by_name[text].code
        close = difflib.get_close_matches(text, [*self.by_name, *self.by_code], n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else " (see `shequyun tags list`)"
        raise KeyError(f"unknown tag {text!r}{hint}")

    def name_of(self, code: str) -> str:
        return self.by_code[code].name


def relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _pydantic_error(file: str, exc: ValidationError) -> PolicyError:
    first = exc.errors()[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
    message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
    if first["type"] == "missing":
        message = "required field is missing"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return PolicyError(file, where or "(top)", message + more)


def _listed(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


class _Builder:
    """Builds one policy's condition, raising PolicyError(file, field, reason)."""

    def __init__(self, spec: PolicySpec, file: str, tags: TagIndex) -> None:
        self.spec, self.file, self.tags = spec, file, tags

    def fail(self, where: str, message: str) -> PolicyError:
        return PolicyError(self.file, where, message)

    def owner(self) -> None:
        spec = self.spec
        try:
            check_area_code(spec.level, spec.area_code)
        except FieldValueError as exc:
            raise self.fail("area_code", str(exc)) from None

    def tag(self, where: str, text: str) -> FieldTest:
        try:
            code = self.tags.code_of(str(text).strip())
        except KeyError as exc:
            raise self.fail(where, exc.args[0]) from None
        self.check_tag_area(where, code)
        return FieldTest("tag", "=", (code,))

    def check_tag_area(self, where: str, code: str) -> None:
        """A tag owned by an area must overlap the policy's area, or the policy could match nobody."""
        tag = self.tags.by_code[code]
        if tag.level == "city" or self.spec.level == "city":
            return
        a, b = tag.area_code, self.spec.area_code
        if not (a.startswith(b) or b.startswith(a)):
            raise self.fail(where, f"tag {code} ({tag.name}) applies only in {tag.level} {a}, outside the policy's "
                                   f"{self.spec.level} {b}")

    def tag_tests(self) -> list[Node]:
        spec, parts = self.spec.tags, []
        if not (spec.all_of or spec.any_of or spec.none_of) and not self.has_conditions():
            raise self.fail("tags", "a policy needs tags or conditions (it would match every resident)")
        for key in ("all_of", "any_of", "none_of"):
            names = getattr(spec, key)
            seen: set[str] = set()
            tests = []
            for i, name in enumerate(names):
                test = self.tag(f"tags.{key}[{i}]", name)
                if test.values[0] in seen:
                    raise self.fail(f"tags.{key}[{i}]", f"tag {name!r} is listed twice")
                seen.add(str(test.values[0]))
                tests.append(test)
            if not tests:
                continue
            if key == "all_of":
                parts.extend(tests)
            elif key == "any_of":
                parts.append(AnyOf(tuple(tests)) if len(tests) > 1 else tests[0])
            else:
                parts.append(Not(AnyOf(tuple(tests)) if len(tests) > 1 else tests[0]))
        return parts

    def has_conditions(self) -> bool:
        c = self.spec.conditions
        return any(v is not None for v in (c.age, c.sex, c.population_type, c.residence, c.areas)) or bool(self.spec.where)

    def choice(self, field: str, value: str | list[str] | None) -> list[Node]:
        values = _listed(value)
        if value is not None and not values:
            raise self.fail(f"conditions.{field}", "an empty list")
        checked = []
        for i, v in enumerate(values):
            try:
                checked.append(check_value(FIELDS[field], v))
            except FieldValueError as exc:
                where = f"conditions.{field}" + (f"[{i}]" if isinstance(value, list) else "")
                raise self.fail(where, str(exc)) from None
        return [FieldTest(field, "=", tuple(checked))] if checked else []

    def age(self) -> list[Node]:
        age = self.spec.conditions.age
        if age is None:
            return []
        if age.min is None and age.max is None:
            raise self.fail("conditions.age", "give min, max or both")
        if age.min is not None and age.max is not None and age.max < age.min:
            raise self.fail("conditions.age", f"max {age.max} is below min {age.min}")
        return ([FieldTest("age", ">=", (age.min,))] if age.min is not None else []) + \
            ([FieldTest("age", "<=", (age.max,))] if age.max is not None else [])

    def areas(self) -> list[Node]:
        codes = self.spec.conditions.areas
        if codes is None:
            return []
        if not codes:
            raise self.fail("conditions.areas", "an empty list")
        tests: list[Node] = []
        for i, raw in enumerate(codes):
            where, text = f"conditions.areas[{i}]", str(raw).strip()
            level = LEVEL_OF_LENGTH.get(len(text))
            if level is None:
                raise self.fail(where, f"{text!r} is not a district (6), street (9) or committee (12-digit) code")
            try:
                code = check_area_code(level, text)
            except FieldValueError as exc:
                raise self.fail(where, str(exc)) from None
            if not area_inside(code, self.spec.level, self.spec.area_code):
                raise self.fail(where, f"{level} {code} lies outside the policy's {self.spec.level} {self.spec.area_code}")
            tests.append(FieldTest(level, "=", (code,)))
        return [AnyOf(tuple(tests)) if len(tests) > 1 else tests[0]]

    def where(self) -> list[Node]:
        if self.spec.where is None:
            return []

        def lookup(text: str) -> str:
            code = self.tags.code_of(text)
            self.check_tag_area("where", code)
            return code

        try:
            return [parse_expression(self.spec.where, lookup)]
        except PolicyError:
            raise
        except ExpressionError as exc:
            raise self.fail("where", str(exc)) from None

    def build(self) -> Policy:
        spec = self.spec
        self.owner()
        if spec.effective_from and spec.effective_to and spec.effective_to < spec.effective_from:
            raise self.fail("effective_to", "is before effective_from")
        parts: list[Node] = []
        if spec.level != "city":
            parts.append(FieldTest(spec.level, "=", (spec.area_code,)))
        parts += self.tag_tests()
        c = spec.conditions
        parts += self.age() + self.choice("sex", c.sex) + self.choice("population_type", c.population_type)
        parts += self.choice("residence", c.residence) + self.areas() + self.where()
        condition = All(tuple(parts)) if len(parts) > 1 else parts[0]
        return Policy(code=spec.code, name=spec.name.strip(), level=spec.level, area_code=spec.area_code,
                      department=spec.department.strip(), description=spec.description.strip(),
                      benefit=spec.benefit.strip() if spec.benefit else None, condition=condition,
                      tag_codes=tuple(tag_codes(condition)), effective_from=spec.effective_from,
                      effective_to=spec.effective_to, file=self.file)


def load_policy(path: Path, tags: TagIndex | None = None, *, level_dir: str | None = None) -> Policy:
    """One policy file, validated; PolicyError naming the file and the field otherwise."""
    file = relative(path)
    tags = tags or TagIndex(load_catalogue())
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(file, "", f"cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(file, "", f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise PolicyError(file, "", "a policy file holds one mapping (level, area_code, code, name, ...)")
    try:
        spec = PolicySpec.model_validate(doc)
    except ValidationError as exc:
        raise _pydantic_error(file, exc) from None
    if level_dir is not None and level_dir != spec.level:
        raise PolicyError(file, "level", f"{spec.level!r} but the file is under policies/{level_dir}/")
    if spec.level != "city" and len(spec.area_code) != AREA_CODE_LENGTH[spec.level]:
        raise PolicyError(file, "area_code", f"{spec.area_code!r} is not a {spec.level} code "
                                             f"({AREA_CODE_LENGTH[spec.level]} digits)")
    return _Builder(spec, file, tags).build()


def load_policies(directory: Path = CATALOGUE_DIR, tags: TagIndex | None = None) -> list[Policy]:
    """Every policies/<level>/*.yaml; codes and names unique; sorted by level, area and code."""
    tags = tags or TagIndex(load_catalogue())
    policies: list[Policy] = []
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for path in sorted(directory.rglob("*.y*ml")):
        level_dir = path.relative_to(directory).parts[0] if len(path.relative_to(directory).parts) > 1 else None
        if level_dir is None or level_dir not in LEVELS:
            raise PolicyError(relative(path), "", f"policy files live in policies/<{'|'.join(LEVELS)}>/")
        policy = load_policy(path, tags, level_dir=level_dir)
        if policy.code in codes:
            raise PolicyError(policy.file, "code", f"{policy.code!r} is already defined in {codes[policy.code]}")
        if policy.name in names:
            raise PolicyError(policy.file, "name", f"{policy.name!r} is already used by {names[policy.name]}")
        codes[policy.code], names[policy.name] = policy.file, policy.file
        policies.append(policy)
    return sorted(policies, key=lambda p: (LEVELS.index(p.level), p.area_code, p.code))


def find_policy(ref: str, directory: Path = CATALOGUE_DIR, tags: TagIndex | None = None) -> Policy:
    """A policy by code, Chinese name or file path."""
    tags = tags or TagIndex(load_catalogue())
    path = Path(ref)
    if ref.endswith((".yaml", ".yml")) or path.is_file():
        if not path.is_file():
            raise PolicyError(ref, "", "no such policy file")
        return load_policy(path, tags)
    policies = load_policies(directory, tags)
    for policy in policies:
        if ref in (policy.code, policy.name):
            return policy
    close = difflib.get_close_matches(ref, [p.code for p in policies] + [p.name for p in policies], n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise LookupError(f"no policy {ref!r} in {relative(directory)}/{hint} (see `shequyun policy list`)")
