"""`tendril monitor` driven by keys against a real simulated board (tests/tui/conftest.py)."""

from __future__ import annotations

import pytest

import io

from rich.console import Console
from tendril.recipes import load
from tendril.tui.screens.confirm import ConfirmScreen
from tendril.tui.screens.controls import RunScreen, TuneScreen
from tendril.tui.screens.files import PullScreen, RecipeScreen
from tendril.tui.screens.help import HelpScreen
from tendril.tui.widgets.dashboard import ActuatorTable
from tendril.tui.widgets.status import KeyFooter, StatusBar
from tendril.words import log_text

from .conftest import DATA, SIZE, run, until
from ..support.imports import loaded_by


pytestmark = pytest.mark.slow  # the terminal UI against a simulated board, one per test


def _text(widget) -> str:
    return str(widget.render())


def pump(board):
    return board.view().actuators[0]


def test_run_key_starts_a_lease_after_confirmation_showing_the_limits(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, RunScreen))
            await pilot.press("3", "enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            details = _text(app.screen.query_one("#confirm-details"))
            assert "max on 10 s" in details and "daily cap 5 min" in details
            assert "used today" in details
            assert not pump(rig.board).on  # nothing happens before the yes
            await pilot.press("y")
            await until(pilot, lambda: pump(rig.board).on, what="the pump on")
            assert pump(rig.board).owner.lease
            assert 0 < pump(rig.board).ms_left <= 3000
            table = app.main.query_one(ActuatorTable)
            await until(pilot, lambda: "ON (lease" in str(table.get_cell_at((0, 1))))
    run(scenario)


def test_run_asks_a_pwm_actuator_for_its_level_and_the_lease_drives_it_there(tmp_path):
    from .conftest import WATERER, Rig

    night = Rig(tmp_path, WATERER.parent / "night-light.toml")  # a PWM led on D9
    try:
        async def scenario():
            app = night.app()
            async with app.run_test(size=SIZE) as pilot:
                await pilot.press("r")
                await until(pilot, lambda: isinstance(app.screen, RunScreen))
                assert app.screen.query_one("#run-level").display  # a relay's dialog has none
                app.screen.query_one("#run-level").value = "40"
                await pilot.press("5", "enter")
                await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                assert app.screen.question == "Run led for 5 s at 40 %?"
                await pilot.press("y")
                led = lambda: night.board.view().actuators[0]  # noqa: E731
                await until(pilot, lambda: led().on and led().owner.lease, what="the led on")
                assert led().level == 102  # 40 % of 255
        run(scenario)
    finally:
        night.close()


def test_a_relays_run_dialog_asks_no_level(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, RunScreen))
            assert not app.screen.query_one("#run-level").display
            await pilot.press("enter")  # nothing typed yet
            assert _text(app.screen.query_one("#run-error")) == "enter how long to run, like 5 s"
            assert isinstance(app.screen, RunScreen)
    run(scenario)


def _drawn(widget) -> str:
    """The lines a widget draws on the terminal, as text."""
    return "\n".join("".join(seg.text for seg in widget.render_line(y))
                     for y in range(widget.size.height))


def test_state_columns_widen_to_show_whole_words_when_the_state_changes(rig):
    from tendril.tui.widgets.dashboard import RuleTable

    async def scenario():
        app = rig.app()
        async with app.run_test(size=(140, 40)) as pilot:
            pumps, rules = app.main.query_one(ActuatorTable), app.main.query_one(RuleTable)
            await until(pilot, lambda: pumps.row_count and rules.row_count, what="the tables filled")
            first = str(pumps.get_cell_at((0, 1))), str(rules.get_cell_at((0, 1)))
            rig.board.lease(0, 9_000).result(5)
            rig.board.pause().result(5)
            await until(pilot, lambda: str(pumps.get_cell_at((0, 1))).startswith("ON (lease, ")
                        and str(rules.get_cell_at((0, 1))) == "paused", what="the new states")
            state = str(pumps.get_cell_at((0, 1)))
            assert len(state) > len(first[0]) and len("paused") > len(first[1])
            # the columns widen on a redraw, which a loaded machine may take a while to get to
            await until(pilot, lambda: str(pumps.get_cell_at((0, 1))) in _drawn(pumps)
                        and "paused" in _drawn(rules), what="the widened states drawn whole")
    run(scenario)


def test_declined_run_leaves_the_actuator_off(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r", "2", "enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("n")
            await pilot.pause(1.5)
            assert not pump(rig.board).on
            assert not any("pump ON" in log_text(line) for line in rig.board.log)
    run(scenario)


def test_tuned_parameter_is_read_back_from_the_board(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("t")
            await until(pilot, lambda: isinstance(app.screen, TuneScreen))
            await pilot.press("backspace", "backspace", "9", "0", "enter")  # 90 % > max 80 %
            assert "outside 10 % .. 80 %" in _text(app.screen.query_one("#tune-error"))
            assert isinstance(app.screen, TuneScreen)
            await pilot.press("backspace", "backspace", "4", "2", ".", "5", "enter")
            await until(pilot, lambda: rig.board.view().params[0].value == 42500,
                        what="dry_threshold 42.5 % read back")
    run(scenario)
    # and the board itself, asked again on its own link
    assert rig.board.set_param(0, 42500).result(5) == 42500


def test_pause_key_pauses_and_resumes_the_automation(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("p")
            await until(pilot, lambda: rig.board.view().paused, what="paused")
            status = app.main.query_one(StatusBar)
            await until(pilot, lambda: "PAUSED" in _text(status))
            await pilot.press("p")
            await until(pilot, lambda: not rig.board.view().paused, what="resumed")
            await until(pilot, lambda: "PAUSED" not in _text(status))
    run(scenario)
    texts = [log_text(line) for line in rig.board.log]
    assert "automation paused" in texts and "automation resumed" in texts


def test_safe_mode_is_cleared_from_its_key_after_a_confirmation(rig):
    rig.restart_in_safe_mode()

    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            status, footer = app.main.query_one(StatusBar), app.main.query_one(KeyFooter)
            await until(pilot, lambda: "SAFE MODE" in _text(status))
            await until(pilot, lambda: "Clear safe mode" in _text(footer), what="the key shown")
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            details = _text(app.screen.query_one("#confirm-details"))
            assert "three times in a row" in details and "safe state" in details
            assert rig.board.view().safe_mode  # nothing happens before the yes
            await pilot.press("y")
            await until(pilot, lambda: not rig.board.view().safe_mode, what="safe mode cleared")
            await until(pilot, lambda: "SAFE MODE" not in _text(status))
            await until(pilot, lambda: "Clear safe mode" not in _text(footer), what="the key gone")
    run(scenario)
    assert any(line.kind == "event" and log_text(line) == "safe mode cleared" for line in rig.board.log)
    assert rig.board.lease(0, 500).result(5) == 500  # the board acts again


def test_the_safe_mode_key_does_nothing_when_the_board_is_not_in_safe_mode(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            footer = app.main.query_one(KeyFooter)
            await until(pilot, lambda: "Pause" in _text(footer))
            assert "Clear safe mode" not in _text(footer)
            await pilot.press("s")
            await pilot.pause(0.3)
            assert not isinstance(app.screen, ConfirmScreen)
    run(scenario)


def test_recipe_diff_is_shown_in_words_before_the_push(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("l")
            await until(pilot, lambda: isinstance(app.screen, RecipeScreen))
            await pilot.press("tab")  # from the catalog list to the path box
            app.screen.query_one("#recipe-path").value = str(DATA / "plant-waterer-tuned.toml")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the diff")
            details = _text(app.screen.query_one("#confirm-details"))
            assert "pump max_on 10 s -> 8 s" in details
            assert "parameter dry_threshold default 35 % -> 40 %" in details
            assert rig.board.view().hello.config_generation == 1  # not pushed yet
            await pilot.press("y")
            await until(pilot, lambda: app.last_push is not None, 20, "the push")
            assert app.last_push.generation == 2 and not app.last_push.already_active
            await until(pilot, lambda: pump(rig.board).max_on_ms == 8000)
    run(scenario)


def test_a_broken_recipe_is_refused_before_anything_is_sent(rig, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "plant-waterer-tuned.toml").read_text().replace('max_on = "8 s"',
                                                                           'max_on = "8 parsecs"'))

    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("l")
            await until(pilot, lambda: isinstance(app.screen, RecipeScreen))
            await pilot.press("tab")
            app.screen.query_one("#recipe-path").value = str(bad)
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "MessageScreen")
            assert "max_on" in str(app.screen.text)
    run(scenario)
    assert rig.board.view().hello.config_generation == 1


def test_pull_shows_the_config_and_saves_it(rig, tmp_path):
    target = tmp_path / "pulled.toml"

    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, PullScreen), what="the pulled TOML")
            assert "[actuators.pump]" in app.screen.query_one("#pull-text").text
            app.screen.query_one("#pull-path").value = str(target)
            await pilot.press("ctrl+s")
            await until(pilot, target.exists)
    run(scenario)
    pulled = load(target)
    assert [a.name for a in pulled.actuators] == ["pump"]
    assert pulled.actuators[0].max_on_ms == 10_000


def test_events_view_filters_the_device_log(rig):
    rig.board.lease(0, 1000).result(5)

    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e")
            log = app.main.query_one("#log-lines")
            await until(pilot, lambda: any("pump ON (lease)" in s.text for s in log.lines))
            await pilot.press("slash", *"config")
            await until(pilot, lambda: log.lines and all("config" in s.text for s in log.lines))
            assert any("new config applied" in s.text for s in log.lines)
    run(scenario)


def test_reconnecting_is_shown_when_the_board_vanishes(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            status = app.main.query_one(StatusBar)
            await until(pilot, lambda: "online" in _text(status))
            rig.sim.stop()
            await until(pilot, lambda: "RECONNECTING" in _text(status), what="reconnecting shown")
            assert status.has_class("-reconnecting")
    run(scenario)


def test_help_screen_lists_every_key(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            console = Console(width=100, record=True, file=io.StringIO())
            console.print(app.screen.query_one("#help-text").content)
            text = console.export_text()
            for words in ("Run an actuator", "Pause or resume", "Tune a parameter", "Load a recipe",
                          "Pull the board's config", "the last 24 hours"):
                assert words in text
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
    run(scenario)


def test_a_click_on_a_footer_key_presses_it(rig):
    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            footer = app.main.query_one(KeyFooter)
            await until(pilot, lambda: "g Charts" in _text(footer))
            await pilot.click(KeyFooter, offset=(_text(footer).index("g Charts") + 3, 0))
            await until(pilot, lambda: app.active_view == "charts", what="the charts view")
            await until(pilot, lambda: "1 1 min" in _text(footer), what="the span keys shown")
    run(scenario)


def test_core_packages_do_not_import_textual():
    assert loaded_by(["tendril.live", "tendril.cli", "tendril.store", "tendril.session"], ["textual"]) == []


def test_without_a_board_the_ports_are_offered_and_a_typed_port_opens(rig):
    from tendril.tui import MonitorApp
    from tendril.tui.screens.ports import PortsScreen

    async def scenario():
        app = MonitorApp([], rig.sink, db_path=rig.db)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, PortsScreen))
            await pilot.press("tab")  # from the list of ports to the path box
            app.screen.query_one("#port-path").value = rig.sim.port
            rig.board.stop()  # let the monitor's own link take the pty
            await pilot.press("enter")
            await until(pilot, lambda: len(app.boards) == 1)
            status = app.main.query_one(StatusBar)
            await until(pilot, lambda: "online" in _text(status), what="the picked board online")
            assert app.boards[0] in app.owned
            await until(pilot, lambda: app.boards[0].view().actuators)
        assert app.boards[0].view().state.value == "stopped"  # the app stops what it opened
    run(scenario)


def test_two_boards_at_once_each_in_its_tab(rig, tmp_path):
    from tendril.live import LiveBoard
    from tendril.sim.runner import SimBoard, SimSpec
    from tendril.tui import MonitorApp

    (tmp_path / "two").mkdir()
    sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=tmp_path / "two" / "b.eeprom"))
    other = LiveBoard(sim.port, sink=rig.sink).start()  # a fresh board: no recipe yet
    try:
        async def scenario():
            app = MonitorApp([rig.board, other], rig.sink, db_path=rig.db)
            async with app.run_test(size=SIZE) as pilot:
                status = app.main.query_one(StatusBar)
                await until(pilot, lambda: rig.board.port in _text(status))
                await pilot.press("right_square_bracket")
                await until(pilot, lambda: sim.port in _text(status) and "online" in _text(status))
                assert app.board is other
                await pilot.press("r")  # nothing to run on a board without a recipe
                await pilot.pause(0.3)
                assert not isinstance(app.screen, RunScreen)
                await pilot.press("left_square_bracket", "p")
                await until(pilot, lambda: rig.board.view().paused)
                assert not other.view().paused
        run(scenario)
    finally:
        other.stop()
        sim.stop()


def test_raw_console_freezes_to_be_read_and_catches_up_after(rig):
    from textual.widgets import RichLog

    async def scenario():
        app = rig.app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("x")
            lines = app.main.query_one("#raw-lines", RichLog).lines
            await until(pilot, lambda: len(lines) > 0, what="bytes from the port")
            await pilot.press("space")
            frozen_at = len(lines)
            await pilot.pause(2.5)  # the board sends TELEMETRY every second
            assert len(lines) == frozen_at
            await pilot.press("space")
            await until(pilot, lambda: len(lines) > frozen_at, what="the frames read while frozen")
    run(scenario)
