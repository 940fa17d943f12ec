"""Per-test database namespaces (see shequyun_synth.testing.isolated_databases)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shequyun_synth.testing import isolated_databases as _isolated


@pytest.fixture
def isolated_databases() -> Iterator[tuple[str, str]]:
    with _isolated("it") as dsns:
        yield dsns
