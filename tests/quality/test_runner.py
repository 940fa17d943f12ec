"""The bronze quality runner on small pandas frames: good data passes, broken data fails with the right counts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from quality.runner import (
    LINEAGE_COLUMNS,
    QualitySuiteError,
    available_suites,
    latest_batch,
    load_suite,
    run_suite,
)
from shequyun.core.settings import Paths

SOURCES = Path(__file__).resolve().parents[2] / "connectors" / "sources"
VALID_IDS = ["11010519491231002X", "440524188001010014", "31010819840330008X", "310108840330008"]


def canonical(system: str) -> list[str]:
    raw = yaml.safe_load((SOURCES / f"{system}.yaml").read_text(encoding="utf-8"))
    return list(dict.fromkeys(raw["columns"].values()))


def hukou_frame(n: int = 100) -> pd.DataFrame:
    rows = []
    for i in range(n):
        row = {c: None for c in canonical("ps_hukou")}
        row.update(
            household_no=f"{i:09d}", person_name="张伟", sex="男" if i % 2 else "2",
            id_number=VALID_IDS[i % 4], relation_to_head="户主", status="正常",
            birth_date=["1990-01-01", "1990/1/1", "19900101", "1990年1月1日", "32874"][i % 5],
            registered_on="2001-05-06 00:00:00", status_changed_on="",
        )
        row.update({c: f"v{i}" for c in LINEAGE_COLUMNS})
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def hukou_suite():
    return load_suite("ps_hukou", source_columns=canonical("ps_hukou"))


def outcome(result, rule: str, column: str):
    [found] = [o for o in result.results if o.name == rule and o.column == column]
    return found


def test_good_frame_passes_every_rule(hukou_suite) -> None:
    result = run_suite("ps_hukou", hukou_frame(), suite=hukou_suite)
    assert result.success, [o for o in result.results if not o.success]
    assert {o.name for o in result.results} == {r.name for r in hukou_suite.rules}
    assert outcome(result, "id_number_shape", "id_number").element_count == 100


def test_broken_ids_fail_beyond_the_threshold_with_exact_counts(hukou_suite) -> None:
    df = hukou_frame()
    df.loc[:9, "id_number"] = ["1101051949123100", "abc", "11010519491231002Y", "１１０１０５１９４９１２３１００２Ｘ",
                               "11010519491231", "110105 19491231002X", "X", "0", "11010519491231002XX", "3101"]
    result = run_suite("ps_hukou", df, suite=hukou_suite)
    shape = outcome(result, "id_number_shape", "id_number")
    assert not shape.success and shape.unexpected_count == 10 and shape.unexpected_percent == pytest.approx(10.0)
    assert shape.severity == "warn"
    assert not result.success
    # 3 in 100 broken is dirty data the 95% threshold lets through, still counted
    df = hukou_frame()
    df.loc[:2, "id_number"] = ["bad", "bad", "bad"]
    shape = outcome(run_suite("ps_hukou", df, suite=hukou_suite), "id_number_shape", "id_number")
    assert shape.success and shape.unexpected_count == 3


def test_null_and_blank_required_fields_fail_structurally(hukou_suite) -> None:
    df = hukou_frame()
    df.loc[3, "person_name"] = None
    df.loc[7, "person_name"] = "  "  # blank counts as missing
    df.loc[5, "household_no"] = ""
    result = run_suite("ps_hukou", df, suite=hukou_suite)
    assert outcome(result, "required_not_null", "person_name").unexpected_count == 2
    assert outcome(result, "required_not_null", "household_no").unexpected_count == 1
    assert not outcome(result, "required_not_null", "person_name").success
    assert outcome(result, "required_not_null", "person_name").severity == "error"
    assert not result.success


def test_bad_dates_and_values_are_counted(hukou_suite) -> None:
    df = hukou_frame()
    df.loc[:5, "birth_date"] = ["1990-13-01", "1990-02-32", "1890-01-01", "昨天", "19901301", "2190/1/1"]
    df.loc[:9, "sex"] = "M"
    result = run_suite("ps_hukou", df, suite=hukou_suite)
    dates = outcome(result, "dates_parseable", "birth_date")
    assert dates.unexpected_count == 6 and not dates.success
    sex = outcome(result, "sex_values", "sex")
    assert sex.unexpected_count == 10 and not sex.success


def test_missing_column_fails_columns_present(hukou_suite) -> None:
    result = run_suite("ps_hukou", hukou_frame().drop(columns=["education", "id_number"]), suite=hukou_suite)
    missing = {o.column for o in result.for_rule("columns_present") if not o.success}
    assert missing == {"education", "id_number"}
    shape = outcome(result, "id_number_shape", "id_number")
    assert not shape.success and "missing" in (shape.error or "")


def test_every_system_has_a_suite_that_loads_against_its_source_config() -> None:
    systems = sorted(p.stem for p in SOURCES.glob("*.yaml"))
    assert available_suites() == systems and len(systems) >= 14
    for system in systems:
        suite = load_suite(system)  # validated against connectors.config.load_source_configs()
        rules = {r.name: r for r in suite.rules}
        assert rules["columns_present"].severity == "error"
        assert rules["required_not_null"].severity == "error"
        raw = yaml.safe_load((SOURCES / f"{system}.yaml").read_text(encoding="utf-8"))
        assert set(rules["required_not_null"].columns) == set(raw["required"])


def _write_suite(tmp_path: Path, body: str) -> Path:
    (tmp_path / "ps_hukou.yml").write_text(body, encoding="utf-8")
    return tmp_path


def test_unknown_expectation_is_reported_with_the_file(tmp_path: Path) -> None:
    suites = _write_suite(tmp_path, "system: ps_hukou\nrules:\n  - rule: r\n    expect: expect_column_values_to_be_pretty\n    columns: [sex]\n")
    with pytest.raises(QualitySuiteError) as err:
        load_suite("ps_hukou", suites_dir=suites, source_columns=canonical("ps_hukou"))
    assert str(suites / "ps_hukou.yml") in str(err.value) and "expect_column_values_to_be_pretty" in str(err.value)


def test_unknown_column_is_reported_with_the_file(tmp_path: Path) -> None:
    suites = _write_suite(tmp_path, "system: ps_hukou\nrules:\n  - rule: r\n    expect: expect_column_values_to_not_be_null\n    columns: [gender]\n")
    with pytest.raises(QualitySuiteError) as err:
        load_suite("ps_hukou", suites_dir=suites, source_columns=canonical("ps_hukou"))
    assert "ps_hukou.yml" in str(err.value) and "'gender'" in str(err.value)


def test_unknown_regex_set_and_bad_kwargs_are_reported(tmp_path: Path) -> None:
    suites = _write_suite(tmp_path, "system: ps_hukou\nrules:\n  - rule: r\n    expect: expect_column_values_to_match_regex_list\n    columns: [sex]\n    kwargs: {regex_set: nope}\n")
    with pytest.raises(QualitySuiteError, match="nope"):
        load_suite("ps_hukou", suites_dir=suites, source_columns=canonical("ps_hukou"))
    suites = _write_suite(tmp_path, "system: ps_hukou\nrules:\n  - rule: r\n    expect: expect_column_values_to_not_be_null\n    columns: [sex]\n    kwargs: {mostly: 7}\n")
    with pytest.raises(QualitySuiteError, match="ps_hukou.yml"):
        load_suite("ps_hukou", suites_dir=suites, source_columns=canonical("ps_hukou"))


def test_latest_batch_reads_only_the_newest_batch(tmp_path: Path) -> None:
    from deltalake import write_deltalake

    paths = Paths(tmp_path)
    table = paths.bronze / "ps_hukou"
    for batch, loaded_at, n in (("b1", "2026-11-01T00:00:00", 3), ("b2", "2026-11-02T00:00:00", 2)):
        frame = pd.DataFrame({"person_name": [f"{batch}-{i}" for i in range(n)], "_batch_id": batch,
                              "_loaded_at": pd.Timestamp(loaded_at, tz="UTC")})
        write_deltalake(str(table), frame, mode="append")
    newest = latest_batch(paths, "ps_hukou")
    assert sorted(newest["person_name"]) == ["b2-0", "b2-1"]
    both = latest_batch(paths, "ps_hukou", batch_ids=["b1", "b2"])
    assert len(both) == 5
    with pytest.raises(FileNotFoundError):
        latest_batch(paths, "ps_population")


def test_large_batches_are_read_as_a_systematic_sample(tmp_path: Path) -> None:
    from deltalake import write_deltalake

    from quality.runner import read_batches

    paths = Paths(tmp_path)
    frame = pd.DataFrame({"person_name": [f"p{i}" for i in range(1000)], "_row_number": range(2, 1002),
                          "_batch_id": "b1", "_loaded_at": pd.Timestamp("2026-11-01", tz="UTC")})
    write_deltalake(str(paths.bronze / "ps_hukou"), frame, mode="append")
    full = read_batches(paths, "ps_hukou")
    assert (full.total_rows, len(full.frame), full.sampled, full.batch_ids) == (1000, 1000, False, ["b1"])
    sample = read_batches(paths, "ps_hukou", max_rows=100)
    assert sample.sampled and sample.sample_every == 10 and sample.total_rows == 1000
    assert len(sample.frame) == 100 and (sample.frame["_row_number"] % 10 == 0).all()
