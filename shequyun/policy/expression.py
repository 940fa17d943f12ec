"""The condition language of policies and of `shequyun policy match --where`, parsed with lark into a small tree.

    tag:独居老人 and age>=80 and street:310115007
    (标签:低保 or tag:tekun) and not residence:人户分离
    tag:低保,特困,低收入 and sex:女          -- a list after ':' means any of them

Grammar (LALR, lark): `and`, `or`, `not` (any case), parentheses; a test is `field OP value[,value...]` with OP one
of `:` `=` `==` `!=` `<>` `<` `<=` `>` `>=`, or a bare tag name (`独居老人` = `tag:独居老人`). A value is a word
(anything but spaces, quotes, parentheses, commas and operators) or a quoted text ('...', "...", “...”, ‘...’).
The text is NFKC-normalised first, so full-width ＞＝ ： （ ） typed with a Chinese input method work.

Why lark rather than Python's `ast` (which shequyun.tags.rules uses for tag rules): `tag:独居老人` and
`street:310115007` are not Python syntax, so they would need rewriting before `ast.parse` - a hand-written
pre-lexer is exactly what an injection slips through. lark parses the grammar below as it stands, reports the
column of a syntax error, and its LALR parser does not recurse, so deep nesting cannot blow the stack (depth is
capped anyway).

The tree (FieldTest / All / AnyOf / Not) holds validated, normalised values only: fields come from
shequyun.policy.fields, tags are resolved to their codes by the catalogue. It never holds SQL; shequyun.policy.sql
turns it into SQL with bound parameters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from lark import Lark, Token, Tree
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from shequyun.policy.fields import FIELDS, FieldValueError, check_value, field_named

MAX_LENGTH = 1000
MAX_DEPTH = 24
MAX_TESTS = 100

_NAME_CHARS = r"""[^\s()\[\]{}:,;'"“”‘’=<>!]"""
GRAMMAR = rf"""
    start: or_
    ?or_: and_ (_OR and_)*
    ?and_: not_ (_AND not_)*
    ?not_: _NOT not_       -> negation
         | "(" or_ ")"
         | test
    test: NAME OP values   -> comparison
        | NAME             -> bare_tag
    values: value ("," value)*
    ?value: NAME | STRING

    OP: ":" | "==" | "=" | "!=" | "<>" | "<=" | ">=" | "<" | ">"
    _AND.2: /and(?!{_NAME_CHARS})/i
    _OR.2: /or(?!{_NAME_CHARS})/i
    _NOT.2: /not(?!{_NAME_CHARS})/i
    NAME: /{_NAME_CHARS}+/
    STRING: /"[^"\n]*"|'[^'\n]*'|“[^”\n]*”|‘[^’\n]*’/
    %import common.WS
    %ignore WS
"""
_PARSER = Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)
_OPERATOR = {":": "=", "==": "=", "=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class ExpressionError(ValueError):
    """An expression that does not parse or names an unknown field, tag or value; says where and why."""


@dataclass(frozen=True)
class FieldTest:
    """field OP value: with several values, '=' holds when any value matches and '!=' when none does."""

    field: str
    op: str
    values: tuple[str | int, ...]


@dataclass(frozen=True)
class All:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = FieldTest | All | AnyOf | Not
TagLookup = Callable[[str], str]   # a tag code or name -> its code; raises KeyError/ValueError with a message


def normalise_text(text: str) -> str:
    """NFKC (full-width operators and brackets to ASCII); control characters refused."""
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters ({len(text)})")
    text = unicodedata.normalize("NFKC", text)
    bad = next((c for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r"), None)
    if bad is not None:
        raise ExpressionError(f"control character U+{ord(bad):04X} in the expression")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    return text


def _syntax_error(text: str, exc: UnexpectedInput) -> ExpressionError:
    if isinstance(exc, UnexpectedEOF):
        return ExpressionError(f"the expression ends too early: {text!r}")
    column = getattr(exc, "column", "?")
    if isinstance(exc, UnexpectedCharacters):
        what = f"unexpected character {text[exc.pos_in_stream]!r}"
    elif isinstance(exc, UnexpectedToken):
        what = "unexpected end" if exc.token.type == "$END" else f"unexpected {str(exc.token)!r}"
    else:  # pragma: no cover
        what = type(exc).__name__
    context = exc.get_context(text, span=30).rstrip()
    return ExpressionError(f"syntax error at column {column}: {what}\n{context}")


def _depth_and_tests(tree: Tree) -> tuple[int, int]:
    """The nesting depth and number of tests of a lark tree, walked without recursion."""
    depth, tests, stack = 0, 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        depth = max(depth, level)
        if node.data in ("comparison", "bare_tag"):
            tests += 1
            continue
        stack.extend((child, level + 1) for child in node.children if isinstance(child, Tree))
    return depth, tests


def _value_text(token: Token) -> str:
    text = str(token)
    return text[1:-1] if token.type == "STRING" else text


class _Builder:
    """The lark tree to validated nodes: fields resolved, values checked, tags looked up."""

    def __init__(self, tag_lookup: TagLookup) -> None:
        self.tag_lookup = tag_lookup

    def node(self, tree: Tree) -> Node:
        kind = tree.data
        if kind == "start":
            return self.node(tree.children[0])
        if kind == "or_":
            return AnyOf(tuple(self.node(c) for c in tree.children))
        if kind == "and_":
            return All(tuple(self.node(c) for c in tree.children))
        if kind == "negation":
            return Not(self.node(tree.children[0]))
        if kind == "bare_tag":
            return self.test("tag", "=", [_value_text(tree.children[0])], tree.children[0])
        if kind == "comparison":
            name, op, values = tree.children
            return self.test(str(name), _OPERATOR[str(op)], [_value_text(v) for v in values.children], name)
        raise AssertionError(kind)  # pragma: no cover

    def test(self, name: str, op: str, values: list[str], where: Token) -> FieldTest:
        at = f"column {where.column}"
        try:
            spec = field_named(name)
        except FieldValueError as exc:
            raise ExpressionError(f"{at}: {exc}") from None
        if op not in spec.operators:
            raise ExpressionError(f"{at}: {spec.name} takes {' '.join(spec.operators)}, not {op!r}")
        if len(values) > 1 and op not in ("=", "!="):
            raise ExpressionError(f"{at}: a list of values needs ':' or '!=', not {op!r}")
        return FieldTest(spec.name, op, tuple(self.value(spec.name, v, at) for v in values))

    def value(self, field: str, value: str, at: str) -> str | int:
        try:
            checked = check_value(FIELDS[field], value)
            return self.tag_lookup(checked) if field == "tag" else checked
        except (FieldValueError, KeyError, ValueError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            raise ExpressionError(f"{at}: {message}") from None


def parse_expression(text: str, tag_lookup: TagLookup) -> Node:
    """Parse and validate a condition; ExpressionError (with the column) when it is not a valid one."""
    text = normalise_text(text)
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    except LarkError as exc:  # pragma: no cover - any other parser failure is still the user's input
        raise ExpressionError(f"cannot parse the expression: {exc}") from None
    depth, tests = _depth_and_tests(tree)
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the expression nests deeper than {MAX_DEPTH} levels")
    if tests > MAX_TESTS:
        raise ExpressionError(f"the expression has more than {MAX_TESTS} tests ({tests})")
    return _Builder(tag_lookup).node(tree)


def _quote(value: str | int) -> str:
    text = str(value)
    if isinstance(value, int) or all(c not in text for c in " \t()[]{}:,;'\"“”‘’=<>!"):
        return text
    return '"' + text + '"' if '"' not in text else "'" + text + "'"


def render(node: Node, tag_name: Callable[[str], str] | None = None) -> str:
    """The node as expression text (parses back to the same node); tags by code, or by `tag_name(code)`."""
    if isinstance(node, FieldTest):
        op = ":" if node.op == "=" else node.op
        values = [tag_name(str(v)) if tag_name and node.field == "tag" else v for v in node.values]
        return f"{node.field}{op}{','.join(_quote(v) for v in values)}"
    if isinstance(node, Not):
        inner = render(node.item, tag_name)
        return f"not {inner}" if isinstance(node.item, FieldTest) else f"not ({inner})"
    joiner = " and " if isinstance(node, All) else " or "
    return joiner.join(render(i, tag_name) if isinstance(i, (FieldTest, Not)) else f"({render(i, tag_name)})"
                       for i in node.items)


def tag_codes(node: Node) -> list[str]:
    """The tag codes a condition names, in order of appearance, without repeats."""
    out: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, FieldTest):
            if n.field == "tag":
                out.extend(str(v) for v in n.values if v not in out)
        elif isinstance(n, Not):
            stack.append(n.item)
        else:
            stack.extend(reversed(n.items))
    return out
