"""The dashboard: a card per channel, tables of actuators, rules and parameters."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.dom import NoScreen
from textual.widget import Widget
from textual.widgets import DataTable, Label, Sparkline, Static

from ...live import ActuatorView, ChannelView, ParamView, RuleView
from ..format import actuator_state, ms_text, number, param_value, since_text, with_unit


def _on_screen(widget: Widget) -> bool:
    """Whether the widget was drawn in the last screen update. Textual re-arranges the whole
    screen when a widget outside the visible part (a card scrolled out of view) asks to be redrawn:
    most of a frame's cost at screen rate, for nothing anyone sees."""
    try:
        return widget in widget.screen._compositor.visible_widgets
    except (AttributeError, NoScreen):  # another Textual, or no screen yet: draw
        return True


class ChannelCard(Vertical):
    """One channel: name, value with unit, min/max since the UI started, a sparkline.

    Redrawn at screen rate, so it is few widgets (every visible widget is painted again in each
    screen update) and touches only what changed: the three lines of words are one widget,
    updated only when they change and with no layout (its size is fixed), and the sparkline takes
    the same list until its second is over."""

    def __init__(self, index: int) -> None:
        super().__init__(classes="card")
        self.index = index
        self._latest: tuple[ChannelView, Sequence[float]] | None = None
        self._parts: tuple[Static, Sparkline] | None = None
        self._shown: list = [None, None]  # the words and the data on screen

    def compose(self) -> ComposeResult:
        yield Static("", classes="card-text")
        yield Sparkline([], classes="card-spark")

    def on_mount(self) -> None:
        self.call_after_refresh(self._draw)

    def show(self, c: ChannelView, spark: Sequence[float]) -> None:
        self._latest = (c, spark)
        if _on_screen(self):
            self._draw()  # one scrolled out of view is drawn at the first tick it is back

    def _draw(self) -> None:
        if self._parts is None:
            texts = list(self.query_children(Static).results())
            sparks = list(self.query_children(Sparkline).results())
            if not texts or not sparks:
                return  # not composed yet: on_mount draws the latest
            self._parts = (texts[0], sparks[0])
        if self._latest is None:
            return
        c, spark = self._latest
        text = (c.name + (" (raw)" if c.raw else ""), with_unit(c.value, c.unit),
                f"min {number(c.lo)} · max {number(c.hi)}")
        shown, (words, line) = self._shown, self._parts
        if shown[0] != text and _on_screen(words):  # a card can be cut by the fold
            shown[0] = text
            words.update(Content.assemble(text[0], "\n", (text[1], "bold $accent"), "\n", text[2]),
                         layout=False)  # name and range in the widget's colour (CSS)
        if shown[1] is not spark and _on_screen(line):
            shown[1] = spark
            line.data = list(spark)  # a reactive: an equal list draws nothing


class ChannelCards(Grid):
    """The cards, rebuilt only when the set of channels changes."""

    def show(self, channels: Sequence[ChannelView], sparks: dict[int, list[float]]) -> None:
        cards = list(self.query_children(ChannelCard))
        if [card.index for card in cards] != [c.index for c in channels]:
            self.remove_children()
            cards = [ChannelCard(c.index) for c in channels]
            self.mount_all(cards)
        for card, c in zip(cards, channels):
            card.show(c, sparks.get(c.index, ()))


class ViewTable(DataTable):
    """A table of one kind of view, updated in place so the cursor stays where the user put it."""

    COLUMNS: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*self.COLUMNS)

    def rows_of(self, views: Sequence) -> list[tuple]:
        raise NotImplementedError

    def show(self, views: Sequence) -> None:
        rows = self.rows_of(views)
        keys = [str(v.index) for v in views]
        if [k.value for k in self.rows] != keys:
            self.clear()
            for key, row in zip(keys, rows):
                self.add_row(*row, key=key)
            return
        for r, (key, row) in enumerate(zip(keys, rows)):
            for col, cell in enumerate(row):
                if self.get_cell_at((r, col)) != cell:
                    self.update_cell_at((r, col), cell)

    @property
    def selected(self) -> int:
        """The index (in the board's list) of the row under the cursor, 0 when empty."""
        if not self.row_count:
            return 0
        key, _ = self.coordinate_to_cell_key((self.cursor_row, 0))
        return int(key.value)


class ActuatorTable(ViewTable):
    COLUMNS = ("actuator", "state", "today / cap", "max on", "rest")

    def rows_of(self, views: Sequence[ActuatorView]) -> list[tuple]:
        out = []
        for a in views:
            state = Text(actuator_state(a), style="bold green" if a.on else "")
            out.append((a.name, state, f"{ms_text(a.today_on_ms)} / {ms_text(a.daily_cap_ms)}",
                        ms_text(a.max_on_ms), ms_text(a.min_off_ms)))
        return out


class RuleTable(ViewTable):
    COLUMNS = ("rule", "state", "last fired", "last skipped for")

    def rows_of(self, views: Sequence[RuleView]) -> list[tuple]:
        return [(r.name, r.state, since_text(r.since_fired_ms), r.last_skip or "–") for r in views]


class ParamTable(ViewTable):
    COLUMNS = ("parameter", "value", "min", "max")

    def rows_of(self, views: Sequence[ParamView]) -> list[tuple]:
        return [(p.name, param_value(p), param_value(p, p.min), param_value(p, p.max))
                for p in views]


class Dashboard(VerticalScroll):
    _who: str | None = None

    def show_who(self, text: str) -> None:
        """The board line, redrawn only when it changes."""
        if text != self._who:
            self._who = text
            self.query_one("#board-line", Static).update(text)

    def compose(self) -> ComposeResult:
        yield Static("", id="board-line")
        yield ChannelCards(id="cards")
        with Vertical(classes="box"):
            yield Label("Actuators  [dim]r run · o off · Enter on a row runs it[/]", classes="box-title")
            yield ActuatorTable(id="actuators")
        with Horizontal(id="tables"):
            with Vertical(classes="box"):
                yield Label("Rules", classes="box-title")
                yield RuleTable(id="rules")
            with Vertical(classes="box"):
                yield Label("Parameters  [dim]t tune[/]", classes="box-title")
                yield ParamTable(id="params")
