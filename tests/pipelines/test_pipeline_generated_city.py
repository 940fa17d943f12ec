"""The quality thresholds against the synthetic city's documented noise (shequyun_synth/noise.yaml).

Real noise (legacy 15-digit IDs, lower-case x, other date formats, duplicate rows ...) must pass every
check; the checks' own tests (tests/quality) show that gross breakage fails them.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.run import run_ingest


def test_every_file_system_lands_and_passes_its_checks_on_a_generated_city(tmp_path: Path) -> None:
    from connectors.config import load_source_configs
    from shequyun_synth.generate import generate_city

    generate_city(tmp_path, persons=3000, seed=20261126, load_db=False, progress=False)
    systems = sorted(s for s, cfg in load_source_configs().items() if not cfg.is_database)
    summary = run_ingest(tmp_path, systems)
    assert summary.success, summary.render()
    for s in summary.systems:
        assert s.status == "landed", s
        assert s.rows_read == s.rows_landed + s.rows_quarantined and s.rows_landed > 0
        assert s.checks_failed == 0 and s.checks_passed >= 7, (s.system, s.failed_checks)
