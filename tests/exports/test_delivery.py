"""exports.delivery without Dagster: the outbox swap, the delivery log, failure isolation and the mail.

A tiny exporter with the signature of exports.package.export_packages writes the packages (so a re-delivery can
be made to differ from the first one); committees and their mailboxes come from a small marts.dim_area; mail goes
to an aiosmtpd server started on a free port, which refuses one mailbox.
"""

from __future__ import annotations

import hashlib
import io
import json
import smtplib
import socket
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from exports import delivery, publish
from exports.delivery import (
    DeliveryError,
    check_period,
    deliver_period,
    frequency_of,
    read_log,
)
from exports.delivery_mail import SmtpSettings

REFUSED = "refused@jd.example.org"
COMMITTEES = [
    # code, name, district, street, email
    ("310106006001", "恒德里居委会", "310106", "310106006", "310106006001@jd.example.org"),
    ("310106006002", "新安居委会", "310106", "310106006", "310106006002@jd.example.org"),
    ("310113104002", "月浦十村居委会", "310113", "310113104", REFUSED),
    ("310113104003", "月浦八村居委会", "310113", "310113104", "no-at-sign"),
]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- fixtures: database, exporter, SMTP server -----------------------------------------------------------

@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "shequyun.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_area (code varchar, level varchar, name varchar, district_code varchar,"
                    " street_code varchar, committee_code varchar, email varchar)")
        con.execute("insert into marts.dim_area values ('310106006', 'street', '江宁路街道', '310106', '310106006',"
                    " null, 'street@jd.example.org')")
        for code, name, district, street, email in COMMITTEES:
            con.execute("insert into marts.dim_area values (?, 'committee', ?, ?, ?, ?, ?)",
                        [code, name, district, street, code, email])
    return path


@dataclass
class FakePackage:
    committee_code: str
    committee_name: str
    district_code: str
    street_code: str
    period: str
    folder: Path
    files: list[Path]
    rows: int
    manifest_path: Path


@dataclass
class FakeSummary:
    packages: list[FakePackage]
    seconds: float = 0.0


@dataclass
class FakeExporter:
    """export_packages' signature; writes `files` (name -> text) per committee plus a manifest with checksums."""

    version: str = "v1"
    names: Sequence[str] = ("rpt_ledger__elderly_80_plus.csv", "rpt_ledger__elderly_80_plus.xlsx",
                            "rpt_ledger__visit_log.csv")
    fail_for: set[str] = field(default_factory=set)
    fail_always: bool = False
    calls: list[dict] = field(default_factory=list)

    def __call__(self, database: Path, out_dir: Path, period: str, *, frequency: str | None = None,
                 ledgers: Sequence[str] | None = None, committees: Sequence[str] | None = None,
                 unmasked: bool = False, formats: Sequence[str] | None = ("xlsx", "csv", "parquet"),
                 role: str | None = None) -> FakeSummary:
        self.calls.append({"out_dir": out_dir, "period": period, "frequency": frequency, "committees": committees,
                           "unmasked": unmasked, "role": role})
        chosen = set(committees) if committees else {c[0] for c in COMMITTEES}
        if self.fail_always:
            raise RuntimeError("disk full")
        if self.fail_for & chosen:
            raise RuntimeError(f"cannot export {sorted(self.fail_for & chosen)}")
        packages = []
        for code, name, district, street, _ in COMMITTEES:
            if committees and code not in committees:
                continue
            folder = out_dir / district / street / code / period
            folder.mkdir(parents=True)
            entries = []
            for n in self.names:
                data = f"{self.version},{code},{period},{n}\n".encode() * 50
                (folder / n).write_bytes(data)
                entries.append({"file": n, "rows": 50, "sha256": sha256(data)})
            manifest = folder / "manifest.json"
            manifest.write_text(json.dumps({"period": period, "version": self.version, "files": entries,
                                            "data_as_of": "2026-11-01", "database_built_at": "2026-11-26T02:30:00"},
                                           ensure_ascii=False), encoding="utf-8")
            packages.append(FakePackage(code, name, district, street, period, folder,
                                        [folder / n for n in self.names], 50 * len(self.names), manifest))
        return FakeSummary(packages)


class Mailbox:
    """aiosmtpd handler: keeps every message, refuses RCPT TO a chosen mailbox like a real server would."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]  # type: ignore[misc]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, SmtpSettings]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, SmtpSettings(host="127.0.0.1", port=port, sender="shequyun@city.example.org", timeout=10)
    finally:
        controller.stop()


def package_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}


# -- tests ------------------------------------------------------------------------------------------------

def test_each_committee_gets_its_folder_its_log_line_and_its_mail(database: Path, tmp_path: Path, smtp_server) -> None:
    mailbox, smtp = smtp_server
    outbox = tmp_path / "outbox"
    exporter = FakeExporter()
    summary = deliver_period(database, outbox, "2026-11", committees=[c[0] for c in COMMITTEES[:2]],
                             smtp=smtp, exporter=exporter)

    assert summary.ok and summary.frequency == "monthly"
    assert exporter.calls[0]["frequency"] == "monthly" and not exporter.calls[0]["unmasked"]
    assert exporter.calls[0]["role"] == "committee_staff"
    assert exporter.calls[0]["out_dir"].is_relative_to(outbox / ".staging")   # exported beside, then moved in
    assert not any((outbox / ".staging").iterdir())
    assert summary.packages == 2 and summary.files == 8 and summary.rows == 300 and summary.mails("sent") == 2

    by_recipient = {}
    for envelope, message in zip(mailbox.envelopes, mailbox.messages(), strict=True):
        assert envelope.mail_from == "shequyun@city.example.org"
        assert len(envelope.rcpt_tos) == 1
        by_recipient[envelope.rcpt_tos[0]] = message
    assert set(by_recipient) == {"310106006001@jd.example.org", "310106006002@jd.example.org"}

    for code, name, district, street, email in COMMITTEES[:2]:
        folder = outbox / district / street / code / "2026-11"
        files = package_files(folder)
        assert sorted(files) == sorted([*exporter.names, "manifest.json"])
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            assert sha256(files[entry["file"]]) == entry["sha256"]
        message = by_recipient[email]
        assert message["To"] == email
        assert name in message["Subject"] and code in message["Subject"] and "2026-11" in message["Subject"]
        assert "rpt_ledger__visit_log.csv：50 行" in message.get_body().get_content()   # ledgers listed from the manifest
        sent = attachments(message)
        assert {n: sha256(b) for n, b in sent.items()} == {n: sha256(b) for n, b in files.items()}

    log = read_log(outbox)
    assert [(e["committee_code"], e["attempt"], e["redelivery"], e["outcome"], e["mail"]) for e in log] == [
        ("310106006001", 1, False, "delivered", "sent"), ("310106006002", 1, False, "delivered", "sent")]
    first = log[0]
    assert first["folder"] == "310106/310106006/310106006001/2026-11"
    assert first["files"] == sorted([*exporter.names, "manifest.json"]) and first["rows"] == 150
    assert first["manifest_sha256"] == sha256((outbox / first["folder"] / "manifest.json").read_bytes())
    assert first["delivered_at"] and first["delivery_id"] == summary.delivery_id and first["error"] is None
    assert (first["data_as_of"], first["database_built_at"]) == ("2026-11-01", "2026-11-26T02:30:00")


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "rename-aside"])
def test_redelivery_replaces_the_whole_folder_atomically_and_is_logged(
        database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    outbox = tmp_path / "outbox"
    code, _, district, street, _ = COMMITTEES[0]
    folder = outbox / district / street / code / "2026-11"
    one = [code]
    deliver_period(database, outbox, "2026-11", committees=one, smtp=SmtpSettings(), exporter=FakeExporter("v1"))
    old = package_files(folder)
    reader = (folder / "rpt_ledger__visit_log.csv").open("rb")   # a committee reading while we re-deliver

    seen_before_swap: list[dict[str, bytes]] = []
    original = delivery.swap_in

    def spying_swap(new: Path, target: Path, aside: Path) -> bool:
        seen_before_swap.append(package_files(target))          # the new package is complete in staging by now
        assert sorted(p.name for p in new.iterdir()) == ["manifest.json", "rpt_ledger__elderly_80_plus.csv"]
        return original(new, target, aside)

    monkeypatch.setattr(delivery, "swap_in", spying_swap)
    v2 = FakeExporter("v2", names=("rpt_ledger__elderly_80_plus.csv",))
    summary = deliver_period(database, outbox, "2026-11", committees=one, smtp=SmtpSettings(), exporter=v2)

    assert seen_before_swap == [old]                                # old package intact until the swap
    assert reader.read().startswith(b"v1,")                          # an open old file stays readable
    reader.close()
    new = package_files(folder)
    assert sorted(new) == ["manifest.json", "rpt_ledger__elderly_80_plus.csv"]   # no old file left: no mix
    assert all(not data.startswith(b"v1") for name, data in new.items() if name.endswith(".csv"))
    assert json.loads(new["manifest.json"])["version"] == "v2"
    assert not any((outbox / ".staging").iterdir())                  # the replaced package is gone
    assert [p.name for p in folder.parent.iterdir()] == ["2026-11"]

    log = read_log(outbox)
    assert [(e["attempt"], e["redelivery"], e["outcome"]) for e in log] == [(1, False, "delivered"),
                                                                          (2, True, "delivered")]
    assert log[1]["replaced_manifest_sha256"] == log[0]["manifest_sha256"] != log[1]["manifest_sha256"]
    assert log[1]["files"] == sorted(new) and log[1]["mail"] == "skipped"
    assert summary.redeliveries == 1


def test_one_committee_failing_does_not_stop_the_others(database: Path, tmp_path: Path, smtp_server) -> None:
    mailbox, smtp = smtp_server
    outbox = tmp_path / "outbox"
    # 310106006002: a file squats where its committee folder belongs (a disk-side failure; root ignores modes)
    blocked = outbox / "310106" / "310106006" / "310106006002"
    blocked.parent.mkdir(parents=True)
    blocked.write_text("not a folder")

    summary = deliver_period(database, outbox, "2026-11", smtp=smtp, exporter=FakeExporter())

    outcome = {r.committee_code: (r.outcome, r.stage, r.mail) for r in summary.records}
    assert outcome == {
        "310106006001": ("delivered", None, "sent"),
        "310106006002": ("failed", "outbox", "not_attempted"),
        "310113104002": ("failed", "mail", "failed"),     # the server refuses the mailbox
        "310113104003": ("failed", "mail", "failed"),     # malformed address: never sent
    }
    errors = {r.committee_code: r.error for r in summary.failures}
    assert "NotADirectoryError" in errors["310106006002"] or "FileExistsError" in errors["310106006002"]
    assert "SMTPRecipientsRefused" in errors["310113104002"] and "550" in errors["310113104002"]
    assert "malformed e-mail address" in errors["310113104003"]
    # the refused and the malformed committees still have their package in the outbox
    assert (outbox / "310113" / "310113104" / "310113104002" / "2026-11" / "manifest.json").is_file()
    assert (outbox / "310113" / "310113104" / "310113104003" / "2026-11" / "manifest.json").is_file()
    assert summary.packages == 3
    # the committee after the refused one on the same SMTP session got nothing wrong; only one mail arrived
    assert [e.rcpt_tos for e in mailbox.envelopes] == [["310106006001@jd.example.org"]]
    assert [e["outcome"] for e in read_log(outbox)] == ["delivered", "failed", "failed", "failed"]
    rendered = summary.render()
    assert "FAILED 310106006002" in rendered and "FAILED 310113104002" in rendered and "1 sent" in rendered


def test_an_export_error_of_one_committee_is_isolated(database: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    exporter = FakeExporter(fail_for={"310106006002"})
    summary = deliver_period(database, outbox, "2026-11", smtp=SmtpSettings(), exporter=exporter)
    assert {r.committee_code for r in summary.delivered} == {"310106006001", "310113104002", "310113104003"}
    [failure] = summary.failures
    assert failure.committee_code == "310106006002" and failure.stage == "export"
    assert "cannot export" in (failure.error or "")
    # all (committees=None: no filter), then halves, then the failing half's two committees
    assert [c["committees"] for c in exporter.calls] == [
        None, ["310106006001", "310106006002"], ["310113104002", "310113104003"], ["310106006001"], ["310106006002"]]


def test_two_failing_committees_are_isolated_the_others_delivered(database: Path, tmp_path: Path) -> None:
    exporter = FakeExporter(fail_for={"310106006001", "310113104003"})
    summary = deliver_period(database, tmp_path / "outbox", "2026-11", smtp=SmtpSettings(), exporter=exporter)
    assert {r.committee_code for r in summary.failures} == {"310106006001", "310113104003"}
    assert {r.committee_code for r in summary.delivered} == {"310106006002", "310113104002"}


def test_an_export_broken_for_everyone_is_one_error_not_a_failure_per_committee(database: Path,
                                                                                  tmp_path: Path) -> None:
    exporter = FakeExporter(fail_for={c[0] for c in COMMITTEES})
    exporter.fail_always = True
    with pytest.raises(DeliveryError, match="every part of the committees alike"):
        deliver_period(database, tmp_path / "outbox", "2026-11", smtp=SmtpSettings(), exporter=exporter)
    assert len(exporter.calls) == 1 + 2 + 4
    assert read_log(tmp_path / "outbox") == []


def test_an_export_error_of_the_export_itself_stops_at_once(database: Path, tmp_path: Path) -> None:
    from exports.package import ExportError

    def broken(*args, **kwargs):
        raise ExportError("no ledgers to export of frequency weekly")

    with pytest.raises(DeliveryError, match="no ledgers to export"):
        deliver_period(database, tmp_path / "outbox", "2026-W48", smtp=SmtpSettings(), exporter=broken)


def test_mail_is_skipped_without_a_host_and_reported(database: Path, tmp_path: Path) -> None:
    summary = deliver_period(database, tmp_path / "outbox", "2026-W48", smtp=SmtpSettings.from_env({}),
                             exporter=FakeExporter())
    assert summary.ok and summary.frequency == "weekly"
    assert summary.mails("skipped") == len(COMMITTEES) and summary.mails("sent") == 0
    assert "SHEQUYUN_SMTP_HOST not set" in summary.render()
    assert (tmp_path / "outbox" / "310106" / "310106006" / "310106006001" / "2026-W48").is_dir()


def test_large_packages_travel_as_one_zip(database: Path, tmp_path: Path, smtp_server) -> None:
    mailbox, smtp = smtp_server
    small = SmtpSettings(host=smtp.host, port=smtp.port, sender=smtp.sender, max_attachment_bytes=6000)
    outbox = tmp_path / "outbox"
    summary = deliver_period(database, outbox, "2026-11", committees=["310106006001"], smtp=small,
                             exporter=FakeExporter())
    assert summary.records[0].attachment == "zip"
    [message] = mailbox.messages()
    [(name, data)] = attachments(message).items()
    assert name == "310106006001_2026-11.zip"
    folder = outbox / "310106" / "310106006" / "310106006001" / "2026-11"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        zipped = {Path(n).name: sha256(archive.read(n)) for n in archive.namelist()}
    assert zipped == {n: sha256(b) for n, b in package_files(folder).items()}

    many = SmtpSettings(host=smtp.host, port=smtp.port, sender=smtp.sender, max_attachments=3)   # 4 files
    by_count = deliver_period(database, outbox, "2026-11", committees=["310106006001"], smtp=many,
                              exporter=FakeExporter())
    assert by_count.records[0].attachment == "zip"
    assert list(attachments(mailbox.messages()[-1])) == ["310106006001_2026-11.zip"]

    tiny = SmtpSettings(host=smtp.host, port=smtp.port, sender=smtp.sender, max_attachment_bytes=100)
    again = deliver_period(database, outbox, "2026-11", committees=["310106006001"], smtp=tiny,
                           exporter=FakeExporter())
    assert again.records[0].attachment == "none" and again.records[0].mail == "sent"
    last = mailbox.messages()[-1]
    assert not list(last.iter_attachments()) and "重新报送" in last["Subject"]
    assert "310106/310106006/310106006001/2026-11" in last.get_body().get_content()


def test_periods_and_frequencies() -> None:
    assert [frequency_of(p) for p in ("2026-11", "2026-W48", "2026-Q4", "2026")] == [
        "monthly", "weekly", "quarterly", "annual"]
    for bad in ("2026-13", "2026-W54", "26-11", "2026-11-01"):
        with pytest.raises(DeliveryError, match="period"):
            frequency_of(bad)
    with pytest.raises(DeliveryError, match="is weekly, not monthly"):
        check_period("2026-W48", "monthly")


def test_unknown_committee_is_an_error_before_anything_is_written(database: Path, tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="310199999999"):
        deliver_period(database, tmp_path / "outbox", "2026-11", committees=["310199999999"],
                       smtp=SmtpSettings(), exporter=FakeExporter())
    assert not (tmp_path / "outbox").exists()


def test_smtp_settings_come_from_the_environment() -> None:
    env = {"SHEQUYUN_SMTP_HOST": "mail.example.org", "SHEQUYUN_SMTP_USER": "bot", "SHEQUYUN_SMTP_PASSWORD": "s3cret",
           "SHEQUYUN_SMTP_STARTTLS": "true", "SHEQUYUN_SMTP_SENDER": "ledgers@example.org",
           "SHEQUYUN_SMTP_MAX_ATTACHMENT_MB": "5", "SHEQUYUN_SMTP_MAX_ATTACHMENTS": "40"}
    settings = SmtpSettings.from_env(env)
    assert settings.enabled and settings.starttls and settings.effective_port == 587
    assert settings.max_attachment_bytes == 5 * 1024 * 1024 and settings.max_attachments == 40
    assert settings.sender == "ledgers@example.org"
    assert "s3cret" not in settings.describe() and "mail.example.org:587" in settings.describe()
    assert not SmtpSettings.from_env({}).enabled
    with pytest.raises(ValueError, match="SHEQUYUN_SMTP_"):
        SmtpSettings.from_env({"SHEQUYUN_SMTP_HOST": "x", "SHEQUYUN_SMTP_PORT": "twenty-five"})


def test_a_lost_smtp_session_is_reopened_for_the_next_committee(database: Path, tmp_path: Path, smtp_server,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox, smtp = smtp_server
    real_send = smtplib.SMTP.send_message
    calls = {"n": 0}

    def flaky(self, msg, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            self.close()
            raise smtplib.SMTPServerDisconnected("connection dropped")
        return real_send(self, msg, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", flaky)
    summary = deliver_period(database, tmp_path / "outbox", "2026-11", committees=["310106006001", "310106006002"],
                             smtp=smtp, exporter=FakeExporter())
    assert [(r.committee_code, r.mail) for r in summary.records] == [("310106006001", "failed"),
                                                                     ("310106006002", "sent")]
    assert [e.rcpt_tos for e in mailbox.envelopes] == [["310106006002@jd.example.org"]]


def test_deliveries_of_one_outbox_queue_on_its_lock_and_clean_a_crashed_staging(database: Path,
                                                                                 tmp_path: Path) -> None:
    from filelock import FileLock

    outbox = tmp_path / "outbox"
    crashed = outbox / ".staging" / "deadbeef" / "export" / "310106" / "partial.csv"
    crashed.parent.mkdir(parents=True)
    crashed.write_text("half a package")
    # another delivery is running
    with FileLock(str(outbox / ".delivery.lock")), pytest.raises(DeliveryError, match="another delivery holds"):
        deliver_period(database, outbox, "2026-11", smtp=SmtpSettings(), exporter=FakeExporter(), lock_timeout=0.2)
    assert crashed.exists() and read_log(outbox) == []       # the waiting one touched nothing
    summary = deliver_period(database, outbox, "2026-11", smtp=SmtpSettings(), exporter=FakeExporter())
    assert summary.ok and not (outbox / ".staging" / "deadbeef").exists()
