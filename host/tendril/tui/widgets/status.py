"""The status bar: port, baud, link state (reconnecting in plain sight), frames/s, errors."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...live import BoardView, LinkState

_STATE_STYLE = {LinkState.ONLINE: "bold green", LinkState.CONNECTING: "bold yellow",
                LinkState.RECONNECTING: "bold white on red", LinkState.STOPPED: "bold red"}


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


class KeyFooter(Footer):
    """The footer, rebuilt only when the keys it shows change. Textual's own rebuilds (removes
    and mounts every key) on each bindings signal: a view switch sends three (the view, the focus
    moving off a hidden table, the app), and each rebuild held up the next screen update."""

    _shown: tuple | None = None
    _pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True  # Footer.compose draws nothing until the first signal
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._pending:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        keys = tuple((b.key, b.action, b.description, enabled)
                     for _, b, enabled, _ in self.screen.active_bindings.values() if b.show)
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
