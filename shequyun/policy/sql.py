"""Conditions (shequyun.policy.expression trees) compiled to DuckDB SQL.

Two targets share one compiler:
- the person view (`ProfileCompiler`): every value becomes a bound parameter (`?`); every identifier and SQL fragment
  comes from shequyun.policy.fields. The user's text never reaches the SQL.
- the generator's truth persons (`TruthCompiler`, for `shequyun policy evaluate`): a tag is replaced by its truth
  condition from shequyun.tags.evaluate.TRUTH. That SQL is handed to shequyun.tags.evaluate.evaluate_tags, which
  splices conditions into its query, so values are written as literals - after a check that admits only whole
  numbers and text of digits, letters and Chinese characters (the validated values of the tree), never a quote.

A test on an unknown (null) value is false; `!=` is `not (=)`, so a person whose value is unknown is "not equal".
"""

from __future__ import annotations

import re

from shequyun.policy.expression import All, AnyOf, FieldTest, Node, Not
from shequyun.policy.fields import (
    AREA_COLUMN,
    RESIDENCE_SQL,
    RESIDENCE_TRUTH_SQL,
    TRUTH_AREA_COLUMN,
)

SQL_OPERATOR = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# the person view's column of each plain field
PROFILE_COLUMN = {"age": "p.age", "sex": "p.sex", "population_type": "p.population_type",
                  **{level: f"p.{column}" for level, column in AREA_COLUMN.items()}}
TRUTH_COLUMN = {"age": "age", "sex": "sex", "population_type": "population_type", **TRUTH_AREA_COLUMN}
SAFE_LITERAL = re.compile(r"^[0-9A-Za-z_\u4e00-\u9fff]{1,64}$")


class NoTruthError(LookupError):
    """A condition names a tag the generator's truth does not define."""


class _Compiler:
    """Shared structure: and / or / not and the per-value tests; the subclass says how fields and values read."""

    columns: dict[str, str]
    residence: dict[str, str]

    def condition(self, node: Node) -> str:
        if isinstance(node, All):
            return "(" + " and ".join(self.condition(i) for i in node.items) + ")"
        if isinstance(node, AnyOf):
            return "(" + " or ".join(self.condition(i) for i in node.items) + ")"
        if isinstance(node, Not):
            return f"(not {self.condition(node.item)})"
        positive = self.test(node if node.op != "!=" else FieldTest(node.field, "=", node.values))
        return f"(not {positive})" if node.op == "!=" else positive

    def test(self, node: FieldTest) -> str:
        if node.field == "tag":
            parts = [self.tag(str(v)) for v in node.values]
        elif node.field == "residence":
            parts = [self.residence[str(v)] for v in node.values]
        else:
            column, op = self.columns[node.field], SQL_OPERATOR[node.op]
            parts = [f"{column} {op} {self.value(v)}" for v in node.values]
        return "coalesce(" + " or ".join(f"({p})" for p in parts) + ", false)"

    def value(self, value: str | int) -> str:
        raise NotImplementedError

    def tag(self, code: str) -> str:
        raise NotImplementedError


class ProfileCompiler(_Compiler):
    """SQL over marts.dim_person_profile `p` and the person's current tag codes `pt.tag_codes` (never null)."""

    columns = PROFILE_COLUMN
    residence = RESIDENCE_SQL

    def __init__(self) -> None:
        self.params: list[object] = []

    def value(self, value: str | int) -> str:
        self.params.append(value)
        return "?"

    def tag(self, code: str) -> str:
        return f"list_contains(pt.tag_codes, {self.value(code)})"

    def area(self, level: str, code: str) -> str:
        """The condition of an area-owned policy: the residence house lies in its area."""
        return f"coalesce(p.{AREA_COLUMN[level]} = {self.value(code)}, false)"


class TruthCompiler(_Compiler):
    """SQL over shequyun.tags.evaluate's truth persons; a tag reads as its truth condition (TRUTH)."""

    columns = TRUTH_COLUMN
    residence = RESIDENCE_TRUTH_SQL

    def __init__(self, tag_truth: dict[str, str]) -> None:
        self.tag_truth = tag_truth

    def value(self, value: str | int) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"not a value of a condition: {value!r}")
        if isinstance(value, int):
            return str(int(value))
        if not SAFE_LITERAL.match(value):
            raise ValueError(f"refusing to write {value!r} into SQL")
        return f"'{value}'"

    def tag(self, code: str) -> str:
        if code not in self.tag_truth:
            raise NoTruthError(f"no truth defined for tag {code!r} (shequyun.tags.evaluate.TRUTH)")
        return self.tag_truth[code]

    def area(self, level: str, code: str) -> str:
        return f"coalesce({TRUTH_AREA_COLUMN[level]} = {self.value(code)}, false)"
