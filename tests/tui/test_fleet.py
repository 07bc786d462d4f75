"""The monitor with more than one board: two native simulated boards (the plant waterer and the
night light), a board list that shows each in a line and picks the one the views show."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList
from tendril.live import Board, LiveBoard, LiveSource
from tendril.tui.screens.boards import BoardsScreen
from tendril.tui.widgets.dashboard import ActuatorTable

from .conftest import SIZE, WATERER, Rig, run, until


def test_live_boards_and_sources_have_the_surface_the_monitor_draws():
    from tendril.sources.plotter import PlotterSource  # noqa: PLC0415 - only here
    assert isinstance(LiveBoard("/dev/null"), Board)
    assert isinstance(LiveSource(PlotterSource("/dev/null")), Board)


def test_a_source_board_refuses_commands_with_a_sentence():
    from tendril.sources.plotter import PlotterSource  # noqa: PLC0415
    future = LiveSource(PlotterSource("/dev/null")).lease(0, 1000)
    with pytest.raises(Exception, match="does not run tendril: no actuators to run"):
        future.result(1)


@pytest.mark.slow
def test_the_board_list_shows_every_board_and_picks_the_one_the_views_show(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    waterer = Rig(tmp_path / "a")
    night = Rig(tmp_path / "b", WATERER.parent / "night-light.toml")
    try:
        async def scenario():
            from tendril.tui import MonitorApp
            app = MonitorApp([waterer.board, night.board], waterer.sink, db_path=waterer.db)
            async with app.run_test(size=SIZE) as pilot:
                table = app.main.query_one(ActuatorTable)
                await until(pilot, lambda: "pump" in str(table.get_cell_at((0, 0))), what="the pump row")
                night.board.lease(0, 20_000, 128).result(5)  # the led on, at a level
                await pilot.press("b")
                await until(pilot, lambda: isinstance(app.screen, BoardsScreen), what="the board list")
                box = app.screen.query_one(OptionList)

                def lines():
                    return [str(box.get_option_at_index(i).prompt) for i in range(box.option_count)]
                await until(pilot, lambda: box.option_count == 2 and "on: led" in lines()[1],
                            what="both boards listed, the led on")
                assert "plant-waterer" in lines()[0] and "all off" in lines()[0]
                assert "night-light" in lines()[1]
                await pilot.press("down", "enter")
                await until(pilot, lambda: not isinstance(app.screen, BoardsScreen), what="picked")
                assert app.current == 1 and app.board is night.board
                await until(pilot, lambda: "led" in str(table.get_cell_at((0, 0))), what="the led row")
                await until(pilot, lambda: "ON at 50 %" in str(table.get_cell_at((0, 1))),
                            what="the led's state")
                await pilot.press("b", "escape")  # Escape keeps the board shown
                await until(pilot, lambda: not isinstance(app.screen, BoardsScreen))
                assert app.current == 1
        run(scenario)
    finally:
        waterer.close()
        night.close()


@pytest.mark.slow
def test_with_one_board_there_is_no_board_list(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            assert app.check_action("boards", ()) is False  # hidden from the footer, and off
            await pilot.press("b")
            await pilot.pause()
            assert not isinstance(app.screen, BoardsScreen)
    run(scenario)
