"""ShequyunResource: the data directory comes from SHEQUYUN_DATA_DIR, else ./data."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.resources import ShequyunResource


def test_data_dir_defaults_to_the_environment_then_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEQUYUN_DATA_DIR", str(tmp_path / "city"))
    assert ShequyunResource().paths().bronze == (tmp_path / "city" / "lake" / "bronze").resolve()
    monkeypatch.delenv("SHEQUYUN_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    resource = ShequyunResource()
    assert resource.data_dir == "data" and resource.paths().root == (tmp_path / "data").resolve()
    assert ShequyunResource(data_dir=str(tmp_path / "x")).paths().landing == (tmp_path / "x" / "landing").resolve()
    assert resource.skip_unavailable_databases is False
