"""The house plan (docs/architecture.md) as import contracts (pyproject.toml [tool.importlinter], import-linter):
the layers import downwards only and the platform never imports the synthetic-city generator. The contracts hold on
the tree, and an upward import planted in a copy of the tree breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shequyun.core.settings import PROJECT_ROOT

PACKAGES = ["shequyun", "connectors", "quality", "exports", "pipelines", "shequyun_synth"]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts on the packages under `root` (found first on PYTHONPATH)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([LINT, "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root, env=env,
                          capture_output=True, text=True, check=False)


def test_the_tree_keeps_every_contract() -> None:
    result = lint(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The Python packages and pyproject.toml copied to tmp_path (no data, no dbt project)."""
    for package in PACKAGES:
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.csv", "data", "templates"))
    shutil.copy2(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert lint(tmp_path).returncode == 0
    return tmp_path


@pytest.mark.parametrize(("module", "planted", "broken"), [
    # the core importing the command line (the roof)
    ("shequyun/core/settings.py", "import shequyun.cli", "shequyun.core.settings -> shequyun.cli"),
    # policy code importing exports (siblings that must stay independent)
    ("shequyun/policy/output.py", "import exports.package", "shequyun.policy.output -> exports.package"),
    # a connector importing the Dagster code location
    ("connectors/landing.py", "import pipelines.ingest", "connectors.landing -> pipelines.ingest"),
    # production code importing the generator
    ("shequyun/policy/fields.py", "import shequyun_synth.areas", "shequyun.policy.fields -> shequyun_synth.areas"),
])
def test_an_upward_import_breaks_the_contracts(tree_copy: Path, module: str, planted: str, broken: str) -> None:
    path = tree_copy / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{planted}  # planted by the test\n", encoding="utf-8")
    result = lint(tree_copy)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout and broken in result.stdout, result.stdout
