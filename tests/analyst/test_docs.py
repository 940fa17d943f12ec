"""`shequyun docs`: dbt docs generated on the current database, which is left untouched (slow: one test)."""

from __future__ import annotations

import hashlib
import json
import shutil


def test_docs_generate_static_site_read_only(full_build, cli, tmp_path) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    db = warehouse / "shequyun.duckdb"
    shutil.copy2(full_build.duckdb_path, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = cli("docs", "--data-dir", tmp_path)
    assert result.exit_code == 0, result.output
    index = warehouse / "docs" / "static_index.html"
    assert f"documentation: {index}" in result.stdout
    assert index.stat().st_size > 100_000 and "dim_person" in index.read_text(encoding="utf-8")
    catalog = json.loads((warehouse / "docs" / "catalog.json").read_text(encoding="utf-8"))
    assert "model.shequyun.dim_person" in catalog["nodes"]   # columns read from the database itself
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not (warehouse / "shequyun.duckdb.wal").exists()
