"""Every board the monitor has, one line each (how it is, what it runs, what is on, what needs a
look), refreshed while open; pick one to see it in the dashboard, charts, events and raw console.
Boards are anything with the live Board surface: a port this process holds, or later a board
another process (``tendril serve``) publishes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ...live import Board
from ..format import board_line


class BoardsScreen(ModalScreen[int | None]):
    """Dismisses with the picked board's index, None on Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, boards: Sequence[Board], current: int) -> None:
        super().__init__()
        self.boards = boards
        self.current = current
        self._versions: list[int] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Boards: pick one to see it (Enter), Escape to go back", classes="dialog-title")
            yield OptionList(id="board-list")

    def on_mount(self) -> None:
        self._redraw()
        self.query_one(OptionList).highlighted = self.current
        self.query_one(OptionList).focus()
        self.set_interval(0.5, self._redraw)

    def _redraw(self) -> None:
        versions = [b.version for b in self.boards]
        if versions == self._versions:
            return
        self._versions = versions
        box = self.query_one(OptionList)
        keep = box.highlighted
        box.clear_options()
        for i, board in enumerate(self.boards):
            box.add_option(Option(board_line(board.view()), id=f"pick-{i}"))
        if keep is not None and keep < box.option_count:
            box.highlighted = keep

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id.removeprefix("pick-")))
