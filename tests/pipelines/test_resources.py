"""ShequyunResource: the data directory comes from its config, else SHEQUYUN_DATA_DIR, else a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.resources import ShequyunResource
from shequyun.core.settings import SettingMissing


def test_data_dir_from_config_then_environment_else_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEQUYUN_DATA_DIR", str(tmp_path / "city"))
    assert ShequyunResource().paths().bronze == (tmp_path / "city" / "lake" / "bronze").resolve()
    assert ShequyunResource(data_dir=str(tmp_path / "x")).paths().landing == (tmp_path / "x" / "landing").resolve()
    monkeypatch.delenv("SHEQUYUN_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    resource = ShequyunResource()
    assert resource.data_dir is None and resource.skip_unavailable_databases is False
    with pytest.raises(SettingMissing, match="SHEQUYUN_DATA_DIR"):
        resource.paths()
    assert not (tmp_path / "data").exists()
