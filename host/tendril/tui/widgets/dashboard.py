"""The dashboard: a card per channel, tables of actuators, rules and parameters."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, Static

from ...live import ActuatorView, ParamView, RuleView
from ...words import rule_skip_text, rule_state_text
from ..format import actuator_state, limit_text, ms_text, param_value, since_text
from .cards import ChannelCards


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
                    # A column is as wide as the widest value it has shown, not only its first:
                    # "off" first must not cut "ON (lease, 8 s left)" later.
                    self.update_cell_at((r, col), cell, update_width=True)

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
            out.append((a.name, state, f"{ms_text(a.today_on_ms)} / {limit_text(a.daily_cap_ms)}",
                        limit_text(a.max_on_ms), ms_text(a.min_off_ms)))
        return out


class RuleTable(ViewTable):
    COLUMNS = ("rule", "state", "last fired", "last skipped for")

    def rows_of(self, views: Sequence[RuleView]) -> list[tuple]:
        return [(r.name, rule_state_text(r.state), since_text(r.since_fired_ms), rule_skip_text(r.last_skip) or "–") for r in views]


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
