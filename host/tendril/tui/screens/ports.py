"""The serial ports on this machine, probed for a tendril HELLO in workers; pick one to open."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from ...errors import TendrilError
from ...session import Session
from ...transport.discover import PortInfo, list_ports


def probe(path: str) -> str:
    """What the port's HELLO says, or why there is none (2.5 s at most; resets an Uno)."""
    s = Session(path, hello_timeout=2.5)
    try:
        h = s.open()
        return f"tendril {h.text} id {h.device_id:08x}"
    except TendrilError:
        return "no tendril HELLO"
    finally:
        s.close()


class PortsScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel"), Binding("f5", "scan", "Scan again")]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[PortInfo] = []
        self.said: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Open a board: pick a port, or type one (a simulated board's /dev/pts/N)",
                        classes="dialog-title")
            yield OptionList(id="port-list")
            yield Input(placeholder="/dev/ttyACM0", id="port-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Open", variant="primary", id="open")
                yield Button("Scan again (F5)", id="scan")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.action_scan()

    def action_scan(self) -> None:
        self.query_one(OptionList).clear_options().add_option(Option("scanning…", disabled=True))
        self._scan()

    @work(thread=True, exclusive=True, group="scan")
    def _scan(self) -> None:
        found = list_ports()
        self.app.call_from_thread(self._show, found)
        for info in found:
            said = probe(info.path)
            self.app.call_from_thread(self._heard, info.path, said)

    def _show(self, found: list[PortInfo]) -> None:
        self.found = found
        self._redraw()

    def _heard(self, path: str, said: str) -> None:
        self.said[path] = said
        self._redraw()

    def _redraw(self) -> None:
        if not self.is_attached:  # dismissed while the probes ran
            return
        box = self.query_one(OptionList)
        keep = box.highlighted
        box.clear_options()
        if not self.found:
            box.add_option(Option("no serial ports found (F5 scans again)", disabled=True))
        for p in self.found:
            guess = ", ".join(p.boards) or "unknown board"
            box.add_option(Option(f"{p.path}  {p.vid_pid or '-'}  {guess}  "
                                  f"[dim]{self.said.get(p.path, 'probing…')}[/]", id=p.path))
        if keep is not None and keep < box.option_count:
            box.highlighted = keep

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    @on(Input.Submitted)
    @on(Button.Pressed, "#open")
    def _typed(self) -> None:
        text = self.query_one(Input).value.strip()
        if text:
            self.dismiss(text)

    @on(Button.Pressed, "#scan")
    def _rescan(self) -> None:
        self.action_scan()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
