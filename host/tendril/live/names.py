"""Names for what a board runs: the recipe behind its active image, and events in words.

The image holds no names, so the recipe is found by hash: the one the caller gives, then the
newest recipe text the log database kept for that image, then the shipped and installed recipes
compiled for the board; failing all, the image decompiled with generic names."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..boards import Board, boards_dir
from ..errors import TendrilError
from ..contract import (
    NO_INDEX,
    STALE_SAMPLES,
    ConfigOutcome,
    ErrorCode,
    EventKind,
    ModeChange,
    OffReason,
    SensorFault,
    SkipReason,
    Unit,
)
from ..image import recipe_hash
from ..recipes import Recipe, RecipeError, compile_recipe, decompile, load, parse
from ..recipes.decompile import fmt_unit
from ..recipes.describe import param_format


def candidate_files() -> list[Path]:
    """The shipped catalog (boards/recipes) and the user's installed recipes."""
    from ..recipes.install import default_folder
    files = sorted((boards_dir() / "recipes").glob("*.toml"))
    try:
        files += sorted(default_folder().glob("*.toml"))
    except OSError:
        pass
    return files


def find_recipe(image: bytes, board: Board, *, given: Iterable[Recipe] = (),
                logged: Callable[[bytes], str | None] | None = None) -> Recipe:
    """The recipe whose compiled image has ``image``'s hash, else ``image`` decompiled.
    ``logged(hash)``: the recipe text a log kept for that image on this board (Sink.recipe_text)."""
    want = recipe_hash(image)

    def matches(recipe: Recipe) -> bool:
        try:
            return recipe_hash(compile_recipe(recipe, board)) == want
        except RecipeError:
            return False

    for recipe in given:
        if matches(recipe):
            return recipe
    if logged is not None:
        text = logged(want)
        if text is not None:
            try:
                recipe = parse(text, "logged recipe")
                if matches(recipe):
                    return recipe
            except RecipeError:
                pass
    for path in candidate_files():
        try:
            recipe = load(path)
        except TendrilError:  # a broken user file must not stop the board being shown
            continue
        if board.name in recipe.meta.boards or not recipe.meta.boards:
            if matches(recipe):
                return recipe
    return load(decompile(image, board))


def unit_text(unit: Unit | None) -> str:
    return fmt_unit(unit) if unit not in (None, Unit.NONE) else ""


_OFF = {
    OffReason.RULE_DONE: "rule done",
    OffReason.CONDITION_CLEARED: "condition cleared",
    OffReason.LEASE_END: "lease ended",
    OffReason.MANUAL_OFF: "switched off by hand",
    OffReason.MAX_ON: "max_on safety limit",
    OffReason.DAILY_CAP: "daily cap reached",
    OffReason.INTERLOCK: "interlock",
    OffReason.PAUSED: "automation paused",
    OffReason.RECONFIG: "new config",
    OffReason.SAFE_MODE: "safe mode",
    OffReason.NO_READING: "a sensor it needs has no reading",
}
_SKIP = {
    SkipReason.INTERLOCK: "interlock holds it",
    SkipReason.LEASED: "the actuator is on a lease",
    SkipReason.DAILY_CAP: "daily cap used up",
    SkipReason.MIN_OFF: "the actuator is resting (min_off)",
    SkipReason.NO_READING: "its interlock sensor has no reading",
}
_FAULT = {
    SensorFault.NO_ANSWER: "no answer from the sensor",
    SensorFault.CRC: "garbled reading (CRC error)",
    SensorFault.OUT_OF_RANGE: "reading out of the sensor's range",
    SensorFault.POWER_ON_VALUE: "the sensor gave its power-on value, not a reading",
    SensorFault.STALE: f"no new reading for {STALE_SAMPLES} samples",
}
_MODE = {
    ModeChange.PAUSED: "automation paused",
    ModeChange.RESUMED: "automation resumed",
    ModeChange.SAFE_MODE_ENTERED: "SAFE MODE entered: automation off, actuators safe",
    ModeChange.SAFE_MODE_CLEARED: "safe mode cleared",
}


def _name(names: list[str], index: int, what: str) -> str:
    return names[index] if 0 <= index < len(names) else f"{what} {index}"


def event_text(event, recipe: Recipe | None) -> str:
    """One EVENT in words, with the recipe's names when known."""
    acts = [a.name for a in recipe.actuators] if recipe else []
    rules = [r.name for r in recipe.rules] if recipe else []
    params = [p.name for p in recipe.params] if recipe else []
    kind = event.kind
    if kind == EventKind.ACT_ON:
        by = "lease" if event.c == NO_INDEX else f"rule {_name(rules, event.c, 'rule')}"
        return f"{_name(acts, event.a, 'actuator')} ON ({by})"
    if kind == EventKind.ACT_OFF:
        why = _OFF.get(event.b, f"reason {event.b}")
        return f"{_name(acts, event.a, 'actuator')} OFF after {event.value / 1000:g} s: {why}"
    if kind == EventKind.RULE_SKIP:
        return f"rule {_name(rules, event.a, 'rule')} skipped: {_SKIP.get(event.b, event.b)}"
    if kind == EventKind.MODE:
        return _MODE.get(event.b, f"mode change {event.b}")
    if kind == EventKind.PARAM:
        if recipe and 0 <= event.a < len(recipe.params):  # in the parameter's unit: "36 %", "6 s"
            p = recipe.params[event.a]
            return f"{p.name} set to {param_format(p)(event.value)}"
        return f"parameter {_name(params, event.a, 'parameter')} set to {event.value / 1000:g}"
    if kind == EventKind.CONFIG:
        if event.b == ConfigOutcome.APPLIED:
            return f"new config applied (generation {event.value})"
        if event.b == ConfigOutcome.REJECTED:
            return f"config refused (detail {event.value}); the old one keeps running"
        return "config cleared: no automation"
    if kind == EventKind.SENSOR:
        chans = [c.name for c in recipe.channels] if recipe else []
        name = _name(chans, event.a, "channel")
        if event.b == SensorFault.RECOVERED:
            return f"{name}: reading again"
        return f"{name}: {_FAULT.get(event.b, f'sensor fault {event.b}')}"
    if kind == EventKind.ERROR:
        what = ErrorCode(event.b).name if event.b in ErrorCode._value2member_map_ else event.b
        return f"device error {what} (detail {event.value})"
    return f"event {kind} ({event.a}, {event.b}, {event.c}, {event.value})"
