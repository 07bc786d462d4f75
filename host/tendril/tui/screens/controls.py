"""Ask for a lease (actuator, how long) and for a parameter's new value, with the limits shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ...live import ActuatorView, ParamView
from ...recipes.units import UnitError
from ...words import param_unit_text
from ..format import limits_text, param_value, parse_level, parse_param, parse_seconds


class RunScreen(ModalScreen[tuple[int, int, int] | None]):
    """Which actuator, for how long and (a PWM actuator) at what level; dismisses with
    (index, ms, level 1..255)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, actuators: Sequence[ActuatorView], selected: int = 0) -> None:
        super().__init__()
        self.actuators = {a.index: a for a in actuators}
        self.selected = selected if selected in self.actuators else next(iter(self.actuators))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Run an actuator (a lease: the board ends it itself)", classes="dialog-title")
            yield Select([(a.name, a.index) for a in self.actuators.values()], value=self.selected,
                         allow_blank=False, id="run-actuator")
            yield Static("", id="run-limits")
            yield Input(placeholder="seconds, or like 90 s / 2 min", id="run-seconds")
            yield Input(value="100", placeholder="level in %, 1 to 100", id="run-level")
            yield Label("", id="run-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Run…", variant="primary", id="run")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._limits()
        self.query_one("#run-seconds", Input).focus()

    @on(Select.Changed)
    def _limits(self) -> None:
        a = self.actuators[self.query_one(Select).value]
        self.query_one("#run-limits", Static).update("Safety limits on the board: " + limits_text(a))
        self.query_one("#run-level", Input).display = a.pwm  # a relay is on or off: no level

    @on(Input.Submitted)
    @on(Button.Pressed, "#run")
    def _run(self) -> None:
        a = self.actuators[self.query_one(Select).value]
        try:
            ms = parse_seconds(self.query_one("#run-seconds", Input).value)
            level = parse_level(self.query_one("#run-level", Input).value) if a.pwm else 255
        except UnitError as exc:
            self.query_one("#run-error", Label).update(str(exc))
            return
        self.dismiss((a.index, ms, level))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class TuneScreen(ModalScreen[tuple[int, int] | None]):
    """A parameter's new value in its unit, checked against min..max; dismisses (index, value)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, params: Sequence[ParamView], selected: int = 0) -> None:
        super().__init__()
        self.params = {p.index: p for p in params}
        self.selected = selected if selected in self.params else next(iter(self.params))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Tune a parameter", classes="dialog-title")
            yield Select([(p.name, p.index) for p in self.params.values()], value=self.selected,
                         allow_blank=False, id="tune-param")
            yield Static("", id="tune-range")
            yield Input(id="tune-value")
            yield Label("", id="tune-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Set", variant="primary", id="set")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._show()
        self.query_one(Input).focus()

    @on(Select.Changed)
    def _show(self) -> None:
        p = self.params[self.query_one(Select).value]
        unit = "seconds" if p.duration else (param_unit_text(p) or "a bare number")
        self.query_one("#tune-range", Static).update(
            f"now {param_value(p)}; allowed {param_value(p, p.min)} .. {param_value(p, p.max)}"
            f" (type a number in {unit})")
        box = self.query_one(Input)
        box.value = param_value(p).split(" ")[0]

    @on(Input.Submitted)
    @on(Button.Pressed, "#set")
    def _set(self) -> None:
        p = self.params[self.query_one(Select).value]
        try:
            value = parse_param(self.query_one(Input).value, p)
        except UnitError as exc:
            self.query_one("#tune-error", Label).update(str(exc))
            return
        self.dismiss((p.index, value))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
