"""The device commands through a running `tendril serve` (tendril.remote): the same words as when
they open the port themselves, without opening it (on an Uno that would reset the board, and two
programs on one port lose data). device.py asks ``through_serve()`` first."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import click

from ..contract import ActuatorStateBit
from ..errors import TendrilError
from ..mqtt.topics import ONLINE
from ..remote import ServeClient, find_target
from ..remote.client import ServeRefused

via_opt = click.option("--via", metavar="URL", envvar="TENDRIL_SERVE",
                       help="Send the command through the tendril serve on this broker "
                            "(mqtt://[user[:password]@]host[:port]; --port is then the board id). "
                            "Default: a serve on this machine that owns the port, if any.")


class Remote:
    """One command's connection to serve, for the board it owns."""

    def __init__(self, client: ServeClient, board: str, serve: str | None = None) -> None:
        self.client, self.board, self.serve = client, board, serve

    def call(self, command: str, body: dict | None = None) -> dict:
        return self.client.request(self.board, command, body, serve=self.serve)

    def recipe(self):
        """The recipe the board runs (names, units, the values it runs now), from serve's pull."""
        from ..recipes import parse
        return parse(self.call("pull")["recipe"], f"board {self.board}")


def through_serve(port: str, via: str | None) -> Remote | None:
    """A connection to the serve that owns ``port`` (or the board id), said on stderr; None when
    no serve owns it (the command opens the port as always)."""
    target = find_target(port, via)
    if target is None:
        return None
    if target.read_only:
        raise TendrilError(f"tendril serve on {target.name} owns {port} and is read-only: it takes "
                           "no commands (restart it without --read-only, or stop it)")
    client = ServeClient.connect(target.broker, prefix=target.prefix)
    board = target.board
    if board is None:
        online = client.online()
        if len(online) != 1:
            client.close()
            listed = ", ".join(online) or "none online"
            raise TendrilError(f"give the board id as --port; boards of that serve: {listed}")
        board = online[0]
    click.echo(f"through tendril serve on {target.name} (board {board})", err=True)
    known = client.boards()
    if known.get(board) != ONLINE:
        client.close()
        online = ", ".join(client.online()) or "none"
        if board not in known:
            raise TendrilError(f"tendril serve on {target.name} has no board {board}; "
                               f"boards online: {online}")
        raise TendrilError(f"board {board} is offline at tendril serve on {target.name} "
                           f"(unplugged, or its link lost); boards online: {online}")
    return Remote(client, board, target.serve)


def _thousandths(value) -> int | None:
    return None if value is None else int(Decimal(str(value)).scaleb(3))


def status(r: Remote, as_json: bool) -> None:
    from ..recipes.describe import status_words
    from ..words import actuator_state_text
    state = r.call("status")["state"]
    recipe = r.recipe()
    info = {"device_id": r.board, "firmware": state.get("firmware"),
            "safe_mode": state.get("safe_mode"), "paused": state.get("paused"),
            "recipe": state.get("recipe"), "values": state.get("channels"),
            "params": state.get("parameters"), "actuators": None}
    acts = state.get("actuators") or {}
    entries = []
    for a in recipe.actuators:
        e = acts.get(a.name) or {}
        bits = (ActuatorStateBit.ON if e.get("on") else 0) | (ActuatorStateBit.RESTING if e.get("resting") else 0) | \
            (ActuatorStateBit.LOCKED if e.get("locked") else 0)
        entries.append(SimpleNamespace(state=bits, ms_left=_thousandths(e.get("left_s")) or 0,
                                       today_on_ms=_thousandths(e.get("today_on_s")) or 0,
                                       by=e.get("by")))
    info["actuators"] = {
        a.name: actuator_state_text(bool(e.state & ActuatorStateBit.ON), owner=e.by or "",
                                    ms_left=e.ms_left, resting=bool(e.state & ActuatorStateBit.RESTING),
                                    locked=bool(e.state & ActuatorStateBit.LOCKED), style="line")
        for a, e in zip(recipe.actuators, entries)}
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    channels = state.get("channels") or {}
    values = {i: _thousandths(channels[c.name]) for i, c in enumerate(recipe.channels) if c.name in channels}
    params = state.get("parameters") or {}
    tuned = [_thousandths(params.get(p.name)) for p in recipe.params]
    if all(v is not None for v in tuned):
        words = status_words(recipe, values, entries, tuned)
        info.update(values=None, params=None, actuators=None)
        if words:
            info["now"] = words[0]
        if len(words) > 1:
            info["parameters"] = words[1]
    for key, value in info.items():
        if value is not None:
            click.echo(f"{key:>11}: {value}")


def push(r: Remote, recipe_file: str) -> None:
    from ..recipes import load
    new = load(Path(recipe_file))  # refuses a bad recipe here, before anything is sent
    answer = r.call("push", {"recipe": new.text or Path(recipe_file).read_text()})
    if answer.get("already_active"):
        click.echo("no changes: the board already runs this recipe")
        return
    changes = answer.get("changes") or []
    click.echo("changes:" if changes else "no changes to the recipe's content")
    for line in changes:
        click.echo(f"  {line}")
    click.echo(f"pushed {new.meta.name} through tendril serve, verified by read-back")


def pull(r: Remote, output: str | None) -> None:
    text = r.call("pull")["recipe"]
    if output:
        Path(output).write_text(text)
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


def set_param(r: Remote, assignment: str) -> None:
    from ..mqtt.state import units
    from .device import parse_assignment
    recipe = r.recipe()
    key, index, value = parse_assignment(assignment, list(recipe.params))
    if key.isdigit():
        raise TendrilError(f"{key}: through tendril serve, name the parameter "
                           f"({', '.join(p.name for p in recipe.params) or 'none'})")
    r.call("set", {"parameter": recipe.params[index].name, "value": units(value)})
    click.echo(f"{key} = {assignment.partition('=')[2].strip()} (stored as {value})")


def run(r: Remote, actuator: str, ms: int, level: int) -> None:
    from ..mqtt.state import units
    r.call("run", {"actuator": actuator, "for_s": units(ms), "level": level})
    click.echo(f"{actuator} on for {ms / 1000:g} s")


__all__ = ["via_opt", "through_serve", "Remote", "ServeRefused"]
