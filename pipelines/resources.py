"""Resources of the shequyun code location."""

from __future__ import annotations

import os

from dagster import ConfigurableResource
from pydantic import Field

from shequyun.settings import Paths


class ShequyunResource(ConfigurableResource):
    """Where the data directory is, and how to treat database servers that do not answer.

    ``data_dir`` defaults to ``$SHEQUYUN_DATA_DIR`` or ``./data`` (when the resource is created); a
    relative path is resolved against the working directory.
    ``skip_unavailable_databases`` is for the demo on a machine without PostgreSQL / MariaDB: a system
    whose server does not answer then succeeds with ``status = skipped`` and the reason instead of failing.
    """

    data_dir: str = Field(
        default_factory=lambda: os.environ.get("SHEQUYUN_DATA_DIR") or "data",
        description="Data directory (landing/, lake/ ...). Default: $SHEQUYUN_DATA_DIR or ./data.",
    )
    skip_unavailable_databases: bool = Field(
        default=False, description="Report database systems whose server does not answer as skipped, not failed."
    )

    quality_max_rows: int = Field(
        default=2_000_000,
        description="Quality checks validate at most this many rows of a batch (a systematic sample beyond); 0 = all.",
    )

    def paths(self) -> Paths:
        return Paths.from_env(self.data_dir or None)
