"""Resources of the shequyun code location."""

from __future__ import annotations

from dagster import ConfigurableResource
from pydantic import Field

from shequyun.core.settings import Paths, resolve_paths


class ShequyunResource(ConfigurableResource):
    """Where the data directory is, and how to treat database servers that do not answer.

    ``data_dir`` unset means ``$SHEQUYUN_DATA_DIR``, read when a run needs the paths
    (shequyun.core.settings.resolve_paths: neither set is an error naming the variable); a relative path is
    resolved against the working directory.
    ``skip_unavailable_databases`` is for the demo on a machine without PostgreSQL / MariaDB: a system
    whose server does not answer then succeeds with ``status = skipped`` and the reason instead of failing.
    """

    data_dir: str | None = Field(
        default=None,
        description="Data directory (landing/, lake/ ...). Default: $SHEQUYUN_DATA_DIR (required when this is unset).",
    )
    skip_unavailable_databases: bool = Field(
        default=False, description="Report database systems whose server does not answer as skipped, not failed."
    )

    quality_max_rows: int = Field(
        default=2_000_000,
        description="Quality checks validate at most this many rows of a batch (a systematic sample beyond); 0 = all.",
    )

    def paths(self) -> Paths:
        return resolve_paths(self.data_dir or None)


from exports.delivery_mail import SmtpSettings  # appended section: the deliveries


class SmtpResource(ConfigurableResource):
    """The mail server for deliveries. Every field left unset is read from ``SHEQUYUN_SMTP_*`` when a delivery
    runs (exports.delivery_mail.SmtpSettings); the password is never configured here, only in
    ``$SHEQUYUN_SMTP_PASSWORD``, so it shows in no run config. No host anywhere = mail off, reported as skipped."""

    enabled: bool = Field(default=True, description="False: deliver to the outbox only, never mail.")
    host: str | None = Field(default=None, description="SMTP host (default $SHEQUYUN_SMTP_HOST; none = mail off).")
    port: int | None = Field(default=None, description="SMTP port (default $SHEQUYUN_SMTP_PORT, else 465/587/25).")
    user: str | None = Field(default=None, description="Login (default $SHEQUYUN_SMTP_USER).")
    sender: str | None = Field(default=None, description="From: address (default $SHEQUYUN_SMTP_SENDER).")
    starttls: bool | None = Field(default=None, description="STARTTLS (default $SHEQUYUN_SMTP_STARTTLS).")
    ssl: bool | None = Field(default=None, description="Implicit TLS (default $SHEQUYUN_SMTP_SSL).")
    max_attachment_mb: float | None = Field(
        default=None, description="Above this a package is mailed as one zip (default $SHEQUYUN_SMTP_MAX_ATTACHMENT_MB or 20)."
    )

    max_attachments: int | None = Field(
        default=None, description="More files than this are mailed as one zip (default $SHEQUYUN_SMTP_MAX_ATTACHMENTS or 12)."
    )

    def settings(self) -> SmtpSettings:
        if not self.enabled:
            return SmtpSettings()
        return SmtpSettings.from_env().with_overrides(
            host=self.host, port=self.port, user=self.user, sender=self.sender, starttls=self.starttls, ssl=self.ssl,
            max_attachment_bytes=None if self.max_attachment_mb is None else int(self.max_attachment_mb * 1024 * 1024),
            max_attachments=self.max_attachments,
        )
