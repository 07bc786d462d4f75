"""Monitors attached to a `tendril serve` that scans for boards follow its fleet: a board plugged
in after the monitors started gets a line in both monitors' board lists, and one unplugged stays
there as offline. A real mosquitto, a real serve scanning a folder of links to two native boards'
ptys ($TENDRIL_SERVE_SCAN_DIR), two MonitorApps driven by Pilot."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import OptionList

from tendril.tui import MonitorApp
from tendril.tui.screens.boards import BoardsScreen

from ..serve.conftest import TIMEOUT, board_of, state_where
from ..tui.conftest import SIZE, until
from .test_client_cli import wait_runtime_lists
from .test_monitor_fleet import two_boards  # noqa: F401 - fixture

pytestmark = pytest.mark.slow  # a serve subprocess, two simulated boards, two monitors


def lines_of(app) -> list[str]:
    box = app.screen.query_one(OptionList)
    return [str(box.get_option_at_index(i).prompt) for i in range(box.option_count)]


def links_of(app) -> list[str]:
    """Each listed board's link, as its line in the board list says it."""
    return [line.split("  ·  ")[1] for line in lines_of(app)]


def test_a_board_plugged_in_later_shows_in_every_monitor_and_unplugged_shows_offline(
        two_boards, broker, watcher, start_serve, tmp_path, monkeypatch):  # noqa: F811
    from tendril.cli.monitor import _through_serve

    first, second = (board_of(b.port) for b in two_boards)
    scan = tmp_path / "scan"
    scan.mkdir()
    (scan / "ttyACM0").symlink_to(two_boards[0].port)
    serve = start_serve(broker.url, env={"TENDRIL_SERVE_SCAN_DIR": str(scan)})
    watcher.wait(state_where(lambda s: s["board"] == first and s["actuators"]["pump"]))
    wait_runtime_lists(serve.runtime, first)
    monkeypatch.setenv("TENDRIL_RUNTIME_DIR", str(serve.runtime))
    fleets = [_through_serve((), None), _through_serve((), None)]
    try:
        assert [[b.board for b in fleet.boards] for _, fleet in fleets] == [[first], [first]]

        async def scenario():
            one, two = (MonitorApp(list(fleet.boards), None, fleet=fleet) for _, fleet in fleets)
            async with one.run_test(size=SIZE) as p1, two.run_test(size=SIZE) as p2:
                monitors = ((one, p1), (two, p2))
                for app, pilot in monitors:
                    await until(pilot, lambda a=app: a.board.view().recipe, timeout=TIMEOUT,
                                what="the first board's state")
                    assert app.check_action("boards", ()) is False  # one board: no list yet

                (scan / "ttyACM1").symlink_to(two_boards[1].port)  # plugged in
                for app, pilot in monitors:
                    await until(pilot, lambda a=app: len(a.boards) == 2, timeout=TIMEOUT,
                                what="the second board joining the monitor")
                    assert app.current == 0  # the view stays on the board it showed
                    await pilot.press("b")
                    await until(pilot, lambda a=app: isinstance(a.screen, BoardsScreen), what="list")
                    await until(pilot, lambda a=app: links_of(a) == ["online", "online"],
                                timeout=TIMEOUT, what="both boards listed online")
                    listed = lines_of(app)
                    assert listed[0].startswith(first) and listed[1].startswith(second)

                (scan / "ttyACM1").unlink()  # unplugged: serve lets it go, publishes offline
                for app, pilot in monitors:
                    await until(pilot, lambda a=app: links_of(a) == ["online", "offline"],
                                timeout=TIMEOUT, what="the unplugged board listed offline")
                    await pilot.press("down", "enter")  # an offline board can still be looked at
                    await until(pilot, lambda a=app: a.current == 1, what="picked")
                assert one.board.board == two.board.board == second
        asyncio.run(scenario())
    finally:
        for client, fleet in fleets:
            fleet.stop()
            client.close()
