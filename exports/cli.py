"""`shequyun export` (registered by shequyun.cli from COMMANDS; delivery commands live in their own module).

Into the outbox (the default, or an --out folder inside <data dir>/outbox) the export is a publication like a
delivery: it holds the outbox lock `outbox/.delivery.lock` while it writes (a running delivery or export is waited
for, at most --lock-timeout seconds, then the command fails naming the lock), and it appends one line per package it
wrote to `outbox/_deliveries.jsonl`, shaped like a delivery's line, with `"via": "export"`, mail "skipped" and the
reason in `mail_note`. With --out outside the outbox (e.g. the unmasked audit copy, which may only go there) the
outbox is not touched: no lock is taken and no log is written; that folder is nobody's delivery and its packages
still arrive whole (staged, then swapped in by exports.publish.swap_in).
"""

from __future__ import annotations

from pathlib import Path

import click

from exports.delivery_cli import COMMANDS as delivery_commands
from shequyun.core.options import existing_database, with_paths
from shequyun.core.settings import Paths

COMMANDS: list[click.Command] = []


@click.command("export")
@with_paths(database=True, database_help="Thematic database to export from. Default: <data dir>/warehouse/shequyun.duckdb.")
@click.option("--period", default=None,
              help="Report period: 2026-11 (monthly), 2026-W48 (weekly), 2026-Q4 (quarterly), 2026 (annual); all "
                   "chosen ledgers go into it. Default: each ledger in the period of its frequency that holds the "
                   "database's as_of day.")
@click.option("--frequency", type=click.Choice(["monthly", "weekly", "quarterly", "annual"]), default=None,
              help="Only the ledgers of this frequency (and the default period in its form). Default: all ledgers.")
@click.option("--committee", "committees", multiple=True, metavar="CODE",
              help="Only this committee (12-digit code; repeatable). Default: every committee of marts.dim_area.")
@click.option("--ledger", "ledgers", multiple=True, metavar="NAME",
              help="Only this ledger (rpt_ledger__NAME or NAME; repeatable). Default: every ledger.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["xlsx", "csv", "parquet"]),
              help="Only this format (repeatable). Default: exports/config/export.yaml formats.")
@click.option("--role", default=None, help="The role exporting (exports/config/export.yaml roles).")
@click.option("--unmasked", is_flag=True, default=False,
              help="Full ID and phone numbers: only for a role allowed in exports/config/export.yaml, and only with "
                   "an explicit --out outside the outbox (unmasked files are never delivered).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder. Default: <data dir>/outbox.")
@click.option("--lock-timeout", type=float, default=3600.0, show_default=True,
              help="Into the outbox: seconds to wait for a delivery (or another export) holding outbox/.delivery.lock.")
def export(paths: Paths, period: str | None, frequency: str | None,
           committees: tuple[str, ...], ledgers: tuple[str, ...], formats: tuple[str, ...], role: str | None,
           unmasked: bool, out: Path | None, lock_timeout: float) -> None:
    """Export every ledger per committee and period into packages (xlsx, csv, parquet + manifest.json)."""
    from exports.catalogue import CatalogueError
    from exports.config import ExportConfigError, UnmaskedNotAllowed, load_export_config
    from exports.package import (
        ExportError,
        default_period,
        export_every_frequency,
        export_packages,
    )
    from exports.publish import delivery_log
    from shequyun.core.diskspace import disk_full_message, is_disk_full

    db = existing_database(paths)
    outbox = paths.outbox.resolve()
    out_dir = (out or outbox).resolve()
    into_outbox = out_dir == outbox or outbox in out_dir.parents
    try:
        config = load_export_config()
        config.authorise(unmasked, role)
        if unmasked and (out is None or into_outbox):
            raise UnmaskedNotAllowed(f"an unmasked export must go to an explicit --out folder outside the outbox "
                                     f"{paths.outbox} (the outbox is delivered to committees)")
        options = {"committees": list(committees) or None, "unmasked": unmasked, "formats": list(formats) or None,
                   "role": role, "config": config, "outbox": outbox if into_outbox else None,
                   "lock_timeout": lock_timeout}
        if period is None and frequency is None:
            summary = export_every_frequency(db, out_dir, ledgers=list(ledgers) or None, **options)
        else:
            chosen_period = period or default_period(db, frequency or "monthly")
            summary = export_packages(db, out_dir, chosen_period, frequency=frequency,
                                      ledgers=list(ledgers) or None, **options)
    except (CatalogueError, ExportConfigError, UnmaskedNotAllowed, ExportError) as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:        # a writer's own error class (xlsxwriter's FileCreateError) around the OSError
        if not is_disk_full(exc):
            raise
        published = f"; the packages logged in {delivery_log(outbox)} are whole, no other was published" \
            if into_outbox else ""
        raise click.ClickException(f"{disk_full_message(out_dir)}{published} ({exc})") from None
    click.echo(summary.render())
    click.echo(f"packages {len(summary.packages)}  files {summary.files}  rows {summary.rows}  "
               f"seconds {summary.seconds:.1f}")
    if into_outbox:
        click.echo(f"  log: {delivery_log(outbox)}")


COMMANDS.append(export)

COMMANDS.extend(delivery_commands)
