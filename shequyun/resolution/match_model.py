"""The person match model of a data directory: estimated once, then frozen.

Person resolution scores candidate pairs with Fellegi–Sunter parameters - m and u per comparison level, the prior
and the persons per name of the term-frequency adjustment - that EM estimates from the data
(int_person_match_weights, int_person_name_frequencies). Estimated again in every build, each day's new records
would move every weight a little, so a pair near the threshold could link one night and not the next, and a day's
run could never give the same database as a full rebuild on the same inputs (issue 10, item 3). A data directory
therefore scores with one stored model, as splink's users train once and predict daily:

    <data dir>/models/person_match/model.json                what is stored: when and from which build it was
                                                             estimated, and the SHA-256 and rows of each file
    <data dir>/models/person_match/weights.parquet           intermediate.int_person_match_weights
    <data dir>/models/person_match/name_frequencies.parquet  intermediate.int_person_name_frequencies
    <data dir>/models/person_match.retired-<UTC time>/       a model retired by `shequyun match-model retire`
                                                             (kept, never deleted)

The first build that succeeds in a data directory without a model estimates one and stores it
(`store_match_model`, after the swap: a failed build stores nothing); every later build reads it back
(shequyun.core.duck.dbt_vars passes the folder as the dbt var person_match_model). Retiring the model makes the next
build estimate and store a new one, as a data bureau does after a new department joins or once a season.
The folder appears by one rename, so a reader sees a whole model or none.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shequyun.core.build_info import read_build_info
from shequyun.core.warehouse import fsync_path
from shequyun.files.writers import sha256_of

MODEL_FILE = "model.json"
# file stem -> the relation of the thematic database it is stored from
MODEL_TABLES = {
    "weights": "intermediate.int_person_match_weights",
    "name_frequencies": "intermediate.int_person_name_frequencies",
}


class MatchModelError(RuntimeError):
    """A stored match model that is incomplete or altered (a file missing, a checksum that does not match)."""


@dataclass(frozen=True)
class StoredMatchModel:
    folder: Path
    estimated_at: str           # built_at of the build that estimated it (ISO, UTC)
    as_of: str                  # the day that build described
    code_version: str
    files: dict[str, dict[str, object]]     # stem -> {"rows": n, "sha256": hex}

    def render(self) -> str:
        counts = ", ".join(f"{stem} {meta['rows']:,} rows" for stem, meta in self.files.items())
        return (f"person match model at {self.folder}: estimated at {self.estimated_at} by the build of "
                f"{self.as_of} ({self.code_version}); {counts}")


def read_match_model(folder: Path, *, verify: bool = True) -> StoredMatchModel | None:
    """The model stored in `folder`, or None when there is none; with `verify`, MatchModelError when a file is
    missing or does not match its recorded checksum."""
    meta_path = folder / MODEL_FILE
    if not meta_path.is_file():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    model = StoredMatchModel(folder=folder, estimated_at=meta["estimated_at"], as_of=meta["as_of"],
                             code_version=meta["code_version"], files=meta["files"])
    if verify:
        for stem, recorded in model.files.items():
            path = folder / f"{stem}.parquet"
            if not path.is_file():
                raise MatchModelError(f"{path}: missing from the stored person match model ({meta_path})")
            if sha256_of(path) != recorded["sha256"]:
                raise MatchModelError(f"{path}: SHA-256 differs from the one recorded in {meta_path}; the model "
                                      "was altered after it was stored (`shequyun match-model retire` to estimate "
                                      "a new one)")
    return model


def _discard(staging: Path) -> None:
    for path in staging.glob("*"):
        path.unlink(missing_ok=True)
    staging.rmdir()


def store_match_model(database: Path, folder: Path) -> StoredMatchModel | None:
    """Store the match model the build of `database` estimated, unless `folder` already holds one or the build did
    not make one (a build of selected models): then None.

    The files are written into a sibling temporary folder, flushed, and renamed into place in one step."""
    if (folder / MODEL_FILE).is_file():
        return None
    with duckdb.connect(str(database), read_only=True) as con:
        found = {f"{schema}.{table}" for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()").fetchall()}
        if not set(MODEL_TABLES.values()) <= found:
            return None
        info = read_build_info(con)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.with_name(f".{folder.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}")
        staging.mkdir()
        try:
            files: dict[str, dict[str, object]] = {}
            for stem, relation in MODEL_TABLES.items():
                path = staging / f"{stem}.parquet"
                # ordered, so that the same model gives the same bytes; COPY returns the rows it wrote
                rows = con.execute(f"copy (select * from {relation} order by all) to '{path.as_posix()}' "
                                   "(format parquet)").fetchall()[0][0]
                files[stem] = {"rows": int(rows), "sha256": sha256_of(path)}
        except BaseException:
            _discard(staging)
            raise
    try:
        meta = {
            "estimated_at": info.built_at.astimezone(dt.UTC).isoformat(),
            "as_of": info.as_of.isoformat(),
            "code_version": info.code_version,
            "estimated_in": str(database),
            "files": files,
        }
        (staging / MODEL_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for path in staging.iterdir():
            fsync_path(path)
        fsync_path(staging)
        os.rename(staging, folder)      # an existing non-empty folder makes this fail: nothing is overwritten
        fsync_path(folder.parent)
    except BaseException:
        _discard(staging)
        raise
    return read_match_model(folder)


def retire_match_model(folder: Path, now: dt.datetime | None = None) -> Path | None:
    """Move the stored model aside (`<folder>.retired-<UTC time>`) so that the next build estimates a new one; the
    retired folder, or None when nothing was stored."""
    if not (folder / MODEL_FILE).is_file():
        return None
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    retired = folder.with_name(f"{folder.name}.retired-{stamp}")
    os.rename(folder, retired)
    fsync_path(folder.parent)
    return retired
