"""E-mail of a committee's package: settings from the environment, one message per committee, one SMTP session.

Why the standard library: `email.message.EmailMessage` encodes Chinese subjects and attachment names (RFC 2047 /
RFC 2231) and `smtplib` speaks SMTP, STARTTLS and implicit TLS; no third-party mailer adds anything we need.

Settings come from environment variables only, never from the repository (the password above all):

| variable | meaning | default |
|---|---|---|
| `SHEQUYUN_SMTP_HOST` | server; unset = mail off (reported as skipped) | — |
| `SHEQUYUN_SMTP_PORT` | port | 465 with SSL, 587 with STARTTLS, else 25 |
| `SHEQUYUN_SMTP_USER` / `SHEQUYUN_SMTP_PASSWORD` | login (only when a user is set) | — |
| `SHEQUYUN_SMTP_SENDER` | From: address | `shequyun@localhost` |
| `SHEQUYUN_SMTP_STARTTLS` | upgrade the session with STARTTLS (1/true/yes) | false |
| `SHEQUYUN_SMTP_SSL` | implicit TLS (SMTPS) | false |
| `SHEQUYUN_SMTP_TIMEOUT` | seconds per SMTP operation | 60 |
| `SHEQUYUN_SMTP_MAX_ATTACHMENT_MB` | above this the files go as one zip; a zip still above it is not attached | 20 |
| `SHEQUYUN_SMTP_MAX_ATTACHMENTS` | more files than this go as one zip (a mailbox is no place for 100 attachments) | 12 |
"""

from __future__ import annotations

import io
import json
import mimetypes
import os
import smtplib
import ssl
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from types import TracebackType
from typing import Self

ENV_PREFIX = "SHEQUYUN_SMTP_"
FREQUENCY_LABELS = {"monthly": "月度", "weekly": "每周", "quarterly": "季度", "annual": "年度"}

mimetypes.add_type("application/vnd.apache.parquet", ".parquet")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server. `host = None` means mail is off."""

    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    sender: str = "shequyun@localhost"
    starttls: bool = False
    ssl: bool = False
    timeout: float = 60.0
    max_attachment_bytes: int = 20 * 1024 * 1024
    max_attachments: int = 12

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return value.strip() if value and value.strip() else None

        port = get("PORT")
        timeout = get("TIMEOUT")
        max_mb = get("MAX_ATTACHMENT_MB")
        max_files = get("MAX_ATTACHMENTS")
        try:
            return cls(
                host=get("HOST"),
                port=int(port) if port else None,
                user=get("USER"),
                password=env.get(ENV_PREFIX + "PASSWORD") or None,
                sender=get("SENDER") or cls.sender,
                starttls=_flag(get("STARTTLS")),
                ssl=_flag(get("SSL")),
                timeout=float(timeout) if timeout else cls.timeout,
                max_attachment_bytes=int(float(max_mb) * 1024 * 1024) if max_mb else cls.max_attachment_bytes,
                max_attachments=int(max_files) if max_files else cls.max_attachments,
            )
        except ValueError as exc:
            raise ValueError(f"invalid {ENV_PREFIX}* setting: {exc}") from exc

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def effective_port(self) -> int:
        if self.port:
            return self.port
        return 465 if self.ssl else 587 if self.starttls else 25

    def describe(self) -> str:
        """For logs and run metadata: never the password."""
        if not self.enabled:
            return "mail off (SHEQUYUN_SMTP_HOST not set)"
        mode = "ssl" if self.ssl else "starttls" if self.starttls else "plain"
        login = f", user {self.user}" if self.user else ""
        return f"smtp {self.host}:{self.effective_port} ({mode}{login}), from {self.sender}"

    def with_overrides(self, **values: object) -> SmtpSettings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def parse_address(raw: str | None) -> Address:
    """A committee's mailbox as an Address; ValueError naming the problem when it is missing or malformed."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("no e-mail address in marts.dim_area")
    try:
        address = Address(addr_spec=text)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"malformed e-mail address {text!r}: {exc}") from exc
    if not address.username or not address.domain or "." not in address.domain:
        raise ValueError(f"malformed e-mail address {text!r}")
    return address


@dataclass(frozen=True)
class PackageMail:
    """What one committee's message says and carries."""

    committee_code: str
    committee_name: str
    period: str
    frequency: str
    folder: Path
    files: Sequence[Path]
    rows: int
    manifest_sha256: str | None
    delivery_id: str
    redelivery: bool = False


def _attach(message: EmailMessage, name: str, data: bytes) -> None:
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    maintype, subtype = mime.split("/", 1)
    # bytes always (also for csv/json): the receiver gets the exact file, its checksum matches the manifest
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)


def zip_files(files: Sequence[Path], root_name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=f"{root_name}/{path.name}")
    return buffer.getvalue()


def build_message(mail: PackageMail, to: Address, sender: str, max_attachment_bytes: int,
                  max_attachments: int = SmtpSettings.max_attachments) -> tuple[EmailMessage, str]:
    """The committee's message and how its files travel: 'files' (each attached, when few and small), 'zip' (one
    archive of the package) or 'none' (too large even zipped: the message says where the package is)."""
    label = FREQUENCY_LABELS.get(mail.frequency, mail.frequency)
    again = "（重新报送）" if mail.redelivery else ""
    message = EmailMessage()
    message["Subject"] = f"[社区云] {mail.committee_name}（{mail.committee_code}）{mail.period} {label}台账{again}"
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=mail.delivery_id[:16], domain=sender.rpartition("@")[2] or None)
    message["X-Shequyun-Delivery"] = mail.delivery_id
    message["X-Shequyun-Period"] = mail.period
    message["X-Shequyun-Committee"] = mail.committee_code

    total = sum(p.stat().st_size for p in mail.files)
    mode = "files"
    archive: bytes | None = None
    if total > max_attachment_bytes or len(mail.files) > max_attachments:
        archive = zip_files(mail.files, f"{mail.committee_code}_{mail.period}")
        mode = "zip" if len(archive) <= max_attachment_bytes else "none"

    lines = [
        f"{mail.committee_name}：",
        "",
        f"附件为贵居委会 {mail.period} {label}台账{again}，共 {len(mail.files)} 个文件、{mail.rows} 行数据。",
        "身份证号、电话等个人信息已按规定脱敏，请仅用于履行职责，勿外传。",
        "",
        "台账清单：",
        *_ledger_lines(mail.folder / "manifest.json"),
        "",
        "各文件的 SHA-256 校验值见 manifest.json；",
        f"manifest.json 本身的 SHA-256：{mail.manifest_sha256 or '-'}",
        f"报送编号：{mail.delivery_id}",
    ]
    if mode == "none":
        lines += ["", f"文件合计 {total} 字节，超过邮件附件上限，未随邮件附送；请从报送目录 {mail.folder} 领取。"]
    elif mode == "zip":
        lines += ["", "文件较多或较大，已打包为一个 zip 附件。"]
    lines += ["", "社区云 自动报送，请勿直接回复。"]
    message.set_content("\n".join(lines))

    if mode == "files":
        for path in mail.files:
            _attach(message, path.name, path.read_bytes())
    elif mode == "zip" and archive is not None:
        _attach(message, f"{mail.committee_code}_{mail.period}.zip", archive)
    return message, mode


def _ledger_lines(manifest: Path) -> list[str]:
    """One line per ledger of the package (title, rows, formats), from its manifest.json."""
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("files") or []
    except (OSError, ValueError):
        return ["  （manifest.json 无法读取）"]
    ledgers: dict[str, tuple[int, list[str]]] = {}
    for entry in entries:
        title = str(entry.get("title") or entry.get("ledger") or entry.get("file"))
        rows, formats = ledgers.get(title, (int(entry.get("rows") or 0), []))
        formats.append(str(entry.get("format") or Path(str(entry.get("file", ""))).suffix.lstrip(".")))
        ledgers[title] = (rows, formats)
    return [f"  {title}：{rows} 行（{', '.join(formats)}）" for title, (rows, formats) in ledgers.items()]


class Mailer:
    """One SMTP session reused for all committees of a delivery; a failed send drops the session so the next
    committee starts on a fresh one (a refusal of one recipient never poisons the others)."""

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.enabled:
            raise ValueError("Mailer needs SHEQUYUN_SMTP_HOST")
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.host
        smtp: smtplib.SMTP
        if s.ssl:
            smtp = smtplib.SMTP_SSL(s.host, s.effective_port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout)
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
        if s.user:
            smtp.login(s.user, s.password or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as exc:    # mid-DATA or before the final reply: accepted or not?
            self.close()
            raise smtplib.SMTPServerDisconnected(
                f"the mail server {self.settings.host}:{self.settings.effective_port} closed the connection before "
                f"confirming the message ({exc}): it may or may not have arrived; a re-delivery sends it again "
                f"(at least once)") from exc
        except BaseException:
            self.close()
            raise
        if refused:  # only some recipients refused (we send to one, so this is defensive)
            raise smtplib.SMTPRecipientsRefused(refused)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
