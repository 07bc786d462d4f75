"""Every key, from the bindings themselves (so the help cannot drift from what the keys do)."""

from __future__ import annotations

from typing import ClassVar

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

ABOUT = """\
The dashboard, charts, events and raw console show the selected board; the tabs at the top switch
boards. Everything the boards send is logged to the database while the monitor runs.

In dialogs: Tab moves between fields, Enter confirms, Escape cancels, y / n answer a confirmation.
The mouse works everywhere: tabs, table rows (Enter or a click on an actuator runs it, on a
parameter tunes it), buttons and checkboxes. Themes: ctrl+p opens the command palette, then
"Change theme"."""

_KEY_NAMES = {"question_mark": "?", "slash": "/", "left_square_bracket": "[",
              "right_square_bracket": "]", "escape": "Esc"}


def keys_table(bindings: list[Binding]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("what it does")
    for b in bindings:
        if b.description:
            keys = " ".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in b.key.split(","))
            table.add_row(keys, b.tooltip or b.description)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss", "Close help")]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall", id="help"):
            yield Label("tendril monitor: keys  (Esc closes)", classes="dialog-title")
            with VerticalScroll():
                yield Static(Group(keys_table(self.bindings), Text(""), Text(ABOUT)), id="help-text")
