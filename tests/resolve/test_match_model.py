"""The stored person match model (shequyun.resolution.match_model): stored once, whole, never overwritten, checked
when read, passed to dbt, shown and retired by `shequyun match-model`. The dbt side (a stored model is what scores
the pairs) is tested on a built city in test_resolution_end_to_end.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from shequyun.cli import main
from shequyun.core.duck import dbt_vars
from shequyun.core.settings import Paths
from shequyun.resolution.match_model import (
    MODEL_FILE,
    MatchModelError,
    read_match_model,
    retire_match_model,
    store_match_model,
)

BUILT_AT = dt.datetime(2026, 11, 2, 1, 30, 15, 123456, tzinfo=dt.UTC)


def _database(path: Path, *, prior: float = -12.5, with_model: bool = True) -> Path:
    """A database holding what a build leaves: build_info and (unless not `with_model`) the two model tables."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema intermediate")
        con.execute("create table marts.build_info as select date '2026-11-01' as as_of, ?::timestamptz as built_at, "
                    "'0.1.0+gabc' as code_version, []::struct(system varchar)[] as source_batches", [BUILT_AT])
        if with_model:
            con.execute("""create table intermediate.int_person_match_weights as
                select * from (values ('name', 4, 0.9, 0.001, 9.81, ?, 1e-5, 0.2, 5000, 1800),
                                      ('name', 0, 0.02, 0.95, -5.57, ?, 1e-5, 0.2, 5000, 1800))
                    as w(comparison, level, m_probability, u_probability, match_weight, prior_match_weight,
                         random_match_probability, candidate_match_share, candidate_pairs, trusted_persons)""",
                        [prior, prior])
            con.execute("create table intermediate.int_person_name_frequencies as "
                        "select * from (values ('张伟', 12), ('李娜', 3)) as f(person_name, n_persons)")
    return path


def test_a_model_is_stored_whole_once_and_read_back(tmp_path: Path) -> None:
    folder = Paths(tmp_path / "data").person_match_model
    stored = store_match_model(_database(tmp_path / "a.duckdb"), folder)
    assert stored is not None
    assert stored.estimated_at == BUILT_AT.isoformat() and stored.as_of == "2026-11-01"
    assert {stem: meta["rows"] for stem, meta in stored.files.items()} == {"weights": 2, "name_frequencies": 2}
    assert sorted(p.name for p in folder.iterdir()) == [MODEL_FILE, "name_frequencies.parquet", "weights.parquet"]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]     # no staging folder left
    with duckdb.connect() as con:
        priors = con.execute(f"select distinct prior_match_weight from '{folder / 'weights.parquet'}'").fetchall()
    assert priors == [(-12.5,)]
    assert read_match_model(folder) == stored
    # a later build never replaces it, whatever it estimated
    assert store_match_model(_database(tmp_path / "b.duckdb", prior=-3.0), folder) is None
    assert read_match_model(folder) == stored


def test_a_build_without_the_model_tables_stores_nothing(tmp_path: Path) -> None:
    folder = Paths(tmp_path / "data").person_match_model
    assert store_match_model(_database(tmp_path / "a.duckdb", with_model=False), folder) is None
    assert not folder.exists()


def test_an_altered_or_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    folder = Paths(tmp_path / "data").person_match_model
    store_match_model(_database(tmp_path / "a.duckdb"), folder)
    weights = folder / "weights.parquet"
    weights.write_bytes(weights.read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(MatchModelError, match=r"weights\.parquet: SHA-256 differs"):
        read_match_model(folder)
    assert read_match_model(folder, verify=False) is not None
    weights.unlink()
    with pytest.raises(MatchModelError, match=r"weights\.parquet: missing"):
        read_match_model(folder)


def test_dbt_gets_the_stored_model_only_once_it_is_whole(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = Paths(data).person_match_model
    assert dbt_vars(data, tmp_path / "x.duckdb")["person_match_model"] == ""
    folder.mkdir(parents=True)
    (folder / "weights.parquet").write_bytes(b"half")       # no model.json: not a stored model
    assert dbt_vars(data, tmp_path / "x.duckdb")["person_match_model"] == ""
    (folder / "weights.parquet").unlink()
    folder.rmdir()
    store_match_model(_database(tmp_path / "a.duckdb"), folder)
    assert dbt_vars(data, tmp_path / "x.duckdb")["person_match_model"] == str(folder.resolve())


def test_retiring_keeps_the_old_model_and_the_next_store_makes_a_new_one(tmp_path: Path) -> None:
    folder = Paths(tmp_path / "data").person_match_model
    assert retire_match_model(folder) is None
    store_match_model(_database(tmp_path / "a.duckdb"), folder)
    retired = retire_match_model(folder, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert retired == folder.with_name("person_match.retired-20261201T000000000000Z")
    assert read_match_model(retired) is not None and read_match_model(folder) is None
    again = store_match_model(_database(tmp_path / "b.duckdb", prior=-3.0), folder)
    assert again is not None and read_match_model(retired).files != again.files


def test_the_command_line_shows_and_retires_the_model(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runner = CliRunner()
    missing = runner.invoke(main, ["match-model", "show", "--data-dir", str(data)])
    assert missing.exit_code == 1 and "no person match model is stored" in missing.output
    store_match_model(_database(tmp_path / "a.duckdb"), Paths(data).person_match_model)
    shown = runner.invoke(main, ["match-model", "show", "--data-dir", str(data), "--json"])
    assert shown.exit_code == 0, shown.output
    payload = json.loads(shown.output)
    assert payload["estimated_at"] == BUILT_AT.isoformat() and payload["prior_match_weight"] == -12.5
    assert [(w["comparison"], w["level"]) for w in payload["weights"]] == [("name", 0), ("name", 4)]
    table = runner.invoke(main, ["match-model", "show", "--data-dir", str(data)])
    assert table.exit_code == 0 and "prior match weight -12.500" in table.output and "9.81" in table.output
    retired = runner.invoke(main, ["match-model", "retire", "--data-dir", str(data)])
    assert retired.exit_code == 0 and "person_match.retired-" in retired.output
    assert read_match_model(Paths(data).person_match_model) is None
    assert runner.invoke(main, ["match-model", "retire", "--data-dir", str(data)]).exit_code == 1


def test_a_model_that_cannot_be_stored_warns_and_the_swapped_build_stands(tmp_path: Path, monkeypatch) -> None:
    """Storing runs after the database was swapped in: a full disk (DuckDB's COPY raises its own IOException) is a
    warning, and the next build estimates and stores again."""
    from pipelines import transform

    def no_room(*_args: object) -> None:
        raise duckdb.IOException("IO Error: No space left on device")

    monkeypatch.setattr(transform, "store_match_model", no_room)
    said: list[str] = []

    class Log:
        def warning(self, message: str) -> None:
            said.append(message)

        def info(self, message: str) -> None:      # pragma: no cover - nothing is stored here
            said.append(message)

    class Context:
        log = Log()

    transform._store_match_model(Context(), Paths(tmp_path))
    assert len(said) == 1 and "No space left on device" in said[0] and "the next build estimates one again" in said[0]
