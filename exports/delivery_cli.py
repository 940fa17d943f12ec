"""`shequyun deliver`: deliver one period by hand (what the Dagster schedules do), e.g. to re-deliver a committee.

COMMANDS is added to exports.cli.COMMANDS, which shequyun.cli registers.
"""

from __future__ import annotations

import click

from shequyun.core.options import with_paths
from shequyun.core.settings import Paths

FREQUENCY_CHOICES = ("monthly", "weekly", "quarterly", "annual")


@click.command("deliver")
@click.option("--period", required=True,
              help="Report period: 2026-11 (monthly), 2026-W48 (weekly ISO week), 2026-Q4 (quarterly), 2026 (annual).")
@click.option("--frequency", type=click.Choice(FREQUENCY_CHOICES), default=None,
              help="Which ledgers: those of this frequency. Default: the period's own (2026-11 -> monthly).")
@click.option("--committee", "committees", multiple=True, metavar="CODE",
              help="Only this committee (12-digit code); repeat for several. Default: every committee.")
@with_paths(database=True, database_help="Thematic database to deliver from. Default: <data dir>/warehouse/shequyun.duckdb.")
@click.option("--mail/--no-mail", default=True, show_default=True,
              help="Also e-mail each committee its package (needs SHEQUYUN_SMTP_HOST; otherwise reported as skipped).")
@click.option("--format", "formats", multiple=True, type=click.Choice(("xlsx", "csv", "parquet")),
              help="Only these file formats (repeatable). Default: exports/config/export.yaml.")
def deliver(period: str, frequency: str | None, committees: tuple[str, ...], paths: Paths, mail: bool,
            formats: tuple[str, ...]) -> None:
    """Deliver one period's ledgers: outbox/<district>/<street>/<committee>/<period>/ (replaced atomically when
    delivered before), one line per committee in outbox/_deliveries.jsonl, and an e-mail to each committee.

    Exits 1 when any committee failed (the others are delivered all the same); the failures are listed."""
    from exports.delivery import DeliveryError, deliver_period

    try:
        summary = deliver_period(paths.database, paths.outbox, period, frequency=frequency,
                                 committees=list(committees) or None, mail=mail, formats=list(formats) or None)
    except DeliveryError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary.render())
    click.echo(f"  log: {paths.outbox / '_deliveries.jsonl'}")
    if summary.failures:
        codes = " ".join(f"--committee {r.committee_code}" for r in summary.failures)
        click.echo(f"re-deliver the failed committees with: shequyun deliver --period {period} {codes}", err=True)
        raise SystemExit(1)


COMMANDS: list[click.Command] = [deliver]
