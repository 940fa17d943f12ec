"""The run summary counts a failed dbt test of severity warn as a warning, not as a failure."""

from __future__ import annotations

from dagster import AssetCheckEvaluation, AssetCheckSeverity, AssetKey

from pipelines.run import TransformSummary


def test_warnings_are_not_failures() -> None:
    summary = TransformSummary(run_id="r", success=True)
    for name, passed, severity in [("unique_key", True, AssetCheckSeverity.ERROR),
                                   ("assert_houses_placed_in_committee", False, AssetCheckSeverity.WARN),
                                   ("not_null_key", False, AssetCheckSeverity.ERROR)]:
        summary.record_check(AssetCheckEvaluation(asset_key=AssetKey("dim_house"), check_name=name, passed=passed,
                                                  severity=severity))
    assert summary.checks_passed == 1
    assert summary.checks_warned == ["dim_house:assert_houses_placed_in_committee"]
    assert summary.checks_failed == ["dim_house:not_null_key"]
    text = summary.render()
    assert "1 dbt tests passed, 1 failed, 1 warned" in text
    assert "failed tests: dim_house:not_null_key" in text and "warnings (severity warn" in text
