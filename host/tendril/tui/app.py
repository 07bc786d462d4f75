"""``tendril monitor``: live boards on a dashboard, charts, events, a raw console, and controls.

The app never touches a port or the log database on its own thread. Each LiveBoard runs its own
thread (serial and logging); the app reads ``board.view()`` and Series windows from a timer at
screen rate (25 Hz), so a board sending a thousand samples a second costs the same redraws as one
sending one, and a redraw only touches the widgets whose words changed. Commands are LiveBoard futures awaited in workers; disk reads (history, recipes) run
in thread workers.

    app = MonitorApp([LiveBoard(port, sink=sink).start()], sink)
    app.run()
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.widgets import DataTable, Tab, TabbedContent, TabPane, Tabs

from ..errors import StorageError
from ..live import Board, ChannelView, LinkState, LiveBoard, LogSink
from ..store.db import device_id_text
from ..words import channel_unit_text
from .actions import Actions
from .format import SPANS
from .history import per_second
from .screens.boards import BoardsScreen
from .screens.ports import PortsScreen
from .widgets.charts import ChartsView
from .widgets.dashboard import ActuatorTable, ChannelCards, Dashboard, ParamTable, RuleTable
from .widgets.logs import EventLog, RawConsole
from .widgets.status import KeyFooter, StatusBar

VIEWS = ("dashboard", "charts", "events", "raw")
SPARK_SECONDS = 60.0


class MonitorApp(Actions, App[None]):
    CSS_PATH = "monitor.tcss"
    TITLE = "tendril monitor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "view('dashboard')", "Dash", tooltip="Dashboard: channels, actuators, rules, parameters"),
        Binding("g", "view('charts')", "Charts", tooltip="Charts of the picked channels"),
        Binding("e", "view('events')", "Events", tooltip="Events and the device log"),
        Binding("x", "view('raw')", "Raw", tooltip="Raw console: the bytes read from the port"),
        Binding("r", "run", "Run", tooltip="Run an actuator for N seconds (a lease, after a confirmation)"),
        Binding("o", "off", "Off", show=False, tooltip="Switch the highlighted actuator off now"),
        Binding("p", "pause", "Pause", tooltip="Pause or resume the board's automation"),
        Binding("s", "clear_safe_mode", "Clear safe mode",
                tooltip="Clear the board's safe mode, after a confirmation (only while SAFE MODE shows)"),
        Binding("t", "tune", "Tune", tooltip="Tune a parameter within its min..max"),
        Binding("l", "load", "Load", tooltip="Load a recipe from the catalog or a file: check, diff, confirm, push, verify"),
        Binding("c", "pull", "Pull", tooltip="Pull the board's config as recipe TOML, and save it"),
        Binding("1", "span(0)", "1 min", tooltip="Charts: the last minute"),
        Binding("2", "span(1)", "10 min", tooltip="Charts: the last 10 minutes"),
        Binding("3", "span(2)", "1 h", tooltip="Charts: the last hour"),
        Binding("4", "span(3)", "24 h", tooltip="Charts: the last 24 hours (older data from the log database)"),
        Binding("slash", "filter", "Filter", tooltip="Events: type to filter"),
        Binding("h", "hex", "Text/hex", tooltip="Raw console: switch between text and hex"),
        Binding("space", "freeze", "Freeze", tooltip="Raw console: stop scrolling to read; again: catch up"),
        Binding("left_square_bracket", "board(-1)", "Prev board", show=False, tooltip="The previous board"),
        Binding("right_square_bracket", "board(1)", "Next board", show=False, tooltip="The next board"),
        Binding("b", "boards", "Boards", tooltip="Every board in a list: pick one to see it (with two or more boards)"),
        Binding("n", "add_board", "Add board", show=False, tooltip="Open another board (pick a port)"),
        Binding("question_mark", "help", "Help", tooltip="This help"),
        Binding("q", "quit", "Quit", tooltip="Quit (logging stops with the monitor)"),
    ]

    def __init__(self, boards: list[Board], sink: LogSink | None, db_path: str | Path | None = None,
                 *, clock: Callable[[], float] = time.time, refresh_hz: float = 25.0,
                 fleet=None) -> None:
        super().__init__()
        self.boards = list(boards)
        self.fleet = fleet  # a RemoteFleet: boards that join serve later get a tab too
        self._fleet_seen = 0
        self.sink = sink
        self.db_path = Path(db_path) if db_path else (Path(sink.path) if sink is not None else None)
        self.clock = clock
        self.refresh_hz = refresh_hz
        self.current = 0
        self.span = 0  # index into SPANS
        self.owned: list[LiveBoard] = []  # boards the app opened itself (and stops)
        self._drawn = -1  # the board version last drawn
        self._chart_at = 0.0
        self._preloaded: set[tuple[int, bytes]] = set()
        self._views_widget: TabbedContent | None = None
        self._sparks: tuple[int, int, dict[int, list[float]]] = (-1, -1, {})  # board, second, data
        self._safe_mode = False  # the current board's, as the footer last saw it
        self._frozen_series = -1  # how many Series the boards had at the last gc.freeze (-1: none yet)

    # --- layout -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Tabs(*[Tab(self._tab_label(b), id=f"board-{i}") for i, b in enumerate(self.boards)],
                   id="boards")
        with TabbedContent(id="views", initial="dashboard"):
            with TabPane("Dashboard", id="dashboard"):
                yield Dashboard()
            with TabPane("Charts", id="charts"):
                yield ChartsView(id="charts-view")
            with TabPane("Events", id="events"):
                yield EventLog(id="event-log")
            with TabPane("Raw", id="raw"):
                yield RawConsole(id="raw-console")
        yield StatusBar(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_interval(1 / self.refresh_hz, self.tick)
        self.main.query_one(ActuatorTable).focus()
        if not self.boards and self.fleet is None:
            self.action_add_board()
        self.tick()
        self.set_timer(1.0, self._freeze_gc)  # once the app is up (not in its first frames)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what the app held can be collected again once it is gone
        for board in self.owned:
            board.stop()

    @property
    def main(self):
        """The screen under the dialogs (App.query_one would search an open dialog)."""
        return self.screen_stack[0]

    @property
    def board(self) -> Board | None:
        return self.boards[self.current] if 0 <= self.current < len(self.boards) else None

    @property
    def active_view(self) -> str:
        return self._views.active

    @property
    def _views(self) -> TabbedContent:
        """The view switcher, looked up once (the timer and the bindings ask for it all the time)."""
        if self._views_widget is None:
            self._views_widget = self.main.query_one("#views", TabbedContent)
        return self._views_widget

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Asked for every binding each time the footer or a key looks: no DOM queries here.
        if action not in ("span", "hex", "freeze", "filter", "board", "boards", "clear_safe_mode"):
            return True
        if action in ("board", "boards"):
            return len(self.boards) > 1
        if action == "clear_safe_mode":  # a snapshot under the board's lock, no DOM
            board = self.board
            return board is not None and board.view().safe_mode
        if self._views_widget is None and (not self.screen_stack or not self.main.query("#views")):
            return True
        if action == "span":
            return self.active_view == "charts"
        if action in ("hex", "freeze"):
            return self.active_view == "raw"
        return self.active_view == "events"  # filter

    # --- boards -----------------------------------------------------------------------------------
    def add_board(self, board: Board, owned: bool = False, show: bool = True) -> None:
        self.boards.append(board)
        if owned:
            self.owned.append(board)
        i = len(self.boards) - 1
        self.main.query_one("#boards", Tabs).add_tab(Tab(self._tab_label(board), id=f"board-{i}"))
        if show:
            self.main.query_one("#boards", Tabs).active = f"board-{i}"
        self.refresh_bindings()

    def _join_fleet(self) -> None:
        """Boards that joined serve's fleet since the last tick: a tab each, the view stays put."""
        joined = self.fleet.boards[self._fleet_seen:]
        self._fleet_seen += len(joined)
        for board in joined:
            if not any(board is b for b in self.boards):
                self.add_board(board, show=not self.boards)

    def _tab_label(self, board: Board) -> str:
        v = board.view()
        return f"{v.port.removeprefix('/dev/')} · {v.recipe or 'no recipe'}"

    @on(Tabs.TabActivated, "#boards")
    def _board_tab(self, event: Tabs.TabActivated) -> None:
        index = int(event.tab.id.split("-")[1])
        if index != self.current:
            self.current = index
            self._drawn = -1
            self.main.query_one(EventLog).reset()
            self.main.query_one(RawConsole).reset()
            self.tick()

    def action_board(self, step: int) -> None:
        if len(self.boards) > 1:
            tabs = self.main.query_one("#boards", Tabs)
            tabs.active = f"board-{(self.current + step) % len(self.boards)}"

    def action_boards(self) -> None:
        """The board list: the picked board becomes the one every view shows."""
        def picked(index: int | None) -> None:
            if index is not None:
                self.main.query_one("#boards", Tabs).active = f"board-{index}"
        if len(self.boards) > 1:
            self.push_screen(BoardsScreen(self.boards, self.current), picked)

    def action_add_board(self) -> None:
        def opened(port: str | None) -> None:
            if port:
                self.add_board(LiveBoard(port, sink=self.sink).start(), owned=True)
        self.push_screen(PortsScreen(), opened)

    # --- views ------------------------------------------------------------------------------------
    def action_view(self, name: str) -> None:
        self.main.query_one("#views", TabbedContent).active = name

    @on(TabbedContent.TabActivated, "#views")
    def _view_changed(self) -> None:
        self._drawn = -1
        self._chart_at = 0.0
        self.refresh_bindings()
        self.tick()

    def action_span(self, index: int) -> None:
        self.span = index
        self._chart_at = 0.0
        self.tick()

    def action_filter(self) -> None:
        self.main.query_one("#log-filter").focus()

    def action_hex(self) -> None:
        self.main.query_one(RawConsole).toggle()

    def action_freeze(self) -> None:
        raw = self.main.query_one(RawConsole)
        raw.frozen = not raw.frozen
        self.notify("raw console frozen: space to catch up" if raw.frozen else "raw console live again")

    @on(DataTable.RowSelected, "#actuators")
    def _actuator_chosen(self) -> None:
        self.action_run()

    @on(DataTable.RowSelected, "#params")
    def _param_chosen(self) -> None:
        self.action_tune()

    @on(ChartsView.Picked)
    def _charts_picked(self) -> None:
        self._chart_at = 0.0
        self.call_after_refresh(self.tick)

    # --- the screen-rate timer --------------------------------------------------------------------
    def tick(self) -> None:
        if not self.screen_stack:  # the app is closing: its screens are gone before the timer
            return
        try:
            self._tick()
        except NoMatches:  # ... or its widgets are
            pass

    def _tick(self) -> None:
        if self.fleet is not None and len(self.fleet.boards) > self._fleet_seen:
            self._join_fleet()
        board = self.board
        if board is None:
            return
        view = board.view()
        sink = self.sink
        self.main.query_one(StatusBar).show(view, sink.committed if sink else None,
                                       str(sink.error) if sink and sink.error else "")
        tabs = self.main.query_one("#boards", Tabs)
        for i, each in enumerate(self.boards):
            tab, label = tabs.query_one(f"#board-{i}", Tab), self._tab_label(each)
            if str(tab.label) != label:
                tab.label = label
        self._maybe_preload(board)
        if view.safe_mode != self._safe_mode:  # the footer shows the key only in safe mode
            self._safe_mode = view.safe_mode
            self.refresh_bindings()
        if self._frozen_series >= 0 and sum(len(b.series) for b in self.boards) != self._frozen_series:
            self._freeze_gc()
        now = self.clock()
        active = self.active_view
        if active == "dashboard":
            self._draw_dashboard(board, now)
        elif active == "charts":
            self._draw_charts(board, now)
        elif active == "events":
            log = self.main.query_one(EventLog)
            log.feed(*board.log_since(log.seen))
        elif active == "raw":
            with board.lock:
                chunks = list(board.raw)
            self.main.query_one(RawConsole).feed(chunks)

    def _draw_dashboard(self, board: Board, now: float) -> None:
        """The cards at every tick (their numbers come from the Series, which move with every
        sample and do not bump the board's version); the rest only when the board's view changed."""
        view = board.view()
        dash = self.main.query_one(Dashboard)
        dash.query_one(ChannelCards).show(self._live_channels(board, view),
                                          self._spark_data(board, view, now))
        if board.version == self._drawn:
            return
        self._drawn = board.version
        state = "" if view.state == LinkState.ONLINE else f"  [b]{view.state.value}[/]"
        hello = view.hello
        who = (f"{view.board or '?'} · {hello.text} · id {device_id_text(hello.device_id)} · boot {hello.boot_count}"
               f" · recipe {view.recipe or 'none'} (generation {hello.config_generation})"
               if hello else "waiting for the board's HELLO")
        dash.show_who(who + state)
        dash.query_one(ActuatorTable).show(view.actuators)
        dash.query_one(RuleTable).show(view.rules)
        dash.query_one(ParamTable).show(view.params)

    @staticmethod
    def _live_channels(board: Board, view) -> list[ChannelView]:
        """The cards' value, min and max as of now, straight from the Series (three numbers a
        channel under the lock), not as of the board's last status poll (once a second)."""
        out = []
        with board.lock:
            for c in view.channels:
                s = board.series_of(c.index)
                out.append(replace(c, value=s.last, lo=s.lo, hi=s.hi, count=s.count, no_reading=s.no_reading)
                           if s.count or s.no_reading else c)
        return out

    def _spark_data(self, board: Board, view, now: float) -> dict[int, list[float]]:
        """The sparklines' minute, one mean a second from the Series' one-second buckets: read
        once a second (a few dozen buckets a channel under the lock), the same lists in between."""
        key = (id(board), int(now))
        indexes = [c.index for c in view.channels]
        if self._sparks[:2] == key and list(self._sparks[2]) == indexes:
            return self._sparks[2]
        sparks = {}
        with board.lock:
            for i in indexes:
                window = board.series_of(i).grid_window(SPARK_SECONDS, int(SPARK_SECONDS), now)
                sparks[i] = [b.mean for b in window if b is not None]
        self._sparks = (*key, sparks)
        return sparks

    def _draw_charts(self, board: Board, now: float) -> None:
        label, seconds = list(SPANS.items())[self.span]
        # a minute moves a column every few seconds at most; longer spans need fewer redraws
        charts = self.main.query_one(ChartsView)
        resized = any(len(c.buckets) != c.plot_width for c in charts.charts())
        # (half a period: the timer's ticks come a little early or late)
        if not resized and now - self._chart_at < (0.5 / self.refresh_hz if seconds <= 60 else 1.0):
            return
        self._chart_at = now
        view = board.view()
        charts.set_channels(view.channels)
        names = {c.index: (c.name, channel_unit_text(c)) for c in view.channels}
        windows = {}
        with board.lock:  # grid_window: only the samples since the last frame are folded in
            for chart in charts.charts():
                width = max(1, chart.plot_width)
                windows[chart.index] = board.series_of(chart.index).grid_window(seconds, width, now)
        charts.draw(names, label, windows)

    # --- garbage collection ----------------------------------------------------------------------
    def _freeze_gc(self) -> None:
        """Collect once, then move every object there is into the collector's permanent
        generation: the app's widgets and styles, the boards' Series. They live as long as the
        monitor, and a full collection walks all of them (a minute of 16 channels at 1 kHz is a
        million samples in the Series' deques): some 80 ms with everything held up, a few times a
        minute, which was most of the slowest key presses. Done a second after the app started
        and whenever a board's channels appear (a full collection then, once)."""
        self._frozen_series = sum(len(b.series) for b in self.boards)
        gc.collect()
        gc.freeze()

    # --- history from the log database ------------------------------------------------------------
    def _maybe_preload(self, board: Board) -> None:
        hello = board.view().hello
        if self.db_path is None or hello is None or not self.db_path.exists():
            return
        key = (id(board), bytes(hello.recipe_hash))
        if key in self._preloaded:
            return
        self._preloaded.add(key)
        self._preload(board, hello.device_id, bytes(hello.recipe_hash), self.clock())

    @work(thread=True, group="history")
    def _preload(self, board: Board, device_id: int, recipe: bytes, now: float) -> None:
        try:
            got = per_second(self.db_path, device_id, recipe, now - 86_400, now)
        except (StorageError, OSError) as exc:  # locked, foreign: charts show only live data
            self.call_from_thread(self.notify, f"no chart history from {self.db_path}: {exc}",
                                  severity="warning")
            return
        with board.lock:
            for channel, buckets in got.items():
                board.series_of(channel).preload(buckets)
