"""A command received over MQTT, checked against the board's recipe before it reaches the board.

``parse(recipe, command, payload)`` gives the request the host sends (protocol.requests: Lease,
Off, Pause, Resume, SetParam) or one serve carries out itself (RunTime, PushRecipe, Pull,
StatusRequest, ScanBuses), and raises CommandRefused with one line (the reply on the response
topic) for anything else. The board's own limits (max_on, min_off, daily cap, ceilings) still bind there; this only refuses early. Pure.

Payloads (JSON objects; an optional "id", a string or integer, is echoed in the reply):

    run       {"actuator": "pump", "for_s": 5, "level": 255}   for_s: default the run time
    off       {"actuator": "pump"}
    switch    {"actuator": "pump", "state": "ON"}              ON: run for the run time; OFF: off
    run_time  {"actuator": "pump", "for_s": 8}                 what switch ON and a bare run use
    pause     {}            resume   {}
    clear_safe_mode {}
    set       {"parameter": "dry_threshold", "value": 40}      in the parameter's unit (s for times)
    push      {"recipe": "<recipe TOML text>"}
    pull      {}            the reply carries the recipe the board runs as "recipe" (TOML text)
    status    {}            the reply carries the board's state payload as "state"
    scan      {"pins": ["D3"], "bus": "i2c"}  both optional; the reply: "searched", "buses", "i2c", "snippet" (docs/fleet.md)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from ..contract import DUR_MAX_MS, VALUE_LIMIT
from ..errors import TendrilError
from ..protocol.requests import ClearSafeMode, Lease, Off, Pause, Resume, SetParam
from ..recipes.model import Recipe
from .state import units
from .topics import COMMANDS

MAX_COMMAND_BYTES = 4096  # any command but push; far above the longest real one (~100 bytes)
MAX_PUSH_BYTES = 65_536  # a push carries a recipe: the recipe reader's own file cap
_ID_MAX = 64
_SCAN_PINS = 32  # more pin names than any board has


class CommandRefused(TendrilError):
    """A command refused before it reached a board; str() is the one-line reason."""

    def __init__(self, reason: str, request_id: str | int | None = None) -> None:
        self.reason = reason
        self.request_id = request_id
        super().__init__(reason)


@dataclass(frozen=True)
class RunTime:
    """How long "switch ON" (or a run without for_s) runs ``actuator``; serve keeps it."""

    actuator: int
    name: str
    ms: int


@dataclass(frozen=True)
class PushRecipe:
    """A new recipe for the board, parsed and compiled for it."""

    recipe: Recipe
    image: bytes


@dataclass(frozen=True)
class Pull:
    """The recipe the board runs, as TOML, in the reply."""


@dataclass(frozen=True)
class StatusRequest:
    """The board's state payload (state.BoardState) in the reply; serve answers it itself."""


@dataclass(frozen=True)
class ScanBuses:
    """A 1-Wire search of ``pins`` (board pin names; none: the default list, as `tendril sensors
    scan` has it) and the I2C bus's scan (``bus``: "i2c" or "onewire" alone; "": both, as the CLI
    has it); serve runs it on the board's link and replies with what it found."""

    pins: tuple[str, ...] = ()
    bus: str = ""


@dataclass(frozen=True)
class Command:
    """A command that passed: what to do and the id to answer with."""

    name: str
    request: object
    request_id: str | int | None = None


_KEYS = {
    "run": ({"actuator"}, {"for_s", "level"}),
    "off": ({"actuator"}, set()),
    "switch": ({"actuator", "state"}, set()),
    "run_time": ({"actuator", "for_s"}, set()),
    "pause": (set(), set()),
    "resume": (set(), set()),
    "clear_safe_mode": (set(), set()),
    "set": ({"parameter", "value"}, set()),
    "push": ({"recipe"}, set()),
    "pull": (set(), set()),
    "status": (set(), set()),
    "scan": (set(), {"pins", "bus"}),
}
assert set(_KEYS) == set(COMMANDS)


def reply(command: str, request_id=None, error: str | None = None, **extra) -> str:
    """The JSON answer on the response topic: ok, or the one-line reason; ``extra`` keys (a pull's
    "recipe", a status's "state", the board) go in as they are."""
    body = {"command": command, "ok": error is None}
    if request_id is not None:
        body["id"] = request_id
    if error is not None:
        body["error"] = error
    body.update(extra)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def request_id_of(payload: bytes | str):
    """The "id" of a payload, if it has a good one: for refusals made before ``parse`` (an
    unknown or offline board) so the reply still carries it."""
    raw = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else bytes(payload)
    if len(raw) > MAX_PUSH_BYTES:
        return None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    rid = body.get("id") if isinstance(body, dict) else None
    return rid if rid is not None and _good_id(rid) else None


def parse(recipe: Recipe, command: str, payload: bytes | str, *, board=None,
          run_times: dict[str, int] | None = None) -> Command:
    """Check ``payload`` for ``command`` against ``recipe``. ``board`` (a boards.Board) is needed to
    compile a pushed recipe; ``run_times``: actuator name -> ms a bare run lasts (default max_on)."""
    if command not in _KEYS:
        raise CommandRefused(f"{command[:40]}: no such command; commands: {', '.join(COMMANDS)}")
    raw = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else bytes(payload)
    most = MAX_PUSH_BYTES if command == "push" else MAX_COMMAND_BYTES
    if len(raw) > most:
        raise CommandRefused(f"{command}: payload of {len(raw)} bytes, at most {most}")
    body = _json(command, raw)
    request_id = body.pop("id", None)
    if request_id is not None and not _good_id(request_id):
        raise CommandRefused(f"{command}: id must be a string of at most {_ID_MAX} characters "
                             "or an integer")
    try:
        return Command(command, _request(recipe, command, body, board, run_times or {}), request_id)
    except CommandRefused as exc:
        raise CommandRefused(exc.reason, request_id) from None


_JSON_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "true or false", type(None): "null"}


def _good_id(value) -> bool:
    if isinstance(value, str):
        return len(value) <= _ID_MAX
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53


def _json(command: str, raw: bytes) -> dict:
    if not raw.strip():
        if command in ("pause", "resume", "clear_safe_mode", "pull", "status", "scan"):
            return {}
        raise CommandRefused(f"{command}: empty payload; expected a JSON object")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except CommandRefused as exc:
        raise CommandRefused(f"{command}: {exc.reason}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CommandRefused(f"{command}: not valid JSON") from None
    if not isinstance(body, dict):
        raise CommandRefused(f"{command}: expected a JSON object, got {_JSON_NAMES[type(body)]}")
    required, optional = _KEYS[command]
    extra = sorted(set(body) - required - optional - {"id"})
    if extra:
        keys = ", ".join(sorted(required | optional)) or "none"
        raise CommandRefused(f"{command}: unknown key {extra[0]!r}; keys: {keys}")
    missing = sorted(required - set(body))
    if missing:
        raise CommandRefused(f"{command}: missing {missing[0]!r}")
    return body


def _no_constant(name: str):
    raise CommandRefused(f"{name} is not a number")


def _request(recipe: Recipe, command: str, body: dict, board, run_times: dict[str, int]):
    if command == "pause":
        return Pause()
    if command == "resume":
        return Resume()
    if command == "clear_safe_mode":
        return ClearSafeMode()
    if command == "pull":
        return Pull()
    if command == "status":
        return StatusRequest()
    if command == "scan":
        return _scan(body)
    if command == "set":
        return _set(recipe, body)
    if command == "push":
        return _push(body, board)
    index, act = _actuator(recipe, command, body["actuator"])
    if command == "off":
        return Off(index)
    if command == "run_time":
        return RunTime(index, act.name, _duration(command, act, body["for_s"]))
    default = run_times.get(act.name, act.run_limit_ms)
    if command == "switch":
        state = body["state"]
        if state not in ("ON", "OFF"):
            raise CommandRefused(f"switch: state must be \"ON\" or \"OFF\", not {_show(state)}")
        return Lease(index, default, 255) if state == "ON" else Off(index)
    ms = _duration(command, act, body["for_s"]) if "for_s" in body else default
    level = body.get("level", 255)
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 255:
        raise CommandRefused(f"run: level must be a whole number from 1 to 255, not {_show(level)}")
    if not act.pwm and not act.servo and level != 255:
        raise CommandRefused(f"run: {act.name} is a relay (on or off); a level needs a PWM actuator or a servo")
    return Lease(index, ms, level)


def _actuator(recipe: Recipe, command: str, name):
    found = recipe.actuator(name) if isinstance(name, str) else None
    if found is None:
        names = ", ".join(a.name for a in recipe.actuators) or "none"
        raise CommandRefused(f"{command}: no actuator {_show(name)} on this board; actuators: {names}")
    return found


def _thousandths(command: str, what: str, value) -> int:
    """A JSON number in units -> integer thousandths, refusing what is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CommandRefused(f"{command}: {what} must be a number, not {_show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise CommandRefused(f"{command}: {what} must be a finite number")
    if abs(value) > 10 * VALUE_LIMIT:
        raise CommandRefused(f"{command}: {what} {_show(value)} is far out of range")
    try:
        return int((Decimal(value) * 1000).to_integral_value(ROUND_HALF_EVEN))
    except InvalidOperation:
        raise CommandRefused(f"{command}: {what} must be a number, not {_show(value)}") from None


def _duration(command: str, act, value) -> int:
    ms = _thousandths(command, "for_s", value)
    most = min(act.run_limit_ms, DUR_MAX_MS)
    if not 1 <= ms <= most:
        raise CommandRefused(f"{command}: {act.name} runs from 0.001 s to {units(most)} s at a time "
                             f"(max_on), not {_show(value)} s")
    return ms


def _scan(body: dict) -> ScanBuses:
    pins = body.get("pins", [])
    if not isinstance(pins, list) or len(pins) > _SCAN_PINS or not all(
            isinstance(p, str) and 0 < len(p) <= 16 for p in pins):
        raise CommandRefused(f"scan: pins must be a list of at most {_SCAN_PINS} pin names, "
                             f"not {_show(pins)}")
    bus = body.get("bus", "")
    if bus not in ("", "i2c", "onewire"):
        raise CommandRefused(f"scan: bus must be \"i2c\" or \"onewire\", not {_show(bus)}")
    return ScanBuses(tuple(pins), bus)


def _set(recipe: Recipe, body: dict) -> SetParam:
    name = body["parameter"]
    found = recipe.param(name) if isinstance(name, str) else None
    if found is None:
        names = ", ".join(p.name for p in recipe.params) or "none"
        raise CommandRefused(f"set: no parameter {_show(name)} on this board; parameters: {names}")
    index, p = found
    value = _thousandths("set", p.name, body["value"])
    lo, hi = max(p.min, -VALUE_LIMIT), min(p.max, VALUE_LIMIT)
    if not lo <= value <= hi:
        raise CommandRefused(f"set: {p.name} goes from {units(lo)} to {units(hi)}, "
                             f"not {_show(body['value'])}")
    return SetParam(index, value)


def _push(body: dict, board) -> PushRecipe:
    text = body["recipe"]
    if not isinstance(text, str):
        raise CommandRefused("push: recipe must be the recipe's TOML text")
    if board is None:
        raise CommandRefused("push: this board's type is not known yet; "
                             "try again once it has said hello")
    from ..recipes import RecipeError, compile_recipe, parse as parse_recipe
    try:
        recipe = parse_recipe(text, "pushed recipe")
        image = compile_recipe(recipe, board)
    except RecipeError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "the recipe does not compile"
        raise CommandRefused(f"push: {first}") from None
    return PushRecipe(recipe, image)


def _show(value) -> str:
    finite = not isinstance(value, float) or math.isfinite(value)
    text = json.dumps(value, ensure_ascii=True) if finite else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
