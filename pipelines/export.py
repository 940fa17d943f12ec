"""Delivery assets: one partition = one report period delivered to every committee (exports.delivery).

`["export", "monthly_ledgers"]` (monthly partitions), `["export", "weekly_visit_lists"]` (weekly partitions),
`["export", "quarterly_ledgers"]` and `["export", "annual_ledgers"]` depend on the ledger models of their frequency, read from the ledger catalogue (exports.catalogue), so a new
ledger joins its delivery without touching this file; and on `dim_area` (the committees' mailboxes).

When a committee fails (export, outbox or mail), the others are delivered first; then the step fails with the
list of failures in its metadata, so the run is red but complete. Why red and not "partial success": a scheduled
delivery that silently misses a committee is only found when the committee complains; a failed run is seen (and
alerted on). Re-running the partition re-delivers it (logged as a re-delivery); the run config `committees`
limits the re-run to the committees that failed, so the others are not mailed twice.
"""


from collections.abc import Sequence
from functools import cache
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

from exports.catalogue import built_ledgers, load_ledgers
from exports.delivery import (
    DeliveryError,
    DeliveryRecord,
    DeliverySummary,
    deliver_period,
)
from pipelines.partitions import PARTITIONS_BY_FREQUENCY, period_of_partition
from pipelines.resources import ShequyunResource, SmtpResource
from shequyun.core.warehouse import current_database

EXPORT_PREFIX = "export"
EXPORT_GROUP = "export"
SMTP_RESOURCE_KEY = "smtp"
#: the committees' mailboxes
AREA_ASSET = AssetKey(["dim_area"])


class DeliveryConfig(Config):
    """Run config of a delivery: by default every committee, with mail."""

    committees: list[str] = Field(
        default_factory=list, description="Only these committee codes (e.g. the failures of the last run); [] = all."
    )
    mail: bool = Field(default=True, description="Also e-mail each committee its package (when SMTP is configured).")


@cache
def _catalogue() -> tuple[tuple[str, str], ...]:
    """(model, frequency) of every ledger this deployment builds (a department's roster whose system is not configured
    is disabled in dbt: no asset, nothing to deliver), read once when the code location loads (a reload reads it
    again)."""
    built, _skipped = built_ledgers(load_ledgers())
    return tuple((ledger.model, ledger.frequency) for ledger in built)


def ledger_models(frequency: str) -> list[str]:
    """The ledger models delivered at this frequency."""
    return sorted(model for model, of in _catalogue() if of == frequency)


def _failures_markdown(failures: Sequence[DeliveryRecord]) -> str:
    lines = ["| committee | name | stage | error |", "|---|---|---|---|"]
    for r in failures:
        error = (r.error or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {r.committee_code} | {r.committee_name} | {r.stage} | {error} |")
    return "\n".join(lines)


def delivery_metadata(summary: DeliverySummary) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "period": summary.period,
        "delivery_id": summary.delivery_id,
        "committees": len(summary.records),
        "packages": summary.packages,
        "files": summary.files,
        "rows": summary.rows,
        "redeliveries": summary.redeliveries,
        "mails_sent": summary.mails("sent"),
        "mails_skipped": summary.mails("skipped"),
        "mails_failed": summary.mails("failed"),
        "mail": summary.mail,
        "failures": len(summary.failures),
        "seconds": round(summary.seconds, 2),
        "outbox": MetadataValue.path(str(summary.outbox)),
    }
    as_of = sorted({r.data_as_of for r in summary.records if r.data_as_of})
    built = sorted({r.database_built_at for r in summary.records if r.database_built_at})
    if as_of:
        metadata["data_as_of"] = ", ".join(as_of)
    if built:
        metadata["database_built_at"] = ", ".join(built)
    if summary.failures:
        metadata["failed_committees"] = MetadataValue.md(_failures_markdown(summary.failures))
    return metadata


def build_delivery_asset(frequency: str, name: str, description: str) -> AssetsDefinition:
    """A partitioned asset delivering the ledgers of `frequency`; one partition per period."""
    models = ledger_models(frequency)

    @asset(
        key=[EXPORT_PREFIX, name],
        partitions_def=PARTITIONS_BY_FREQUENCY[frequency],
        deps=[AssetKey([m]) for m in models] + [AREA_ASSET],
        group_name=EXPORT_GROUP,
        description=description,
        kinds={"python", "email"},
        metadata={"frequency": frequency, "ledgers": MetadataValue.json(models)},
    )
    def _delivery(context: AssetExecutionContext, config: DeliveryConfig, shequyun: ShequyunResource,
                  smtp: SmtpResource) -> MaterializeResult:
        period = period_of_partition(frequency, context.partition_key)
        paths = shequyun.paths()

        def log(record: DeliveryRecord) -> None:
            if record.outcome == "delivered":  # debug: 6,000 committees would flood the run's event log
                context.log.debug(f"{period} {record.committee_code} {record.committee_name}: "
                                 f"{len(record.files)} files, mail {record.mail}"
                                 f"{' (re-delivery)' if record.redelivery else ''}")
            else:
                context.log.error(f"{period} {record.committee_code} {record.committee_name}: "
                                  f"failed at {record.stage}: {record.error}")

        try:
            summary = deliver_period(
                current_database(paths.warehouse), paths.outbox, period, frequency=frequency,
                committees=config.committees or None, smtp=smtp.settings(), mail=config.mail, on_record=log,
            )
        except DeliveryError as exc:
            raise Failure(description=f"delivery of {period} did not start: {exc}") from exc
        context.log.info(summary.render())
        metadata = delivery_metadata(summary)
        if summary.failures:
            codes = [r.committee_code for r in summary.failures]
            raise Failure(
                description=(f"{len(codes)} of {len(summary.records)} committees did not get {period} "
                             f"(the other {len(summary.delivered)} did); re-run this partition with run config "
                             f"committees: {codes}"),
                metadata=metadata,
            )
        return MaterializeResult(metadata=metadata)

    return _delivery


monthly_ledgers = build_delivery_asset(
    "monthly",
    "monthly_ledgers",
    "月度台账报送: every monthly ledger, one package per committee, into outbox/<district>/<street>/<committee>/"
    "<period>/ and by e-mail; one partition per month (Asia/Shanghai).",
)

weekly_visit_lists = build_delivery_asset(
    "weekly",
    "weekly_visit_lists",
    "每周走访名单报送: the weekly ledgers (visit lists), one package per committee, into the outbox and by e-mail; "
    "one partition per ISO week starting Monday (Asia/Shanghai).",
)

quarterly_ledgers = build_delivery_asset(
    "quarterly",
    "quarterly_ledgers",
    "季度台账报送: every quarterly ledger, one package per committee, into the outbox and by e-mail; one partition "
    "per quarter (key = its first month, Asia/Shanghai).",
)

annual_ledgers = build_delivery_asset(
    "annual",
    "annual_ledgers",
    "年度台账报送: every annual ledger, one package per committee, into the outbox and by e-mail; one partition per "
    "year (Asia/Shanghai).",
)

DELIVERY_ASSETS = [monthly_ledgers, weekly_visit_lists, quarterly_ledgers, annual_ledgers]
