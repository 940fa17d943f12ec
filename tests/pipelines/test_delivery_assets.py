"""The delivery assets and schedules: one monthly partition materialised in process on the session's built city
(`full_build`) with the real exporter, mail to an aiosmtpd server; schedules tick in Shanghai time."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import socket
import zipfile
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from dagster import DagsterEventType, Definitions, build_schedule_context, materialize

from exports.delivery import read_log
from pipelines.export import (
    DELIVERY_ASSETS,
    EXPORT_PREFIX,
    ledger_models,
    monthly_ledgers,
    weekly_visit_lists,
)
from pipelines.jobs import (
    annual_delivery_job,
    monthly_delivery_job,
    quarterly_delivery_job,
    weekly_delivery_job,
)
from pipelines.partitions import period_of_partition
from pipelines.resources import ShequyunResource, SmtpResource
from pipelines.schedules import (
    annual_delivery_schedule,
    monthly_delivery_schedule,
    quarterly_delivery_schedule,
    weekly_delivery_schedule,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
FULL_ID = re.compile(rb"(?<!\d)\d{17}[\dXx](?!\d)")


def _definitions() -> Definitions:
    return Definitions(assets=DELIVERY_ASSETS,
                       jobs=[monthly_delivery_job, weekly_delivery_job, quarterly_delivery_job, annual_delivery_job],
                       schedules=[monthly_delivery_schedule, weekly_delivery_schedule, quarterly_delivery_schedule,
                                  annual_delivery_schedule],
                       resources={"shequyun": ShequyunResource(), "smtp": SmtpResource()})


# -- schedules --------------------------------------------------------------------------------------------

def test_monthly_schedule_delivers_the_month_just_ended_at_six_on_the_first() -> None:
    schedule = _definitions().resolve_schedule_def("monthly_delivery_schedule")
    assert schedule.cron_schedule == "0 6 1 * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "monthly_delivery_job"
    tick = datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI)   # = 2026-11-30 22:00 UTC
    [request] = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick)).run_requests or []
    assert request.partition_key == "2026-11"
    assert period_of_partition("monthly", request.partition_key) == "2026-11"


def test_weekly_schedule_delivers_the_iso_week_just_ended_on_monday_morning() -> None:
    schedule = _definitions().resolve_schedule_def("weekly_delivery_schedule")
    assert schedule.cron_schedule == "0 7 * * 1"
    assert schedule.execution_timezone == "Asia/Shanghai"
    tick = datetime(2026, 11, 30, 7, 0, tzinfo=SHANGHAI)  # Monday
    [request] = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick)).run_requests or []
    assert request.partition_key == "2026-11-23"
    assert period_of_partition("weekly", request.partition_key) == "2026-W48"
    assert period_of_partition("weekly", "2025-12-29") == "2026-W01"     # ISO year differs from the calendar's
    with pytest.raises(ValueError, match="not a Monday"):
        period_of_partition("weekly", "2026-11-24")


@pytest.mark.parametrize(("name", "cron", "tick", "partition", "period"), [
    ("quarterly_delivery_schedule", "0 6 1 1,4,7,10 *", datetime(2027, 1, 1, 6, 0), "2026-10", "2026-Q4"),
    ("quarterly_delivery_schedule", "0 6 1 1,4,7,10 *", datetime(2026, 4, 1, 6, 0), "2026-01", "2026-Q1"),
    ("annual_delivery_schedule", "0 6 1 1 *", datetime(2027, 1, 1, 6, 0), "2026", "2026"),
])
def test_quarterly_and_annual_schedules_deliver_the_period_just_ended(name, cron, tick, partition, period) -> None:
    defs = _definitions()
    schedule = defs.resolve_schedule_def(name)
    assert (schedule.cron_schedule, schedule.execution_timezone) == (cron, "Asia/Shanghai")
    context = build_schedule_context(scheduled_execution_time=tick.replace(tzinfo=SHANGHAI),
                                     repository_def=defs.get_repository_def())
    [request] = schedule.evaluate_tick(context).run_requests or []
    assert request.partition_key == partition
    assert period_of_partition(name.split("_")[0], request.partition_key) == period


def test_no_period_before_the_first_one_is_requested() -> None:
    schedule = _definitions().resolve_schedule_def("annual_delivery_schedule")
    result = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=datetime(2026, 1, 1, 6, 0,
                                                                                              tzinfo=SHANGHAI)))
    assert not result.run_requests and result.skip_message


def test_delivery_assets_depend_on_the_ledgers_of_their_frequency() -> None:
    monthly = {key.path[0] for key in monthly_ledgers.dependency_keys}
    assert set(ledger_models("monthly")) <= monthly and "dim_area" in monthly
    assert all(m.startswith("rpt_ledger__") for m in monthly - {"dim_area"})
    assert not set(ledger_models("monthly")) & {key.path[0] for key in weekly_visit_lists.dependency_keys}
    assert monthly_ledgers.key.path == [EXPORT_PREFIX, "monthly_ledgers"]
    by_frequency = {asset.metadata_by_key[asset.key]["frequency"]: asset for asset in DELIVERY_ASSETS}
    assert set(by_frequency) == {"monthly", "weekly", "quarterly", "annual"}
    for frequency, asset in by_frequency.items():
        assert {k.path[0] for k in asset.dependency_keys} == {*ledger_models(frequency), "dim_area"}


# -- one partition on the built city -------------------------------------------------------------------------

class Mailbox:
    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, int]]:
    for name in ("HOST", "PORT", "USER", "PASSWORD", "STARTTLS", "SSL", "SENDER", "MAX_ATTACHMENT_MB"):
        monkeypatch.delenv(f"SHEQUYUN_SMTP_{name}", raising=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def received_files(message) -> dict[str, bytes]:
    """The package as the committee saves it: the attachments, or the members of the one zip attachment."""
    parts = {p.get_filename(): p.get_payload(decode=True) for p in message.iter_attachments()}
    if len(parts) == 1 and next(iter(parts)).endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(next(iter(parts.values())))) as archive:
            return {Path(n).name: archive.read(n) for n in archive.namelist()}
    return parts


def _data_dir(full_build, tmp_path: Path) -> Path:
    (tmp_path / "data" / "warehouse").mkdir(parents=True)
    shutil.copy2(full_build.duckdb_path, tmp_path / "data" / "warehouse" / "shequyun.duckdb")
    return tmp_path / "data"


def test_a_monthly_partition_is_delivered_to_every_committee_and_failures_are_reported(
        full_build, tmp_path: Path, mailbox) -> None:
    box, port = mailbox
    committees = full_build.query("select code, name, email, district_code, street_code from marts.dim_area "
                                  "where level = 'committee' order by code").rows(named=True)
    refused = committees[1]
    box.refuse.add(refused["email"])
    data = _data_dir(full_build, tmp_path)
    resources = {"shequyun": ShequyunResource(data_dir=str(data)),
                 "smtp": SmtpResource(host="127.0.0.1", port=port, sender="ledgers@city.example.org")}

    result = materialize([monthly_ledgers], partition_key="2026-10", resources=resources, raise_on_error=False)

    # red, but complete: every other committee got its package and its mail
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    user_failure = failure.step_failure_data.user_failure_data
    assert refused["code"] in user_failure.description
    metadata = {k: v.value for k, v in user_failure.metadata.items()}
    assert metadata["failures"] == 1 and metadata["committees"] == len(committees)
    assert metadata["packages"] == len(committees) and metadata["mails_sent"] == len(committees) - 1
    assert refused["code"] in metadata["failed_committees"] and "550" in metadata["failed_committees"]

    received = {e.rcpt_tos[0]: message_from_bytes(e.content, policy=policy.default) for e in box.envelopes}
    assert set(received) == {c["email"] for c in committees} - {refused["email"]}
    outbox = data / "outbox"
    for committee in committees:
        folder = outbox / committee["district_code"] / committee["street_code"] / committee["code"] / "2026-10"
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["committee_code"] == committee["code"] and manifest["period"] == "2026-10"
        assert {f["file"] for f in manifest["files"]} | {"manifest.json"} == {p.name for p in folder.iterdir()}
        assert {f["model"] for f in manifest["files"]} == set(ledger_models("monthly"))
        if committee["email"] == refused["email"]:
            continue
        message = received[committee["email"]]
        assert committee["name"] in message["Subject"] and "2026-10" in message["Subject"]
        attached = received_files(message)
        assert attached["manifest.json"] == (folder / "manifest.json").read_bytes()
        assert {name: hashlib.sha256(b).hexdigest() for name, b in attached.items() if name != "manifest.json"} == {
            f["file"]: f["sha256"] for f in manifest["files"]}
        for name, payload in attached.items():                     # masked: no full ID number leaves by mail
            if name.endswith(".csv"):
                assert not FULL_ID.search(payload), (committee["code"], name)

    # re-run only the failed committee once its mailbox accepts: a re-delivery, recorded
    box.refuse.clear()
    again = materialize([monthly_ledgers], partition_key="2026-10", resources=resources,
                        run_config={"ops": {"export__monthly_ledgers": {"config": {"committees": [refused["code"]]}}}})
    assert again.success
    [materialization] = again.asset_materializations_for_node("export__monthly_ledgers")
    assert materialization.metadata["redeliveries"].value == 1
    assert materialization.metadata["mails_sent"].value == 1
    assert box.envelopes[-1].rcpt_tos == [refused["email"]]
    log = read_log(outbox)
    assert len(log) == len(committees) + 1
    mine = [(e["attempt"], e["redelivery"], e["outcome"], e["mail"]) for e in log
            if e["committee_code"] == refused["code"]]
    assert mine == [(1, False, "failed", "failed"), (2, True, "delivered", "sent")]
