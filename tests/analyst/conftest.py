"""A CliRunner helper for the analyst commands (the dbt city fixtures come from tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture()
def cli():
    """cli(*args) runs `shequyun <args>` in process (CliRunner); stdout and stderr apart."""
    from click.testing import CliRunner

    from shequyun.cli import main

    def invoke(*args: object):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke
