"""Adding a system needs only a YAML file: a 市场监管 extract the generator does not know."""

from __future__ import annotations

import shutil
from pathlib import Path

from conn_helpers import assert_balanced, bronze, quarantine

from connectors.config import load_source_configs
from connectors.landing import load_system
from shequyun.settings import Paths

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
