"""No silent dead ends: what each system feeds downstream, and a system that lands but feeds nothing is named
(connectors.contributions, `shequyun sources`, the ingest run summary)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from connectors.config import load_source_configs
from connectors.contributions import contributions, dead_ends
from pipelines.run import IngestSummary, SystemSummary
from shequyun.core.settings import SOURCES_DIR

# a system whose staging model nobody reads and that names no person and no address
ORPHAN = {"system": "xx_orphan", "title": "未接入下游的系统", "department": "civil_affairs", "department_title": "市民政局",
          "format": "csv", "path": "civil_affairs/xx_orphan/*.csv", "columns": {"编号": "case_no", "金额": "monthly_amount"},
          "primary_key": ["case_no"], "staging": {"model": "stg_civil_affairs__orphans"}}


def _with_orphan(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    (sources / "xx_orphan.yaml").write_text(yaml.safe_dump(ORPHAN, allow_unicode=True), encoding="utf-8")
    return sources


def test_every_shipped_system_feeds_something() -> None:
    found = {c.system: c for c in contributions(list(load_source_configs().values()))}
    assert dead_ends(list(load_source_configs().values())) == []
    assert found["ca_dibao"].persons == ["subject", "head"] and found["ca_dibao"].facts == "dibao"
    assert "rpt_ledger__dibao_households" in found["ca_dibao"].readers
    assert found["ha_property"].persons == ["owner"] and found["ha_property"].addresses == ["address (property)"]
    assert found["ca_divisions"].persons == [] and "dim_area" in found["ca_divisions"].readers
    assert {s for s, c in found.items() if c.register} == {"ps_hukou", "ps_population"}
    assert {s for s, c in found.items() if c.visits} == {"cc_visits"}
    assert {c.facts for c in found.values() if c.facts} == {"party", "dibao", "low_income", "tekun", "disability",
                                                           "veteran", "unemployment", "family_doctor", "graduate"}


def test_a_system_that_feeds_nothing_is_a_dead_end(tmp_path: Path) -> None:
    configs = list(load_source_configs(_with_orphan(tmp_path)).values())
    assert dead_ends(configs) == ["xx_orphan"]
    orphan = next(c for c in contributions(configs) if c.system == "xx_orphan")
    assert "DEAD END" in orphan.describe()


def test_sources_command_and_run_summary_name_dead_ends(tmp_path: Path, monkeypatch) -> None:
    import connectors.config as config_module
    from shequyun.cli import main

    monkeypatch.setattr(config_module, "DEFAULT_SOURCES_DIR", _with_orphan(tmp_path))
    out = CliRunner().invoke(main, ["sources"]).output
    assert "xx_orphan" in out and "17 systems; DEAD END (feed nothing downstream): xx_orphan" in out
    summary = IngestSummary(run_id="r", systems=[SystemSummary(system="xx_orphan", status="landed")],
                            dead_ends=["xx_orphan"])
    assert "DEAD END (lands but feeds nothing downstream; see `shequyun sources`): xx_orphan" in summary.render()
