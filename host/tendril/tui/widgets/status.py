"""The status bar: port, baud, link state (reconnecting in plain sight), frames/s, errors."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from ...live import BoardView, LinkState

_STATE_STYLE = {LinkState.ONLINE: "bold green", LinkState.CONNECTING: "bold yellow",
                LinkState.RECONNECTING: "bold white on red", LinkState.STOPPED: "bold red",
                LinkState.OFFLINE: "bold white on red"}


def status_text(view: BoardView, logged: int | None = None, log_error: str = "") -> Text:
    h = view.health
    errors = h.get("crc_errors", 0) + h.get("resyncs", 0) + h.get("timeouts", 0)
    state = view.state.value.upper() if view.state != LinkState.ONLINE else "online"
    t = Text()
    t.append(f" {state} ", style=_STATE_STYLE.get(view.state, ""))
    if view.state in (LinkState.RECONNECTING, LinkState.CONNECTING) and view.error:
        t.append(f" {view.error[:60]}", style="red")
    t.append(f"  {view.port} @ {view.baud}")
    t.append(f"  {h.get('frames_per_s', 0):g} frames/s")
    t.append(f"  errors {errors}", style="bold red" if errors else "")
    if h.get("retries"):
        t.append(f"  retries {h['retries']}")
    if view.reconnects:
        t.append(f"  reconnects {view.reconnects}")
    if view.paused:
        t.append("  PAUSED", style="bold yellow")
    if view.safe_mode:
        t.append("  SAFE MODE", style="bold white on red")
    if logged is not None:
        t.append(f"  logged {logged}")
    if log_error:
        t.append(f"  LOG ERROR {log_error[:40]}", style="bold red")
    return t


class StatusBar(Static):
    """One line (its height is fixed in the CSS), redrawn only when its words change."""

    _shown: Text | None = None

    def show(self, view: BoardView, logged: int | None = None, log_error: str = "") -> None:
        self.set_class(view.state == LinkState.RECONNECTING, "-reconnecting")
        text = status_text(view, logged, log_error)
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)


class KeyFooter(Widget):
    """The keys that apply now, in one line drawn by one widget (a click on a key presses it;
    hovering shows what it does). Textual's Footer is a widget per key, removed and mounted again
    on every bindings signal (a view switch sends three): that was a second layout and full
    repaint after each switch. Here a changed set of keys is new words in one widget, painted
    after the next refresh, with no layout (its size is fixed)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer--key", "footer--description", "footer--edge"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .footer--edge { color: $foreground 20%; }
    }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._keys: tuple[_Key, ...] = ()
        self._spans: list[tuple[int, int, _Key]] = []  # cells x0..x1 of each key, for the mouse
        self._palette = False  # the last key is the command palette's, shown at the right
        self._pending = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._pending:  # several signals in a row: one look after the next refresh
            self._pending = True
            self.call_after_refresh(self._rebuild)

    def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        app, seen, keys = self.app, set(), []
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen:  # one key an action, as Footer does
                seen.add(binding.action)
                keys.append(_Key(binding.key, app.get_key_display(binding), binding.description,
                                 enabled, tooltip or binding.tooltip or binding.description))
        palette = None
        if app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, tooltip = found
                palette = _Key(binding.key, app.get_key_display(binding), binding.description,
                               enabled, binding.tooltip or binding.description)
        shown = (*keys, palette) if palette else tuple(keys)
        if shown != self._keys:
            self._keys = shown
            self._palette = palette is not None
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        key_style = self.get_component_rich_style("footer--key")
        words = self.get_component_rich_style("footer--description")
        text, spans = Text(no_wrap=True, overflow="crop"), []
        keys = list(self._keys)
        palette = keys.pop() if keys and self._palette else None

        def add(k: _Key) -> None:
            start = text.cell_len
            dim = Style(dim=True) if not k.enabled else Style()
            text.append(k.display, key_style + dim)
            if k.description:
                text.append(" " + k.description, words + dim)
            spans.append((start, text.cell_len, k))

        for k in keys:
            add(k)
            text.append(" ")
        if palette is not None:  # at the right edge, over the keys that do not fit (as Footer)
            tail = 1 + Text(palette.display + " " + palette.description).cell_len + 1
            text.truncate(max(0, width - tail), pad=True)
            spans[:] = [(x0, min(x1, width - tail), k) for x0, x1, k in spans if x0 < width - tail]
            text.append("▏", self.get_component_rich_style("footer--edge"))
            add(palette)
            text.append(" ")
        self._spans = spans
        return text

    def _key_at(self, x: int) -> _Key | None:
        return next((k for x0, x1, k in self._spans if x0 <= x < x1), None)

    def on_click(self, event: events.Click) -> None:
        key = self._key_at(event.x)
        if key is not None:
            if key.enabled:
                self.app.simulate_key(key.key)
            else:
                self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        self.tooltip = key.tooltip if key is not None else None


class _Key(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
