"""The host tests: the real CLI in-process, against the simulated boards of tests/support/boards.py
(the native build of the core and the real .elf in simavr, each on a real pty, with an EEPROM file
that survives a restart)."""

from __future__ import annotations

from click.testing import CliRunner
from tendril.cli import cli

from ..support.boards import RECIPES, WATERER, Boards  # noqa: F401  (the tests import them from here)


def tendril(*args: str):
    """Run the real CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)
