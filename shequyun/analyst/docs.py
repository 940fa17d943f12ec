"""`shequyun docs`: dbt's documentation site of the thematic database (models, columns, tests, lineage graph).

`dbt docs generate --static` runs against the *current* database, opened read-only: the project's profile
(dbt_project/profiles.yml) is copied into a private folder with `read_only: true` added, so generating the docs
never takes the write lock and never changes the file analysts and exports read. The site goes to
`<data dir>/warehouse/docs/`; `static_index.html` is one self-contained file (open it in a browser, send it),
`index.html` + `manifest.json` + `catalog.json` is what `dbt docs serve` (or --serve here) shows.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from shequyun.core.duck import dbt_environment, dbt_vars_args
from shequyun.core.settings import PROJECT_ROOT, Paths

DBT_PROJECT = PROJECT_ROOT / "dbt_project"


class DocsError(RuntimeError):
    """dbt docs generate failed; the message carries dbt's output."""


def docs_folder(paths: Paths) -> Path:
    return paths.warehouse / "docs"


def read_only_profiles(folder: Path, project_profiles: Path = DBT_PROJECT / "profiles.yml") -> Path:
    """A copy of the project's profiles.yml with every DuckDB output opened read-only; returns its folder."""
    profiles = yaml.safe_load(project_profiles.read_text(encoding="utf-8"))
    for profile in profiles.values():
        for output in profile.get("outputs", {}).values():
            if output.get("type") == "duckdb":
                output["read_only"] = True
    (folder / "profiles.yml").write_text(yaml.safe_dump(profiles, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def generate_docs(paths: Paths, echo=None) -> Path:
    """Run `dbt docs generate --static` on the current database; returns the static index.html.

    dbt compiles every node first; a node whose compilation reads the database (a macro introspecting a table)
    fails when the database is older than the project (a model added since the last build). Then the docs are
    generated again with --no-compile: descriptions, columns, tests and lineage all come from parsing, only the
    "compiled code" tab stays empty; `echo` is told why."""
    db = paths.database
    if not db.exists():
        raise DocsError(f"no thematic database at {db}: run `shequyun run` (or `make demo`) first")
    target = docs_folder(paths)
    target.mkdir(parents=True, exist_ok=True)
    dbt = Path(sys.executable).with_name("dbt")
    with tempfile.TemporaryDirectory(prefix="shequyun-docs-") as tmp:
        profiles_dir = read_only_profiles(Path(tmp))
        env = dbt_environment()
        common = [*dbt_vars_args(paths.root, db), "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(profiles_dir),
                  "--target-path", str(target), "--log-path", str(Path(tmp) / "logs")]
        cmd = [str(dbt), "docs", "generate", "--static", *common]
        proc = subprocess.run(cmd, cwd=DBT_PROJECT, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0 and "Compilation Error" in proc.stdout:
            if echo:
                reason = next((line.strip() for line in proc.stdout.splitlines() if "Compilation Error" in line), "")
                echo(f"compiling the project on this database failed ({reason}): docs generated without compiled SQL")
            # --no-compile reads the manifest of a parse
            proc = subprocess.run([str(dbt), "parse", *common], cwd=DBT_PROJECT, env=env, capture_output=True,
                                  text=True, check=False)
            if proc.returncode == 0:
                proc = subprocess.run([*cmd, "--no-compile"], cwd=DBT_PROJECT, env=env, capture_output=True,
                                      text=True, check=False)
    index = target / "static_index.html"
    if proc.returncode != 0 or not index.exists():
        raise DocsError(f"dbt docs generate failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}")
    return index


def serve_docs(folder: Path, host: str = "127.0.0.1", port: int = 8080) -> None:  # pragma: no cover - blocks
    """Serve the docs folder (index.html reads manifest.json and catalog.json beside it) until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        server.serve_forever()
