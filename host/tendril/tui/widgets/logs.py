"""Events and the device log, filterable by kind and text; and the raw console (text or hex)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, RichLog

from ...live import LogEntry
from ...words import log_text
from ..format import clock, hex_dump

KINDS = ("event", "log", "text", "host")
_KIND_STYLE = {"event": "bold cyan", "log": "green", "text": "yellow", "host": "magenta"}


def _matches(line: LogEntry, text: str, kinds: set[str], needle: str) -> bool:
    return line.kind in kinds and (not needle or needle in text.lower())


class EventLog(Vertical):
    """Shows ``board.log``; new lines are appended at screen rate, a filter change redraws."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.seen = 0  # board.log_since() count of the lines already looked at

    def compose(self) -> ComposeResult:
        with Horizontal(id="log-filters"):
            yield Input(placeholder="filter text (/ to focus)", id="log-filter")
            for kind in KINDS:
                yield Checkbox(kind, True, id=f"kind-{kind}", compact=True)
        yield RichLog(id="log-lines", wrap=True, markup=False, max_lines=5000)

    @property
    def kinds(self) -> set[str]:
        return {k for k in KINDS if self.query_one(f"#kind-{k}", Checkbox).value}

    @property
    def needle(self) -> str:
        return self.query_one("#log-filter", Input).value.strip().lower()

    def reset(self) -> None:
        self.seen = 0
        self.query_one(RichLog).clear()

    def feed(self, lines: Sequence[LogEntry], seen: int) -> None:
        """The lines ``board.log_since(self.seen)`` gave, and its new count: each is written once."""
        self.seen = seen
        if not lines:
            return
        out = self.query_one(RichLog)
        kinds, needle = self.kinds, self.needle
        for line in lines:
            text = log_text(line)
            if _matches(line, text, kinds, needle):
                t = Text(clock(line.host_time) + " ", style="dim")
                t.append(f"{line.kind:<5} ", style=_KIND_STYLE.get(line.kind, ""))
                t.append(text)
                out.write(t)

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _refilter(self) -> None:
        self.reset()  # the app's next tick writes every matching line again


class RawConsole(Vertical):
    """The last chunks read from the port, as text or as a hex dump. While ``frozen`` nothing new
    is drawn (so it can be read); unfrozen, it catches up from the board's buffer of chunks."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.hex = True
        self.frozen = False
        self._last: tuple[float, bytes] | None = None

    def compose(self) -> ComposeResult:
        yield RichLog(id="raw-lines", wrap=False, markup=False, max_lines=4000)

    def toggle(self) -> None:
        self.hex = not self.hex
        self.reset()

    def reset(self) -> None:
        self._last = None
        self.query_one(RichLog).clear()

    def feed(self, chunks: Sequence[tuple[float, bytes]]) -> None:
        if self.frozen:
            return
        start = 0
        if self._last is not None:
            for i in range(len(chunks) - 1, -1, -1):
                if chunks[i] is self._last:
                    start = i + 1
                    break
        if start >= len(chunks):
            return
        self._last = chunks[-1]
        out = self.query_one(RichLog)
        for when, data in chunks[start:]:
            head = Text(f"{clock(when)} {len(data):4d} B ", style="dim")
            if self.hex:
                for i, row in enumerate(hex_dump(data)):
                    out.write(head + Text(row) if i == 0 else Text(" " * len(head.plain) + row))
            else:
                out.write(head + Text(data.decode("latin-1").encode("unicode_escape").decode()))
