"""Adding a system needs only a YAML file: a 市场监管 extract the generator does not know."""

from __future__ import annotations

import shutil
from pathlib import Path

from conn_helpers import assert_balanced, bronze, quarantine

from connectors.config import load_source_configs
from connectors.landing import load_system
from shequyun.core.settings import Paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "connectors"


def test_new_system_from_yaml_only(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURES / "sources", sources)
    paths = Paths(tmp_path / "data")
    shutil.copytree(FIXTURES / "landing", paths.landing)

    configs = load_source_configs(sources)
    assert list(configs) == ["sr_business_licences"]
    result = load_system(configs["sr_business_licences"], paths)
    assert result.failures == [] and result.warnings == []
    assert_balanced(result)
    assert (result.rows_landed, result.rows_quarantined) == (2, 1)
    df = bronze(paths, "sr_business_licences").sort("_row_number")
    assert df["business_name"].to_list() == ["黄浦区张记面馆", "徐汇区𠮷祥便利店"]  # 𠮷: outside GBK, in GB18030
    assert df["status"].to_list() == ["存续", "存续"]  # CRLF: no \r left on the last column
    assert df["credit_code"].to_list() == ["92310101MA1K000001", "92310104MA1K000002"]
    assert df["_source"][0] == "market_regulation/sr_business_licences/sr_business_licences_20261101.csv"
    q = quarantine(paths, "sr_business_licences")
    assert q["_row_number"].to_list() == [4] and q["field"].to_list() == ["operator_name"]
    assert "经营者姓名 (operator_name)" in q["reason"][0]


def test_a_new_format_is_one_registered_reader(tmp_path: Path, make_cfg) -> None:
    import pyarrow as pa
    import pytest

    from connectors import base
    from connectors.base import RawBatch, register_reader
    from connectors.errors import ConfigError

    class FixedWidthReader:
        """A toy reader: 4-character 编号 then the name, one record per line."""

        kind = "file"

        def read_file(self, cfg, path, *, source, display):
            lines = path.read_text(encoding="utf-8").splitlines()
            return RawBatch(
                source=source,
                data=pa.table({"编号": [ln[:4] for ln in lines], "姓名": [ln[4:] for ln in lines]}),
                row_numbers=pa.array(range(1, len(lines) + 1), pa.int64()),
                header=["编号", "姓名"],
            )

    with pytest.raises(ConfigError) as info:
        make_cfg(format="fixedwidth", path="test_dept/t_people/*.txt")
    assert info.value.key == "format"
    register_reader("fixedwidth", FixedWidthReader())
    try:
        cfg = make_cfg(format="fixedwidth", path="test_dept/t_people/*.txt",
                       columns={"编号": "record_id", "姓名": "person_name"})
        paths = Paths(tmp_path / "data")
        (paths.landing / "test_dept/t_people").mkdir(parents=True)
        (paths.landing / "test_dept/t_people/a.txt").write_text("0001张三\n0002\n", encoding="utf-8")
        result = load_system(cfg, paths)
        assert (result.rows_landed, result.rows_quarantined) == (1, 1)
        assert bronze(paths, "t_people")["person_name"].to_list() == ["张三"]
    finally:
        base._REGISTRY.pop("fixedwidth", None)
