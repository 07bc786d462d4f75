"""Commands that talk to a board over a session: status, push, pull, set, run, off, pause, resume;
through `tendril serve` instead (via_serve.py) while it owns the board."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click

from ..boards import board_of_class, load_board
from ..contract import OWNER_LEASE, ActuatorStateBit, HelloFlag, Unit
from ..errors import StorageError, TendrilError
from ..image import decode, recipe_hash
from ..protocol import (
    ClearSafeMode,
    Lease,
    Off,
    Pause,
    RequestStatus,
    Resume,
    SetParam,
    Status,
    Telemetry,
)
from ..recipes import compile_recipe, decompile, diff, load
from ..recipes.describe import param_format, status_words
from ..recipes.tuned import tuned_plan
from ..recipes.units import UnitError, duration_ms, quantity
from ..words import actuator_state_text
from ..session import Session, read_config, read_params
from ..store.db import device_id_text
from ..session import push as push_image
from . import via_serve
from .via_serve import through_serve, via_opt

port_opt = click.option("--port", "-p", required=True, help="Serial port (or by-id path) of the board.")
recipe_opt = click.option("--recipe", "recipe_path", type=click.Path(),
                          help="The recipe the board runs: names instead of numbers.")
board_opt = click.option("--board", "-b", help="Board file to use (default: from the board's HELLO).")
db_opt = click.option("--db", type=click.Path(dir_okay=False),
                      help="Log database that remembers the recipes pushed and logged, by hash "
                           "(default: $TENDRIL_DB, else tendril.db in the user data directory).")


def _session(port: str) -> Session:
    s = Session(port)
    s.open()
    return s


def _board(session: Session, name: str | None):
    if name:
        return load_board(name)
    found = board_of_class(session.hello.board_class)
    if found is None:
        raise TendrilError(f"unknown board class {session.hello.board_class}: give --board")
    return found


def _active(session: Session) -> bytes | None:
    if not session.hello.flags & HelloFlag.HAS_CONFIG:
        return None
    return read_config(session)


def _known(session: Session, board, db: str | None):
    """The recipe behind the board's active image, for its names and units, when no --recipe is
    given: found by hash in the log database's config history (what was pushed or logged for this
    board), then the shipped and installed recipes; None when the board has no config. An image
    no recipe matches comes back decompiled, with generic names."""
    from ..live.names import find_recipe
    from ..store.db import connect_ro, default_path
    from ..store.query import recipe_text

    image = _active(session)
    if image is None:
        return None
    path = Path(db) if db else default_path()
    conn = None
    try:
        if path.is_file():
            conn = connect_ro(path)
        device_id = session.hello.device_id
        logged = (lambda h: recipe_text(conn, device_id, h)) if conn is not None else None
        return find_recipe(image, board, logged=logged)
    except sqlite3.Error:  # an unreadable log must not stop the command: the catalog still names
        return find_recipe(image, board)
    finally:
        if conn is not None:
            conn.close()


def _remember(device_id: int, image: bytes, recipe, db: str | None) -> None:
    """Keep the pushed recipe in the log database's config history, so later commands name what
    the board runs without --recipe. A log that cannot be written is a warning, not a failure."""
    from ..store import Store
    try:
        store = Store.open(db)
        try:
            store.record_config(device_id, image, "pushed", recipe_text=recipe.text or None)
        finally:
            store.close()
    except (StorageError, OSError) as exc:
        click.echo(f"tendril: warning: the push is done but was not remembered: {exc}", err=True)


def _index(names: list[str], what: str, key: str) -> int:
    if key.isdigit():
        return int(key)
    if key in names:
        return names.index(key)
    known = ", ".join(names) or "none (give --recipe, or a number)"
    raise TendrilError(f"no {what} named {key!r}; the recipe has: {known}")


def parse_assignment(assignment: str, params: list) -> tuple[str, int, int]:
    """NAME=VALUE in the parameter's unit ("dry_threshold=40 %", "pulse=6 s"), or INDEX=VALUE in
    thousandths, to (name, index, value as the board keeps it)."""
    key, sep, text = assignment.partition("=")
    key = key.strip()
    if not sep:
        raise TendrilError(f"{assignment!r}: write NAME=VALUE, like threshold=\"40 %\"")
    index = _index([p.name for p in params], "parameter", key)
    try:
        if not key.isdigit() and index < len(params):
            p = params[index]
            value = duration_ms(text) if p.duration else quantity(text, p.unit or Unit.NONE)
        else:
            value = int(text)
    except (UnitError, ValueError) as exc:
        raise TendrilError(f"{key}: {exc}") from None
    if not key.isdigit() and not params[index].min <= value <= params[index].max:
        p = params[index]
        shown = param_format(p)
        raise TendrilError(f"{key}: {shown(value)} is outside {shown(p.min)} .. {shown(p.max)}")
    return key, index, value


def _actuator_state(entry) -> str:
    on = bool(entry.state & ActuatorStateBit.ON)
    by = "lease" if entry.owner == OWNER_LEASE else f"rule {entry.owner}"
    return actuator_state_text(on, owner=by, ms_left=entry.ms_left,
                               resting=bool(entry.state & ActuatorStateBit.RESTING),
                               locked=bool(entry.state & ActuatorStateBit.LOCKED), style="line")


@click.command()
@port_opt
@recipe_opt
@board_opt
@db_opt
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@via_opt
def status(port: str, recipe_path: str | None, board: str | None, db: str | None,
           as_json: bool, via: str | None) -> None:
    """Who the board is, its recipe, and its live values once (through `tendril serve` when it
    owns the board)."""
    remote = through_serve(port, via)
    if remote is not None:
        with remote.client:
            return via_serve.status(remote, as_json)
    with _session(port) as s:
        h = s.hello
        info = {"port": s.port, "board": _board(s, board).name, "firmware": h.text,
                "version": f"{h.fw_major}.{h.fw_minor}.{h.fw_patch}", "device_id": device_id_text(h.device_id),
                "boot": h.boot_count, "safe_mode": bool(h.flags & HelloFlag.SAFE_MODE),
                "paused": bool(h.flags & HelloFlag.PAUSED), "recipe_hash": h.recipe_hash.hex(),
                "generation": h.config_generation, "recipe": None, "image_name": None, "values": None, "params": None,
                "actuators": None}
        image = _active(s)
        recipe = load(Path(recipe_path)) if recipe_path else None
        words: list[str] = []
        if image is not None:
            info["recipe"] = info["image_name"] = decode(image).name
            # Names by index only from the recipe the board really runs.
            if recipe and recipe_hash(compile_recipe(recipe, _board(s, board))) != h.recipe_hash:
                recipe = None
            recipe = recipe or _known(s, _board(s, board), db)
            if recipe:
                info["recipe"] = recipe.meta.name
            names = [c.name for c in recipe.channels] if recipe else []
            tele = s.wait_for(lambda m: isinstance(m, Telemetry), timeout=3.0)
            if tele is not None:
                info["values"] = {(names[n] if n < len(names) else str(n)): None if v is None else v / 1000
                                  for n, v in enumerate(tele.values, tele.first_channel)}
            info["params"] = read_params(s)
            acts = s.call(RequestStatus(0, 0), "STATUS", expect=Status)
            if recipe:
                words = status_words(recipe, dict(enumerate(tele.values, tele.first_channel)) if tele else {},
                                     list(acts.entries), info["params"])
            act_names = [a.name for a in recipe.actuators] if recipe else []
            info["actuators"] = {
                (act_names[n] if n < len(act_names) else str(n)): _actuator_state(e)
                for n, e in enumerate(acts.entries, acts.first)}
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    if words:  # in words, as the demo says it; --json keeps the numbers
        info.update(values=None, params=None, actuators=None)
        info["now"] = words[0]
        if len(words) > 1:
            info["parameters"] = words[1]
    for key, value in info.items():
        if value is not None:
            click.echo(f"{key:>11}: {value}")


@click.command("push")
@click.argument("recipe_file", type=click.Path())
@port_opt
@board_opt
@recipe_opt
@db_opt
@click.option("--reset-tuned", is_flag=True,
              help="Use the recipe's parameter values; by default values tuned on the board "
                   "(tendril set) are set again after the push.")
@via_opt
def push_cmd(recipe_file: str, port: str, board: str | None, recipe_path: str | None,
             db: str | None, reset_tuned: bool, via: str | None) -> None:
    """Validate, compile, push, read back and verify a recipe; shows what changed.

    Parameters tuned on the board with `tendril set` are kept (set again by name after the push,
    when the new recipe still has them and they lie in its range) unless --reset-tuned."""
    remote = through_serve(port, via)
    if remote is not None:
        if reset_tuned:
            remote.client.close()
            raise TendrilError("--reset-tuned: not through tendril serve (it keeps tuned values)")
        with remote.client:
            return via_serve.push(remote, recipe_file)
    new = load(Path(recipe_file))
    keep: list[tuple[int, int]] = []
    with _session(port) as s:
        b = _board(s, board)
        image = compile_recipe(new, b)  # refuses a bad recipe before a byte is sent
        active = _active(s)
        if active is not None and recipe_hash(active) == recipe_hash(image):
            click.echo("no changes: the board already runs this recipe")
        elif active is not None:
            # Without --recipe the device's image is decompiled with the new recipe as the naming
            # hint (records are matched by index), so the diff is about values, not names.
            old = load(Path(recipe_path)) if recipe_path else load(decompile(active, b, new))
            changes = diff(old, new, b)
            click.echo("changes:" if changes else "no changes to the recipe's content")
            for line in changes:
                click.echo(f"  {line}")
            keep, lines = tuned_plan(old, active, read_params(s), new, keep_tuned=not reset_tuned)
            if lines:
                click.echo("tuned on the board:")
                for line in lines:
                    click.echo(f"  {line}")
        result = push_image(s, image)
        _remember(result.after.device_id, result.image, new, db)
        if not result.already_active:
            for index, value in keep:
                s.call(SetParam(index, value), f"setting parameter {new.params[index].name} again")
    if result.already_active:
        click.echo(f"already active on the board (generation {result.after.config_generation})")
    else:
        click.echo(f"pushed {new.meta.name}: {len(image)} bytes, generation "
                   f"{result.after.config_generation}, verified by read-back"
                   + (f"; {len(keep)} tuned value{'s' if len(keep) != 1 else ''} set again" if keep else ""))


@click.command()
@port_opt
@board_opt
@recipe_opt
@click.option("-o", "--output", type=click.Path(), help="Write the TOML here (default: stdout).")
@db_opt
@via_opt
def pull(port: str, board: str | None, recipe_path: str | None, output: str | None,
         db: str | None, via: str | None) -> None:
    """The board's active config as recipe TOML, with the values it runs now (tuned ones too) as
    the parameters' defaults."""
    remote = through_serve(port, via)
    if remote is not None:
        with remote.client:
            return via_serve.pull(remote, output)
    with _session(port) as s:
        image = _active(s)
        if image is None:
            raise TendrilError(f"{port}: the board has no recipe")
        b = _board(s, board)
        text = decompile(image, b, load(Path(recipe_path)) if recipe_path else _known(s, b, db),
                         read_params(s))
    if output:
        Path(output).write_text(text)
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@click.command("set")
@click.argument("assignment")
@port_opt
@recipe_opt
@board_opt
@db_opt
@via_opt
def set_cmd(assignment: str, port: str, recipe_path: str | None, board: str | None,
            db: str | None, via: str | None) -> None:
    """Tune a parameter: NAME=VALUE ("threshold=40 %") or INDEX=VALUE in thousandths.

    Names and units come from --recipe, else from the recipe the host knows the board runs."""
    remote = through_serve(port, via)
    if remote is not None:
        with remote.client:
            return via_serve.set_param(remote, assignment)
    text = assignment.partition("=")[2]
    with _session(port) as s:
        recipe = load(Path(recipe_path)) if recipe_path else _known(s, _board(s, board), db)
        key, index, value = parse_assignment(assignment, list(recipe.params) if recipe else [])
        ack = s.call(SetParam(index, value), f"setting parameter {key.strip()}")
    click.echo(f"{key.strip()} = {text.strip()} (stored as {ack.value})")


@click.command()
@click.argument("actuator")
@port_opt
@recipe_opt
@click.option("--for", "duration", required=True, help='How long, like "5 s"; the board ends it itself.')
@click.option("--level", type=click.IntRange(1, 255), default=255, show_default=True,
              help="PWM duty 1..255; for a servo its position in degrees (the board keeps it in its limits)")
@board_opt
@db_opt
@via_opt
def run(actuator: str, port: str, recipe_path: str | None, duration: str, level: int,
        board: str | None, db: str | None, via: str | None) -> None:
    """Run an actuator for a while (a lease: it stops on its own)."""
    try:
        ms = duration_ms(duration, exact=False)
    except UnitError as exc:
        raise TendrilError(f"--for: {exc}") from None
    remote = through_serve(port, via)
    if remote is not None:
        with remote.client:
            return via_serve.run(remote, actuator, ms, level)
    with _session(port) as s:
        recipe = load(Path(recipe_path)) if recipe_path else _known(s, _board(s, board), db)
        index = _index([a.name for a in recipe.actuators] if recipe else [], "actuator", actuator)
        ack = s.call(Lease(index, ms, level), f"running {actuator}")
    click.echo(f"{actuator} on for {ack.value / 1000:g} s")


@click.command()
@click.argument("actuator")
@port_opt
@recipe_opt
@board_opt
@db_opt
@via_opt
def off(actuator: str, port: str, recipe_path: str | None, board: str | None, db: str | None,
        via: str | None) -> None:
    """Switch an actuator off now (a rule may switch it on again later)."""
    remote = through_serve(port, via)
    if remote is not None:
        with remote.client:
            remote.call("off", {"actuator": actuator})
    else:
        with _session(port) as s:
            recipe = load(Path(recipe_path)) if recipe_path else _known(s, _board(s, board), db)
            index = _index([a.name for a in recipe.actuators] if recipe else [], "actuator", actuator)
            s.call(Off(index), f"switching {actuator} off")
    click.echo(f"{actuator} off")


@click.command()
@port_opt
@via_opt
def pause(port: str, via: str | None) -> None:
    """Pause the board's automation (leases still work) until `tendril resume`: a reset or a
    config push keeps it paused (the firmware keeps it in EEPROM or in its boot record)."""
    _mode(port, via, "pause", Pause(), "PAUSE")
    click.echo("automation paused until `tendril resume` (a reset keeps it paused)")


@click.command()
@port_opt
@via_opt
def resume(port: str, via: str | None) -> None:
    """Resume the board's automation."""
    _mode(port, via, "resume", Resume(), "RESUME")
    click.echo("automation resumed")


@click.command("clear-safe-mode")
@port_opt
@via_opt
def clear_safe_mode(port: str, via: str | None) -> None:
    """Take the board out of safe mode (its rules run again); what stopped it stays in the log."""
    _mode(port, via, "clear_safe_mode", ClearSafeMode(), "CLEAR_SAFE_MODE")
    click.echo("safe mode cleared")


def _mode(port: str, via: str | None, command: str, msg, what: str) -> None:
    """A command with no arguments: serve's MQTT ``command`` while serve owns the board, else
    ``msg`` on the port."""
    remote = through_serve(port, via)
    if remote is not None:
        with remote.client:
            remote.call(command)
    else:
        with _session(port) as s:
            s.call(msg, what)


COMMANDS = (status, push_cmd, pull, set_cmd, run, off, pause, resume, clear_safe_mode)
__all__ = ["COMMANDS"]
