"""docs/reliability.md's bad-input catalogue cannot rot: every test it cites exists (a Python test function, or a dbt
unit test in the cited YAML), it keeps at least 30 distinct kinds, and its open defects are exactly the strict xfail
tests of tests/connectors/test_bad_input_catalogue.py."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"
CATALOGUE_TESTS = ROOT / "tests" / "connectors" / "test_bad_input_catalogue.py"
COLUMNS = ["#", "kind of bad input", "what the user sees (where)", "where the row goes", "status", "test"]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def catalogue() -> list[dict[str, str]]:
    """The rows of the table under '## Catalogue', as {column: text}."""
    section = DOC.read_text(encoding="utf-8").split("## Catalogue", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    assert _cells(lines[0]) == COLUMNS, _cells(lines[0])
    assert set(lines[1].replace("|", "").strip()) <= {"-", " "}
    rows = []
    for line in lines[2:]:
        cells = _cells(line)
        assert len(cells) == len(COLUMNS), line
        rows.append(dict(zip(COLUMNS, cells)))
    return rows


def citations(cell: str) -> list[tuple[str, str]]:
    found = [tuple(part.strip().split("::")) for part in cell.split("<br>") if part.strip()]
    assert found and all(len(c) == 2 for c in found), cell
    return found  # type: ignore[return-value]


@cache
def _python_tests(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")}


@cache
def _dbt_unit_tests(path: Path) -> set[str]:
    return {t["name"] for t in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])}


def _is_strict_xfail(node: ast.FunctionDef) -> bool:
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and ast.unparse(deco.func) == "pytest.mark.xfail":
            return any(k.arg == "strict" and isinstance(k.value, ast.Constant) and k.value.value is True
                       for k in deco.keywords)
    return False


def test_the_catalogue_has_at_least_30_distinct_kinds_numbered_in_order() -> None:
    rows = catalogue()
    assert len(rows) >= 30
    assert [r["#"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    kinds = [r["kind of bad input"].lower() for r in rows]
    assert len(set(kinds)) == len(kinds)
    for row in rows:
        assert row["what the user sees (where)"] and row["where the row goes"], row
        assert re.fullmatch(r"(tested|added|\*\*DEFECT\*\*)( \+ (tested|added|\*\*DEFECT\*\*))*", row["status"]), row


def test_every_cited_test_exists() -> None:
    missing = []
    for row in catalogue():
        for file, name in citations(row["test"]):
            path = ROOT / file
            if not path.is_file():
                missing.append(f"row {row['#']}: no file {file}")
            elif path.suffix == ".py":
                if not path.name.startswith("test_") or name not in _python_tests(path):
                    missing.append(f"row {row['#']}: no test function {name} in {file}")
            elif path.suffix in {".yml", ".yaml"}:
                if name not in _dbt_unit_tests(path):
                    missing.append(f"row {row['#']}: no dbt unit test {name} in {file}")
            else:
                missing.append(f"row {row['#']}: {file} is neither a Python test file nor a dbt YAML")
    assert missing == []


def test_open_defects_are_exactly_the_strict_xfail_tests() -> None:
    tests = _python_tests(CATALOGUE_TESTS)
    xfails = {name for name, node in tests.items() if _is_strict_xfail(node)}
    cited_by_defects: set[str] = set()
    for row in catalogue():
        cited = {name for file, name in citations(row["test"]) if ROOT / file == CATALOGUE_TESTS}
        if "DEFECT" in row["status"]:
            assert cited & xfails, f"row {row['#']} is a defect without a strict xfail test"
            cited_by_defects |= cited & xfails
        else:
            assert not cited & xfails, f"row {row['#']} cites an xfail test but is not marked DEFECT"
    assert cited_by_defects == xfails
    section = DOC.read_text(encoding="utf-8").split("## Open defects", 1)[1]
    for name in xfails:
        assert name in section, f"{name} is not listed under Open defects"


def test_every_catalogue_test_is_cited() -> None:
    cited = {name for row in catalogue() for file, name in citations(row["test"]) if ROOT / file == CATALOGUE_TESTS}
    assert set(_python_tests(CATALOGUE_TESTS)) - cited == set()
