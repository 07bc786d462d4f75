"""`tendril image`: check and show compiled config images (docs/config-image.md)."""

from __future__ import annotations

from pathlib import Path

import click

from ..boards import load_board
from ..contract import (
    CHANNEL_FROM_SENSOR,
    NO_INDEX,
    UNIT_SYMBOLS,
    ChannelKind,
    Operand,
    RuleAction,
    RuleKind,
    SensorKind,
)
from ..errors import ImageRefused, TendrilError
from ..image import decode, fmt_ms, validate


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TendrilError(f"cannot read {path}: {exc.strerror}") from exc


@click.group()
def image() -> None:
    """Check and show compiled config images."""


@image.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--board", "-b", required=True, help="Board to check against (see `tendril boards`).")
def check(files: tuple[str, ...], board: str) -> None:
    """Validate config images exactly as a board would before running them."""
    target = load_board(board)
    failed = 0
    for path in files:
        try:
            validate(_read(path), target)
        except ImageRefused as exc:
            click.echo(f"{path}: refused by {board}: {exc}", err=True)
            failed += 1
        else:
            click.echo(f"{path}: ok for {board}")
    if failed:
        raise SystemExit(1)


@image.command("show")
@click.argument("file", type=click.Path())
def show(file: str) -> None:
    """Print what a config image holds, field by field."""
    img = decode(_read(file))
    click.echo(f"{img.name!r} for board class {int(img.board_class)}, generation {img.generation}, "
               f"recipe hash {img.recipe_hash.hex()}, telemetry every {fmt_ms(img.telemetry_ms)}")
    for i, p in enumerate(img.params):
        click.echo(f"  param {i}: {p.default} (min {p.min}, max {p.max})")
    for i, sn in enumerate(img.sensors):
        kind = SensorKind(sn.kind).name.lower() if sn.kind in SensorKind._value2member_map_ else f"kind {sn.kind}"
        pins = f"pins {sn.pin}, {sn.pin2}" if sn.pin2 != NO_INDEX else f"pin {sn.pin}"
        rom = f", ROM {sn.rom.hex()}" if any(sn.rom) else ""
        click.echo(f"  sensor {i}: {kind} on {pins} every {fmt_ms(sn.period_ms)}, options "
                   f"{bytes(sn.options).hex()}{rom}")
    for i, c in enumerate(img.channels):
        unit = UNIT_SYMBOLS.get(c.unit, "?")
        # a sensor's channel (kind CHANNEL_FROM_SENSOR) reads no pin: its pin byte is the sensor's index
        source = (f"sensor {c.pin} quantity {c.quantity}" if int(c.kind) == CHANNEL_FROM_SENSOR
                  else f"pin {c.pin} {ChannelKind(c.kind).name.lower()}")
        click.echo(f"  channel {i}: {source} every {fmt_ms(c.period_ms)}, "
                   f"smoothing {c.smoothing}, gain {c.gain / 65536:.4f}, offset {c.offset / 1000} {unit}")
    for i, a in enumerate(img.actuators):
        kind = (f"servo {a.servo_min}..{a.servo_max}° (safe {a.servo_safe}°)" if a.servo
                else "pwm" if a.pwm else "relay")
        limit = lambda ms: fmt_ms(ms) if ms else "none"  # noqa: E731 (a servo's 0: no time limit)
        click.echo(f"  actuator {i}: pin {a.pin} {kind}{' active-low' if a.active_low else ''}, "
                   f"max_on {limit(a.max_on_ms)}, min_off {fmt_ms(a.min_off_ms)}, "
                   f"daily cap {limit(a.daily_cap_ms)}")
    for i, r in enumerate(img.rules):
        def op(bit: Operand, value: int, ms: bool = False) -> str:
            if r.operands & bit:
                return f"param {value}"
            return fmt_ms(value) if ms else f"{value / 1000:g}"
        if r.kind == RuleKind.INTERVAL:
            what = f"every {op(Operand.PERIOD, r.period, True)}"
        else:
            cmp = ">" if r.above else "<"
            what = (f"channel {r.channel} {cmp} {op(Operand.THRESHOLD, r.threshold)} "
                    f"(hysteresis {op(Operand.HYSTERESIS, r.hysteresis)}) held {op(Operand.HOLD, r.hold, True)}")
        if r.kind == RuleKind.GUARD:  # it drives nothing: it stops its actuator (rules.md "Guards")
            lockout = f"for {op(Operand.PERIOD, r.period, True)}" if r.period or r.operands & Operand.PERIOD \
                else "until a lease"
            click.echo(f"  rule {i}: guard: while actuator {r.actuator} is on, {what}: off, locked out {lockout}")
            continue
        lock = "" if r.interlock == NO_INDEX else f", unless channel {r.interlock} " \
            f"{'>' if r.interlock_above else '<'} {op(Operand.INTERLOCK, r.il_threshold)}"
        action = RuleAction(r.action).name.lower() if r.action in RuleAction._value2member_map_ else f"action {r.action}"
        click.echo(f"  rule {i}: {what}{lock}: actuator {r.actuator} {action} "
                   f"{op(Operand.DURATION, r.duration, True)}")
