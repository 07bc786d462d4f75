"""`tendril export` and `tendril replay`: read the log database (docs/storage.md)."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from datetime import datetime
from functools import partial
from pathlib import Path

import click

from ..boards import board_of_class, load_board
from ..errors import StorageError, TendrilError
from ..store import Store, default_path, parse_time
from ..store.db import device_id_text, parse_device_id
from ..store.export import FORMATS, write_events, write_log, write_wide
from ..store.query import iso, iter_events, iter_samples, sessions

class _DeviceId(click.ParamType):
    name = "DEVICE_ID"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return parse_device_id(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DEVICE_ID = _DeviceId()
_DB_HELP = "Log database (default: $TENDRIL_DB, else tendril.db in the user data directory)."
_TIME_HELP = "ISO 8601 time (local unless it says) or relative: -90m, -1h, -7d."


def _open(db: str | None) -> Store:
    path = Path(db) if db is not None else default_path()
    if not path.is_file():
        raise StorageError(f"{path}: no such log database (log with `tendril log`, or name one"
                           " with --db)")
    return Store.open(path)


def _times(since: str | None, until: str | None) -> tuple[float | None, float | None]:
    return (parse_time(since) if since else None, parse_time(until) if until else None)


@click.command()
@click.option("--db", type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--channel", "channels", multiple=True,
              help="Channel name (from the logged recipe) or index; repeat for more. Default: all.")
@click.option("--since", help="Only rows at or after this time. " + _TIME_HELP)
@click.option("--until", help="Only rows before this time. " + _TIME_HELP)
@click.option("--device", type=DEVICE_ID, help="Only this device id (hex, as status and export write it).")
@click.option("--events", is_flag=True,
              help="Export the boards' events (pumps on and off, rules skipped, parameters set, "
                   "config changes, errors) instead of samples.")
@click.option("--wide", is_flag=True,
              help="One row per time with a column per channel (what a spreadsheet wants) instead of a row "
                   "per sample.")
@click.option("--daily", is_flag=True,
              help="A counting channel's rise per day (local days): litres a day from a flow meter's "
                   "total, mm a day from a rain gauge's. Needs --channel.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write here instead of stdout.")
def export(db, fmt, channels, since, until, device, events, wide, daily, output) -> None:
    """Export logged samples (or, with --events, events) as CSV or JSON lines, streamed row by row.

    Sample columns: time (host, UTC), device_id, boot, channel, name, device_ms, value (in the
    channel's unit; raw readings as logged), raw (1 for raw readings).

    With --wide: time, then a column per channel named by the channel (name@device_id when several
    boards log that name; its index when it has none); the samples of one frame share a row, an
    empty cell had no sample.

    Event columns: time, device_id, boot, device_ms, kind (ACT_ON, ACT_OFF, RULE_SKIP, MODE, PARAM,
    CONFIG, ERROR, SENSOR, GUARD), a, b, c, value (as the board sent them, docs/protocol.md) and text (the event
    in words, with the logged recipe's names when known).

    With --daily: day, device_id, channel, name, rise, samples: how much a total (a pulse
    counter's `total` channel) rose each day. A board's total starts at 0 at each boot or push, so
    a drop counts as a new start; the first sample is the baseline.
    """
    if daily and (events or wide or not channels):
        raise click.UsageError("--daily needs --channel (a total, e.g. flow_total) and goes with "
                               "neither --events nor --wide")
    if events and channels:
        raise click.UsageError("--channel selects samples: it does not go with --events")
    if events and wide:
        raise click.UsageError("--wide lays out samples: it does not go with --events")
    t0, t1 = _times(since, until)
    store = _open(db)
    try:
        if daily:
            from ..store.daily import daily_rises
            from ..store.export import write_daily

            # (iter_samples checks the channel names before the first row)
            rises = daily_rises(iter_samples(store.conn, channels=channels, since=t0, until=t1,
                                             device_id=device))
            what, emit = "days", partial(write_daily, rises, fmt=fmt)
        elif events:
            from ..words import event_text

            rows = iter_events(store.conn, since=t0, until=t1, device_id=device)
            what, emit = "events", partial(write_events, rows, fmt=fmt,
                                           describe=lambda e: event_text(e, e.recipe))
        else:
            writer = write_wide if wide else write_log
            what = "rows" if wide else "samples"
            emit = partial(writer, store.conn, fmt=fmt, channels=channels, since=t0, until=t1, device_id=device)
        binary = not events and not wide and not daily  # write_log writes UTF-8 bytes to a binary stream
        stdout = sys.stdout
        if binary and hasattr(stdout, "buffer"):
            stdout.flush()
            stdout = stdout.buffer
        if output:
            try:
                out = (open(output, "wb") if binary  # noqa: SIM115
                       else open(output, "w", encoding="utf-8", newline=""))  # noqa: SIM115
            except OSError as exc:
                raise TendrilError(f"cannot write {output}: {exc.strerror}") from exc
        with out if output else nullcontext(stdout) as target:
            n = emit(target) if not (events or daily) else emit(out=target)
        if output:
            click.echo(f"{n} {what} written to {output}", err=True)
    finally:
        store.close()


def _with_defaults(recipe, assignments: tuple[str, ...]):
    """RECIPE with each NAME=VALUE as its parameter's default, each checked against min..max."""
    from dataclasses import replace

    from .device import parse_assignment

    params = list(recipe.params)
    for assignment in assignments:
        key, index, value = parse_assignment(assignment, params)
        if index >= len(params):
            raise TendrilError(f"{key}: the recipe has {len(params)} parameter(s)")
        p = params[index]
        if not p.min <= value <= p.max:
            raise TendrilError(f"{key}: {assignment.partition('=')[2].strip()} is outside the recipe's "
                               f"range for it ({p.min}..{p.max} in thousandths, or ms)")
        params[index] = replace(p, default=value)
    return replace(recipe, params=tuple(params)) if assignments else recipe


def _board_for(store: Store, board: str | None, device: int | None):
    if board:
        return load_board(board)
    infos = sessions(store.conn, device)
    # boards that do not run tendril (plotter, Firmata) are skipped by replay: no class to compile for
    classes = {s.board_class for s in infos if s.source == "tendril"}
    if len(classes) != 1:
        raise TendrilError("the log holds boards of several classes (or none): name one with"
                           " --board and --device")
    cls = classes.pop()
    found = board_of_class(cls)
    if found is None:
        raise TendrilError(f"no board of class {cls}; name one with --board")
    return found


@click.command()
@click.argument("recipe_file", metavar="RECIPE", type=click.Path(dir_okay=False))
@click.option("--db", type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--device", type=DEVICE_ID, help="Only this device id (hex, as status and export write it).")
@click.option("--board", "-b", help="Board to compile for (default: the logged board's class).")
@click.option("--since", help="Replay from this time. " + _TIME_HELP)
@click.option("--until", help="Replay up to this time. " + _TIME_HELP)
@click.option("--step", "step_ms", type=click.IntRange(1, 60_000), default=100, show_default=True,
              help="Engine tick between logged samples, in ms.")
@click.option("--set", "assignments", multiple=True, metavar="NAME=VALUE",
              help="Replay with this parameter's default changed (in its unit: dry_threshold=\"30 %\", "
                   "pulse=\"6 s\"); repeat for more. The recipe file is not changed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with every run.")
def replay(recipe_file, db, device, board, since, until, step_ms, assignments, as_json) -> None:
    """Run logged sensor data through RECIPE and show when each actuator would have run.

    Try a change (a new threshold, hold time, pulse, cooldown) on last week's data before pushing
    it. Channels logged as calibrated values (the usual telemetry) are fed to RECIPE through an
    identity calibration, so the engine sees exactly the values the board saw: every rule setting
    replays exactly, but a change of calibration or smoothing in RECIPE has no effect. Channels
    logged raw (telemetry in raw mode) go through RECIPE's own calibration. Channels match by name
    when the logged recipe is known, else by index. Each boot replays from a fresh start.
    """
    from ..image import decode
    from ..recipes import compile_recipe, load
    from ..store.replay import replay as run_replay

    t0, t1 = _times(since, until)
    recipe = _with_defaults(load(recipe_file), assignments)
    store = _open(db)
    try:
        target = _board_for(store, board, device)
        image = decode(compile_recipe(recipe, target))
        result = run_replay(store.conn, image, recipe, device_id=device, since=t0, until=t1,
                            step_ms=step_ms)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({
            "recipe": recipe.meta.name, "board": target.name, "sessions": result.sessions,
            "samples": result.samples, "raw_channels": sorted(result.raw_channels),
            "runs": [{"actuator": r.actuator, "rule": r.rule, "start": iso(r.start),
                      "duration_s": round(r.duration_s, 3), "ended": r.ended,
                      "device_id": device_id_text(r.device_id), "session": r.session_id}
                     for r in result.runs],
            "logged": [{"actuator": r.actuator, "rule": r.rule, "start": iso(r.start),
                        "duration_s": round(r.duration_s, 3)} for r in result.logged],
            "totals_s": {name: {"replayed": round(a, 3), "logged": round(b, 3)}
                         for name, (a, b) in result.totals().items()}}, indent=2))
        return
    changed = f" with {', '.join(a.strip() for a in assignments)}" if assignments else ""
    click.echo(f"{recipe.meta.name}{changed} on {target.name}: {result.samples} logged values from "
               f"{result.sessions} boot(s)")
    if not result.runs:
        click.echo("no actuator would have run")
    for r in result.runs:
        when = datetime.fromtimestamp(r.start).strftime("%Y-%m-%d %H:%M:%S")
        tail = "" if r.ended else " (still on when the log ends)"
        click.echo(f"{when}  {r.actuator} for {r.duration_s:g} s by rule {r.rule}{tail}")
    click.echo("what the board really did (logged):" if result.logged else
               "what the board really did: no actuator run in the log's events")
    for r in result.logged:
        when = datetime.fromtimestamp(r.start).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{when}  {r.actuator} for {r.duration_s:g} s by rule {r.rule}")
    for name, (replayed, logged) in result.totals().items():
        click.echo(f"{name} total: {replayed:g} s replayed, {logged:g} s logged")
