"""SVG snapshots of the monitor at 110x36, drawn from the fixed SnapshotBoard (snapshot_board.py).

Regenerate after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs in __snapshots__/ before committing them."""

from __future__ import annotations

import time

import pytest
from tendril.tui import MonitorApp
from tendril.tui.screens.confirm import ConfirmScreen

from .conftest import DATA, SIZE
from .snapshot_board import NOW, SnapshotBoard


pytestmark = pytest.mark.slow  # the terminal UI drawn at a fixed size, a few seconds each


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")  # log lines show local time
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def app() -> MonitorApp:
    return MonitorApp([SnapshotBoard()], None, clock=lambda: NOW)


async def settle(pilot) -> None:
    await pilot.pause(0.3)  # a few timer ticks
    await pilot.wait_for_scheduled_animations()


def test_dashboard(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=settle)


def test_chart_of_the_last_hour(snap_compare):
    async def before(pilot):
        await pilot.press("g", "3")
        await settle(pilot)
    assert snap_compare(app(), terminal_size=SIZE, run_before=before)


def test_recipe_diff_before_a_push(snap_compare):
    async def before(pilot):
        await pilot.press("l")
        await pilot.pause(0.5)
        await pilot.press("tab")
        pilot.app.screen.query_one("#recipe-path").value = str(DATA / "plant-waterer-tuned.toml")
        await pilot.press("enter")
        for _ in range(50):
            if isinstance(pilot.app.screen, ConfirmScreen):
                break
            await pilot.pause(0.1)
        await settle(pilot)
    assert snap_compare(app(), terminal_size=SIZE, run_before=before)


def test_events(snap_compare):
    async def before(pilot):
        await pilot.press("e")
        await settle(pilot)
    assert snap_compare(app(), terminal_size=SIZE, run_before=before)


def test_help(snap_compare):
    async def before(pilot):
        await settle(pilot)  # the screen under the help as a user sees it (tab underline drawn)
        await pilot.press("question_mark")
        await settle(pilot)
    assert snap_compare(app(), terminal_size=SIZE, run_before=before)
