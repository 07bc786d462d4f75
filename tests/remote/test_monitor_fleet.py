"""Two monitors at once on the fleet of a real `tendril serve` (two native boards): both list both
boards, and what one monitor does (a run, a pause) shows in the other, through serve."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import OptionList

from tendril.live import Board
from tendril.live.remote import RemoteBoard
from tendril.tui import MonitorApp
from tendril.tui.screens.boards import BoardsScreen
from tendril.tui.widgets.dashboard import ActuatorTable

from ..live.conftest import push_fast
from ..serve.conftest import TIMEOUT, board_of, state_where
from ..support.boards import Boards
from ..tui.conftest import SIZE, until
from .test_client_cli import wait_runtime_lists

pytestmark = pytest.mark.slow


@pytest.fixture
def two_boards(tmp_path):
    made = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        b = Boards(tmp_path / name, "native")
        b.start()
        push_fast(b.port)
        made.append(b)
    yield made
    for b in made:
        b.stop()


def test_two_monitors_show_the_fleet_and_each_others_commands(two_boards, broker, watcher,
                                                               start_serve, monkeypatch):
    from tendril.cli.monitor import _through_serve

    ids = [board_of(b.port) for b in two_boards]
    serve = start_serve(broker.url, *(b.port for b in two_boards))
    for board in ids:
        watcher.wait(state_where(lambda s, board=board: s["board"] == board and s["actuators"]["pump"]))
        wait_runtime_lists(serve.runtime, board)
    monkeypatch.setenv("TENDRIL_RUNTIME_DIR", str(serve.runtime))
    fleets = [_through_serve((), None), _through_serve((), None)]
    try:
        for _, fleet in fleets:
            assert sorted(b.board for b in fleet.boards) == sorted(ids)
            assert all(isinstance(b, RemoteBoard) and isinstance(b, Board) for b in fleet.boards)

        async def scenario():
            one, two = (MonitorApp(list(fleet.boards), None, fleet=fleet) for _, fleet in fleets)
            async with one.run_test(size=SIZE) as p1, two.run_test(size=SIZE) as p2:
                for app, pilot in ((one, p1), (two, p2)):
                    table = app.main.query_one(ActuatorTable)
                    await until(pilot, lambda t=table: "pump" in str(t.get_cell_at((0, 0))),
                                timeout=TIMEOUT, what="the pump row")
                    await pilot.press("b")
                    await until(pilot, lambda a=app: isinstance(a.screen, BoardsScreen), what="list")
                    box = app.screen.query_one(OptionList)
                    await until(pilot, lambda b=box: b.option_count == 2, what="both boards")
                    await pilot.press("escape")
                # one monitor runs the pump and pauses; the other sees both
                one.board.lease(0, 8_000).result(TIMEOUT)
                await p1.press("p")
                table2 = two.main.query_one(ActuatorTable)
                await until(p2, lambda: "ON" in str(table2.get_cell_at((0, 1))), timeout=TIMEOUT,
                            what="the pump on in the other monitor")
                await until(p2, lambda: two.board.view().paused, timeout=TIMEOUT,
                            what="paused in the other monitor")
                assert one.board.board == two.board.board
                # the charts are fed by serve's frames topic: every sample, not the state's
                await until(p2, lambda: two.board.samples > 0, timeout=TIMEOUT, what="frames")
        asyncio.run(scenario())
    finally:
        for client, fleet in fleets:
            fleet.stop()
            client.close()
