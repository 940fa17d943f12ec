from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from connectors.base import known_formats
from connectors.config import DEFAULT_SOURCES_DIR, load_source_configs
from connectors.errors import ConfigError, SourceError, SourceUnavailable, mask_dsn

ORIGINAL_14 = {
    "ps_hukou", "ps_population", "ca_dibao", "ca_low_income", "ca_tekun", "ca_elderly_allowance", "cc_visits",
    "dpf_disability", "ed_graduates", "ha_property", "hc_family_doctor", "hr_employment", "po_party_members",
    "va_veterans",
}


def test_shipped_configs_load_and_are_consistent() -> None:
    configs = load_source_configs()
    assert len(configs) == len(list(DEFAULT_SOURCES_DIR.glob("*.yaml")))
    assert ORIGINAL_14 <= set(configs)
    for system, cfg in configs.items():
        assert cfg.system == system == cfg.config_file.stem
        assert cfg.format in known_formats()
        assert set(cfg.required) <= set(cfg.columns.values())
        if cfg.is_database:
            assert cfg.cursor in cfg.columns and cfg.table
        else:
            assert cfg.path and cfg.path.startswith(f"{cfg.department}/{system}/")
    assert configs["ps_hukou"].columns["公民身份号码"] == "id_number"
    assert configs["hr_employment"].encoding == "gbk"
    assert configs["ca_dibao"].sheet == "低保对象"


def _write(tmp_path: Path, raw: dict) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    file = tmp_path / "src" / "x.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return file


BASE = {
    "system": "x", "title": "t", "department": "d", "department_title": "dt", "format": "csv",
    "path": "d/x/*.csv", "columns": {"姓名": "person_name"}, "required": ["person_name"],
}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"format": "xls"}, "format"),
        ({"title": None}, "title"),
        ({"path": None}, "path"),
        ({"required": ["id_number"]}, "required"),
        ({"encoding": "no-such-codec"}, "encoding"),
        ({"path": "/data/landing/d/x/*.csv"}, "path"),
        ({"path": "../elsewhere/*.csv"}, "path"),
        ({"colums": {"a": "b"}}, "colums"),
        ({"format": "postgres", "table": "t", "dsn_default": "postgresql://x/y", "cursor": "gxsj"}, "cursor"),
        ({"format": "mysql", "dsn_default": "mysql://x/y", "cursor": "姓名"}, "table"),
    ],
)
def test_invalid_config_names_file_and_key(tmp_path: Path, change: dict, key: str) -> None:
    raw = {**BASE, **change}
    raw = {k: v for k, v in raw.items() if v is not None}
    file = _write(tmp_path, raw)
    with pytest.raises(ConfigError) as info:
        load_source_configs(file.parent)
    assert info.value.key == key
    assert info.value.config_file == file
    assert "x.yaml" in str(info.value) and key in str(info.value)


def test_dsn_prefers_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = {**BASE, "format": "postgres", "table": "t", "cursor": "姓名", "dsn_env": "T_CONN_DSN",
           "dsn_default": "postgresql://postgres@127.0.0.1:5432/test"}
    raw.pop("path")
    cfg = load_source_configs(_write(tmp_path, raw).parent)["x"]
    monkeypatch.delenv("T_CONN_DSN", raising=False)
    assert cfg.dsn() == "postgresql://postgres@127.0.0.1:5432/test"
    monkeypatch.setenv("T_CONN_DSN", "postgresql://other@db:5432/prod")
    assert cfg.dsn() == "postgresql://other@db:5432/prod"


def test_error_messages() -> None:
    err = SourceError("ps_hukou", "landing/public_security/ps_hukou/x.csv", "not a valid ID", row=17, field="公民身份号码")
    assert str(err) == "ps_hukou: landing/public_security/ps_hukou/x.csv row 17 field 公民身份号码: not a valid ID"
    assert str(SourceError("s", "t", "gone")) == "s: t: gone"
    assert isinstance(SourceUnavailable("s", "t", "down"), SourceError)
    assert mask_dsn("postgresql://u:s3cr3t@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_dsn("host=h user=u password=s3cr3t") == "host=h user=u password=***"
    assert mask_dsn("mysql://root@h/db") == "mysql://root@h/db"
    import pickle

    again = pickle.loads(pickle.dumps(err))
    assert (again.row, again.field, str(again)) == (17, "公民身份号码", str(err))
