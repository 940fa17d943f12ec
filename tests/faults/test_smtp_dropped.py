"""Fault injection (issue 13 item 5), a mail server that drops the connection during a delivery: the committee whose
message was cut off is reported failed with a message saying the connection was lost before the server confirmed
the message, its log line stays `failed` (nothing marked delivered), the others are delivered, and the re-delivery
the command prints, against a healthy server, brings every committee exactly one message.

When the server had already accepted the message and only its reply was lost, the client cannot tell: the committee
is reported failed and the re-delivery sends the message again - delivery is at least once, the second message
marked 重新报送 with its own delivery number (docs/reliability.md).

`shequyun deliver` runs in this process (click's runner) on the hand-made thematic database of tests/exports (its
fixture ledgers, exported for real); the mail servers are aiosmtpd on free ports, one whose handler aborts the
connection (RST) in DATA - after the whole message came in, before the final reply - for one committee.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from click.testing import CliRunner, Result
from outbox_city import fixture_db, outbox_data_dir

from exports.delivery import read_log
from exports.delivery_cli import deliver

PERIOD = "2026-11"
CUT_OFF = "310106006002"           # the committee whose message the dropping server cuts off


class Mailbox:
    """aiosmtpd handler keeping every message it accepts. `drop` names a committee whose message is cut off: the
    connection is aborted in DATA, before the final reply - `accept_first` says whether the server had stored it."""

    def __init__(self, drop: str | None = None, accept_first: bool = False) -> None:
        self.drop, self.accept_first = drop, accept_first
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server, session, envelope):
        committee = message_from_bytes(envelope.content, policy=policy.default)["X-Shequyun-Committee"]
        if committee == self.drop:
            if self.accept_first:
                self.envelopes.append(envelope)
            server.transport.abort()            # RST: the client never gets the reply
            return "421 4.3.0 connection lost"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def committees(self) -> Counter[str]:
        return Counter(message_from_bytes(e.content, policy=policy.default)["X-Shequyun-Committee"]
                       for e in self.envelopes)


@pytest.fixture
def smtp_server() -> Iterator:
    """Start a mail server with a handler: `port = smtp_server(Mailbox(...))`; stopped after the test."""
    controllers = []

    def start(mailbox: Mailbox) -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return outbox_data_dir(tmp_path, monkeypatch)


def run_deliver(data_dir: Path, port: int, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("SHEQUYUN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SHEQUYUN_SMTP_PORT", str(port))
    return CliRunner().invoke(deliver, ["--period", PERIOD, "--data-dir", str(data_dir), *args])


def retry_arguments(result: Result) -> list[str]:
    """The arguments of the re-delivery command the failed delivery printed."""
    line = next(x for x in result.stderr.splitlines() if x.startswith("re-deliver the failed committees with: "))
    command = line.split(": ", 1)[1].split()
    assert command[:4] == ["shequyun", "deliver", "--period", PERIOD], line
    return command[4:]


def latest(log: list[dict]) -> dict[str, dict]:
    return {r["committee_code"]: r for r in log}


def test_a_message_cut_off_is_reported_not_delivered_and_the_redelivery_sends_each_committee_one_message(
        data_dir: Path, smtp_server, monkeypatch: pytest.MonkeyPatch) -> None:
    dropping = Mailbox(drop=CUT_OFF)
    first = run_deliver(data_dir, smtp_server(dropping), monkeypatch)
    committees = sorted(fixture_db().COMMITTEES)
    assert first.exit_code == 1, first.output
    failed = next(x for x in first.stdout.splitlines() if x.strip().startswith(f"FAILED {CUT_OFF}"))
    assert "[mail]" in failed and "closed the connection before confirming the message" in failed, failed
    assert "it may or may not have arrived" in failed
    log = read_log(data_dir / "outbox")
    assert {r["committee_code"]: (r["outcome"], r["mail"]) for r in log} == {
        c: ("failed", "failed") if c == CUT_OFF else ("delivered", "sent") for c in committees}
    assert dropping.committees() == Counter({c: 1 for c in committees if c != CUT_OFF})

    healthy = Mailbox()
    retry = run_deliver(data_dir, smtp_server(healthy), monkeypatch, *retry_arguments(first))
    assert retry.exit_code == 0, retry.output
    assert healthy.committees() == Counter({CUT_OFF: 1})
    assert dropping.committees() + healthy.committees() == Counter({c: 1 for c in committees})   # no duplicate
    again = latest(read_log(data_dir / "outbox"))[CUT_OFF]
    assert (again["outcome"], again["mail"], again["attempt"], again["redelivery"]) == ("delivered", "sent", 2, True)


def test_a_reply_lost_after_the_server_accepted_the_message_means_at_least_once(
        data_dir: Path, smtp_server, monkeypatch: pytest.MonkeyPatch) -> None:
    accepting = Mailbox(drop=CUT_OFF, accept_first=True)
    first = run_deliver(data_dir, smtp_server(accepting), monkeypatch)
    assert first.exit_code == 1, first.output
    assert latest(read_log(data_dir / "outbox"))[CUT_OFF]["outcome"] == "failed"   # the client cannot know

    healthy = Mailbox()
    retry = run_deliver(data_dir, smtp_server(healthy), monkeypatch, *retry_arguments(first))
    assert retry.exit_code == 0, retry.output
    # the committee has its message twice; the second says it is a re-delivery (重新报送), with its own number
    assert (accepting.committees() + healthy.committees())[CUT_OFF] == 2
    (first_copy,), (second_copy,) = ([message_from_bytes(e.content, policy=policy.default) for e in box.envelopes
                                      if e.rcpt_tos == [f"{CUT_OFF}@jd.example.org"]] for box in (accepting, healthy))
    assert "重新报送" not in first_copy["Subject"] and "重新报送" in second_copy["Subject"]
    assert first_copy["X-Shequyun-Delivery"] != second_copy["X-Shequyun-Delivery"]
