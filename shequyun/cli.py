"""The `shequyun` command line: land the extracts, build the thematic database, evaluate it.

Every command has --help. Heavy modules are imported inside the commands so that `shequyun --help` stays fast.
Commands that live beside their feature (policy, analysts, exports, the person match model) are added from those
packages; commands of other installed packages (the synthetic city: `generate`, `load-db`, `demo`) come from the
entry-point group `shequyun.commands`, so this module never imports the generator.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

import click

from shequyun.core.options import existing_database, with_paths
from shequyun.core.settings import Paths

PLUGIN_GROUP = "shequyun.commands"

# Telemetry and analytics off for every tool we drive (see DESIGN.md).
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

class _Main(click.Group):
    """Errors every command may meet, shown as a message instead of a traceback."""

    def invoke(self, ctx: click.Context):
        from connectors.errors import ConfigError
        from shequyun.core.lock import DataDirLocked

        try:
            return super().invoke(ctx)
        except (DataDirLocked, ConfigError) as exc:     # a held data directory; a source YAML that is not right
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shequyun")
def main() -> None:
    """shequyun 社区云: department extracts in, one thematic database of people and houses out."""


@main.group(invoke_without_command=True)
@click.pass_context
def sources(ctx: click.Context) -> None:
    """List the configured source systems (connectors/sources/*.yaml) and what each feeds downstream: its staging
    model, the persons and addresses it gives resolution, its record date, the models that read it. A system that
    lands but feeds nothing is marked DEAD END."""
    if ctx.invoked_subcommand is not None:
        return
    from connectors.config import load_source_configs
    from connectors.contributions import contributions
    from connectors.errors import ConfigError

    try:
        configs = load_source_configs()
        fed = {c.system: c for c in contributions(list(configs.values()))}
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    for cfg in sorted(configs.values(), key=lambda c: (c.department, c.system)):
        where = cfg.path or cfg.table
        click.echo(f"{cfg.department:<28} {cfg.system:<22} {cfg.format:<8} {cfg.title}  [{where}]")
        click.echo(f"    {fed[cfg.system].describe()}")
    ends = [s for s, c in fed.items() if c.dead_end]
    click.echo(f"{len(configs)} systems" + (f"; DEAD END (feed nothing downstream): {', '.join(ends)}" if ends else ""))


@sources.command("check")
@click.argument("config_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--file", "sample", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="A sample extract to read. Default: the first file the YAML's path matches under landing/ (a "
                   "database system reads its table).")
@click.option("--rows", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Rows of the sample whose values are looked at.")
@click.option("--show", type=click.IntRange(min=0), default=5, show_default=True, help="Rows to print.")
@with_paths()
def sources_check(config_file: Path, sample: Path | None, rows: int, show: int, paths: Paths) -> None:
    """Preview a source YAML before anything lands: the YAML validated, a sample read with the system's reader, each
    column's declared kind against what its values look like, the first rows as canonical fields, the rows that
    would be quarantined and why, and what the system would feed downstream. Writes nothing."""
    from connectors.config import load_source_config, load_source_configs
    from connectors.errors import ConfigError, SourceError
    from connectors.preview import check_source

    try:
        cfg = load_source_config(config_file)
        others = [c for c in load_source_configs().values() if c.system != cfg.system]
        report = check_source(cfg, paths, sample, rows=rows, others=others)
    except (ConfigError, SourceError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # a preview names what it could not read instead of a traceback
        raise click.ClickException(f"{sample or config_file}: could not be previewed: {type(exc).__name__}: {exc}") from exc
    click.echo(report.render(show_rows=show))


@main.command()
@with_paths()
@click.option("--system", "systems", multiple=True, help="Only these systems (repeatable). Default: all.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar.")
def ingest(paths: Paths, systems: tuple[str, ...], progress: bool) -> None:
    """Land the extracts into the Delta bronze layer directly, without Dagster."""
    from tqdm import tqdm

    from connectors.config import load_source_configs
    from connectors.errors import SourceError

    configs = load_source_configs()
    unknown = set(systems) - set(configs)
    if unknown:
        raise click.BadParameter(f"unknown system(s): {', '.join(sorted(unknown))}", param_hint="--system")
    chosen = [configs[s] for s in (systems or sorted(configs))]
    from connectors.landing import load_system
    from shequyun.core.lock import data_dir_lock
    from shequyun.core.settings import lock_timeout

    failed = 0
    with data_dir_lock(paths, "shequyun ingest", timeout=lock_timeout()):
        for cfg in tqdm(chosen, desc="ingest", unit="system", disable=not progress):
            try:
                result = load_system(cfg, paths)
            except SourceError as exc:
                failed += 1
                tqdm.write(f"FAILED {cfg.system}: {exc}")
                continue
            tqdm.write(_load_line(cfg.system, result.rows_read, result.rows_landed, result.rows_quarantined,
                                  result.rows_redelivered))
            for failure in result.failures:
                failed += 1
                tqdm.write(f"  FAILED {failure}")
    sys.exit(1 if failed else 0)


def _load_line(system: str, read: int, landed: int, quarantined: int, redelivered: int = 0) -> str:
    ok = "ok" if read == landed + quarantined + redelivered else "MISMATCH"
    again = f"  already landed {redelivered:>7,}" if redelivered else ""
    return f"{system:<22} read {read:>10,}  landed {landed:>10,}  quarantined {quarantined:>7,}{again}  {ok}"


@main.command()
@with_paths()
@click.option("--system", "systems", multiple=True, help="Only these systems (repeatable). Default: all.")
@click.option("--skip-unavailable-databases/--fail-on-unavailable-databases", default=False, show_default=True,
              help="Report database systems whose server does not answer as skipped instead of failing.")
@click.option("--transform/--ingest-only", default=True, show_default=True,
              help="After landing, build the thematic database with dbt.")
def run(paths: Paths, systems: tuple[str, ...], skip_unavailable_databases: bool, transform: bool) -> None:
    """Run the Dagster jobs in process: land the extracts (ingest_job), then build the thematic database (transform_job)."""
    from pipelines.run import run_ingest, run_transform
    from shequyun.core.lock import data_dir_lock
    from shequyun.core.settings import lock_timeout

    with data_dir_lock(paths, "shequyun run", timeout=lock_timeout()):   # the whole run: nobody lands or builds between
        summary = run_ingest(paths.root, list(systems) or None, skip_unavailable_databases=skip_unavailable_databases)
        click.echo(summary.render())
        if not summary.buildable:            # a system failed with no good data to fall back on, or policy stop
            sys.exit(1)
        if transform:
            built = run_transform(paths.root)
            click.echo(built.render())
            sys.exit(0 if built.success and summary.success else 1)
        sys.exit(0 if summary.success else 1)


@main.command()
@with_paths(database=True, database_help="Thematic database to evaluate. Default: <data dir>/warehouse/shequyun.duckdb.")
@click.option("--tags/--no-tags", default=True, show_default=True,
              help="Also print precision and recall of every tag against truth.")
def evaluate(paths: Paths, tags: bool) -> None:
    """Compare resolved persons, houses and tags with the generator's truth (precision, recall, F1)."""
    from shequyun.evaluation import evaluate_city, render_evaluation

    db = existing_database(paths)
    if not (paths.truth / "source_records.parquet").exists():
        raise click.ClickException(f"no generator truth under {paths.truth}: evaluate needs a generated city")
    click.echo(render_evaluation(evaluate_city(db, paths.truth)))
    if tags:
        import duckdb

        from shequyun.tags.evaluate import evaluate_tags, render_tag_evaluation

        try:
            click.echo(render_tag_evaluation(evaluate_tags(db, paths.truth)))
        except duckdb.CatalogException as exc:
            raise click.ClickException(f"{db} has no tag tables (built before the tag models?): {exc}") from exc


def _register_commands() -> None:
    """Commands that live beside their feature: policy matching, analysts' access, exports and delivery, the person
    match model."""
    from exports.cli import COMMANDS as export_commands
    from shequyun.analyst.cli import COMMANDS as analyst_commands
    from shequyun.policy.cli import COMMANDS as policy_commands
    from shequyun.resolution.cli import COMMANDS as resolution_commands

    for command in (*policy_commands, *analyst_commands, *export_commands, *resolution_commands):
        main.add_command(command)
    for entry in entry_points(group=PLUGIN_GROUP):
        main.add_command(entry.load(), entry.name)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
