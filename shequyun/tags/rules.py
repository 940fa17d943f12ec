"""The tag rule language: a small, safe expression language over the documented person view, compiled to DuckDB SQL.

A rule is a Python *expression* (parsed with `ast.parse(..., mode="eval")`); only the node types below are
accepted, every name must be a documented column of the person view (dim_person_profile), and the SQL is
generated from the syntax tree, never pasted from the text.

Grammar (informal):

    rule      := cond
    cond      := cond 'and' cond | cond 'or' cond | 'not' cond | '(' cond ')'
               | operand CMP operand [CMP operand ...]     -- chained: 60 <= age < 80
               | operand 'in' '[' literal, ... ']' | operand 'not in' '[' literal, ... ']'
               | has(field)                                -- the field is known (not null; true for a boolean)
               | boolean_field
    CMP       := '==' | '!=' | '<' | '<=' | '>' | '>='
    operand   := field | literal | years_after(date_field, integer)
    literal   := 'text' | integer | decimal | True | False | None | date('YYYY-MM-DD')

`field == None` / `field != None` become `is null` / `is not null`. A `since` expression (the date a tag
applies from) is an operand of date type: a date field, years_after(birth_date, 80), greatest(a, b, ...) or
least(a, b, ...).
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
from dataclasses import dataclass, field

# the column types of the person view the language knows (contract data types of dim_person_profile.yml)
TYPE_OF_DATA_TYPE = {
    "varchar": "text", "integer": "number", "bigint": "number", "double": "number", "boolean": "boolean",
    "date": "date", "varchar[]": "list",
}
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
COMPARISONS = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
MAX_RULE_LENGTH = 2000


class RuleError(ValueError):
    """A rule that does not parse, names an unknown field or mixes types; the message names the tag and its file."""

    def __init__(self, message: str, tag: str = "?", file: str = "?") -> None:
        self.reason, self.tag, self.file = message, tag, file
        super().__init__(f"{file}: tag {tag}: {message}")


@dataclass(frozen=True)
class Field:
    name: str
    type: str                   # text / number / boolean / date / list
    provenance: str | None = None  # the view's column listing the records the value comes from


@dataclass
class Compiled:
    sql: str
    type: str
    fields: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Schema:
    """The fields a rule may name."""

    fields: dict[str, Field]

    def get(self, name: str) -> Field:
        if not IDENTIFIER.match(name) or name not in self.fields:
            known = ", ".join(sorted(self.fields))
            raise RuleError(f"unknown field {name!r} (the person view has: {known})")
        return self.fields[name]


def _parse(text: str) -> ast.expr:
    if not isinstance(text, str) or not text.strip():
        raise RuleError("the rule is empty")
    if len(text) > MAX_RULE_LENGTH:
        raise RuleError(f"the rule is longer than {MAX_RULE_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"syntax error at column {exc.offset}: {exc.msg} in {text!r}") from None
    return tree.body


def _literal(value: object) -> Compiled:
    if value is None:
        return Compiled("null", "null")
    if isinstance(value, bool):
        return Compiled("true" if value else "false", "boolean")
    if isinstance(value, int):
        return Compiled(str(int(value)), "number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RuleError(f"not a finite number: {value!r}")
        return Compiled(repr(float(value)), "number")
    if isinstance(value, str):
        if "\x00" in value or "{" in value or "}" in value:
            raise RuleError(f"a text literal may not contain NUL or braces: {value!r}")
        return Compiled("'" + value.replace("'", "''") + "'", "text")
    raise RuleError(f"literal of type {type(value).__name__} is not allowed: {value!r}")


def _date_literal(node: ast.Call) -> Compiled:
    if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
        raise RuleError("date() takes one text literal 'YYYY-MM-DD'")
    try:
        day = dt.date.fromisoformat(node.args[0].value)
    except ValueError:
        raise RuleError(f"not a date: {node.args[0].value!r}") from None
    return Compiled(f"date '{day.isoformat()}'", "date")


class _Compiler:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.fields: set[str] = set()

    # operands ---------------------------------------------------------------------------------------------------
    def operand(self, node: ast.expr) -> Compiled:
        if isinstance(node, ast.Name):
            f = self.schema.get(node.id)
            self.fields.add(f.name)
            return Compiled(f'"{f.name}"', f.type, {f.name})
        if isinstance(node, ast.Constant):
            return _literal(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
                and type(node.operand.value) in (int, float):
            return _literal(-node.operand.value)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise RuleError(f"not allowed here: {ast.unparse(node)!r} ({type(node).__name__})")

    def call(self, node: ast.Call) -> Compiled:
        if not isinstance(node.func, ast.Name):
            raise RuleError(f"only the functions has, years_after, greatest, least, date may be called: {ast.unparse(node)!r}")
        name = node.func.id
        if node.keywords:
            raise RuleError(f"{name}() takes no keyword arguments")
        if name == "date":
            return _date_literal(node)
        if name == "has":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
                raise RuleError("has() takes one field name")
            arg = self.operand(node.args[0])
            if arg.type == "boolean":
                return Compiled(f"coalesce({arg.sql}, false)", "boolean")
            if arg.type == "list":
                return Compiled(f"coalesce(len({arg.sql}) > 0, false)", "boolean")
            return Compiled(f"({arg.sql} is not null)", "boolean")
        if name == "years_after":
            if len(node.args) != 2 or not isinstance(node.args[1], ast.Constant) or type(node.args[1].value) is not int:
                raise RuleError("years_after() takes a date field and a whole number of years")
            base = self.operand(node.args[0])
            if base.type != "date":
                raise RuleError(f"years_after() needs a date, not {base.type}: {ast.unparse(node.args[0])!r}")
            years = int(node.args[1].value)
            if not 0 <= years <= 200:
                raise RuleError(f"years_after(): {years} years is out of range")
            return Compiled(f"cast({base.sql} + interval {years} year as date)", "date")
        if name in ("greatest", "least"):
            if len(node.args) < 2:
                raise RuleError(f"{name}() takes two or more dates")
            args = [self.operand(a) for a in node.args]
            if any(a.type != "date" for a in args):
                raise RuleError(f"{name}() takes dates only")
            return Compiled(f"{name}({', '.join(a.sql for a in args)})", "date")
        raise RuleError(f"unknown function {name!r} (allowed: has, years_after, greatest, least, date)")

    # conditions -------------------------------------------------------------------------------------------------
    def condition(self, node: ast.expr) -> Compiled:
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            parts = [self.condition(v) for v in node.values]
            return Compiled("(" + f" {op} ".join(p.sql for p in parts) + ")", "boolean")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Compiled(f"(not coalesce({self.condition(node.operand).sql}, false))", "boolean")
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, (ast.Name, ast.Call)):
            c = self.operand(node)
            if c.type != "boolean":
                raise RuleError(f"{ast.unparse(node)!r} is a {c.type}, not a condition")
            return Compiled(f"coalesce({c.sql}, false)", "boolean") if isinstance(node, ast.Name) else c
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return _literal(node.value)
        raise RuleError(f"not a condition: {ast.unparse(node)!r} ({type(node).__name__} is not allowed)")

    def compare(self, node: ast.Compare) -> Compiled:
        parts = []
        left_node = node.left
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)):
                parts.append(self.membership(left_node, op, right_node))
            elif type(op) in COMPARISONS:
                parts.append(self.binary(left_node, op, right_node))
            else:
                raise RuleError(f"comparison {type(op).__name__} is not allowed (use ==, !=, <, <=, >, >=, in, not in)")
            left_node = right_node
        return Compiled("(" + " and ".join(parts) + ")", "boolean")

    def binary(self, left_node: ast.expr, op: ast.cmpop, right_node: ast.expr) -> str:
        left, right = self.operand(left_node), self.operand(right_node)
        if "null" in (left.type, right.type):
            if not isinstance(op, (ast.Eq, ast.NotEq)):
                raise RuleError("None can only be compared with == or !=")
            other = right if left.type == "null" else left
            return f"({other.sql} is {'' if isinstance(op, ast.Eq) else 'not '}null)"
        left, right = _coerce_date(left, right), _coerce_date(right, left)
        if left.type != right.type or left.type == "list":
            raise RuleError(f"cannot compare {left.type} with {right.type}: "
                            f"{ast.unparse(left_node)!r} and {ast.unparse(right_node)!r}")
        return f"({left.sql} {COMPARISONS[type(op)]} {right.sql})"

    def membership(self, left_node: ast.expr, op: ast.cmpop, right_node: ast.expr) -> str:
        left = self.operand(left_node)
        if not isinstance(right_node, (ast.List, ast.Tuple)) or not right_node.elts:
            raise RuleError(f"'in' takes a non-empty list of literals: {ast.unparse(right_node)!r}")
        items = []
        for elt in right_node.elts:
            if not isinstance(elt, ast.Constant):
                raise RuleError(f"'in' takes literals only: {ast.unparse(elt)!r}")
            item = _coerce_date(_literal(elt.value), left)
            if item.type != left.type:
                raise RuleError(f"{ast.unparse(elt)!r} is not a {left.type} like {ast.unparse(left_node)!r}")
            items.append(item.sql)
        neg = "not " if isinstance(op, ast.NotIn) else ""
        return f"({left.sql} {neg}in ({', '.join(items)}))"


def _coerce_date(value: Compiled, other: Compiled) -> Compiled:
    """A text literal compared with a date becomes a date literal (checked)."""
    if other.type == "date" and value.type == "text" and value.sql.startswith("'"):
        text = value.sql[1:-1]
        try:
            return Compiled(f"date '{dt.date.fromisoformat(text).isoformat()}'", "date")
        except ValueError:
            raise RuleError(f"not a date: {text!r}") from None
    return value


def compile_rule(text: str, schema: Schema) -> Compiled:
    """The SQL condition of a rule (a boolean; null counts as false) and the fields it names."""
    compiler = _Compiler(schema)
    result = compiler.condition(_parse(text))
    return Compiled(f"coalesce({result.sql}, false)", "boolean", compiler.fields)


def compile_date(text: str, schema: Schema) -> Compiled:
    """The SQL of a `since` expression (a date)."""
    compiler = _Compiler(schema)
    result = compiler.operand(_parse(text))
    if result.type != "date":
        raise RuleError(f"since must be a date, not {result.type}: {text!r}")
    return Compiled(result.sql, "date", compiler.fields)
