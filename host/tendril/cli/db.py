"""`tendril db info` and `tendril db prune`: a log kept for years (docs/storage.md)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from ..store.db import device_id_text
from ..store.maintain import info as log_info
from ..store.query import parse_time
from .store import _DB_HELP, _TIME_HELP, _open


@click.group("db")
def db() -> None:
    """What the log database holds, and pruning it."""


def _day(t: float | None) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") if t is not None else "-"


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


@db.command("info")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
def info(db_path, as_json) -> None:
    """The file's size and, per board and channel, samples, bytes a sample and time span."""
    with _open(db_path) as store:
        lines = log_info(store.conn)
        path = store.path
    size = path.stat().st_size
    total = sum(c.samples for c in lines)
    if as_json:
        click.echo(json.dumps({
            "path": str(path), "file_bytes": size, "samples": total,
            "bytes_per_sample": round(size / total, 3) if total else None,
            "channels": [{"device_id": device_id_text(c.device_id), "source": c.source, "channel": c.channel,
                          "name": c.name, "samples": c.samples, "stored_bytes": c.stored_bytes,
                          "bytes_per_sample": round(c.bytes_per_sample, 3) if c.samples else None,
                          "first": c.first, "last": c.last} for c in lines]}, indent=2))
        return
    per = f", {size / total:.2f} B a sample" if total else ""
    click.echo(f"{path}: {_size(size)}, {total:,} samples{per}")
    if lines:
        click.echo(f"{'device':>12}  {'channel':<16} {'samples':>12} {'B/sample':>8}  {'from':<16}  to")
    for c in lines:
        name = c.name or str(c.channel)
        click.echo(f"{device_id_text(c.device_id):>12}  {name:<16} {c.samples:>12,} "
                   f"{c.bytes_per_sample or 0:>8.2f}  {_day(c.first):<16}  {_day(c.last)}")


@db.command("prune")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--before", required=True, help="Delete samples and events logged before this time. " + _TIME_HELP)
@click.option("--yes", is_flag=True, help="Delete; without it, only say what would go.")
def prune(db_path, before, yes) -> None:
    """Delete samples and events older than a date (boards, sessions and pushed recipes stay)."""
    cutoff = parse_time(before)
    with _open(db_path) as store:
        result = store.prune(cutoff, dry_run=not yes)
        path = store.path
    when = _day(cutoff)
    if not yes:
        click.echo(f"would delete {result.samples:,} samples and {result.events:,} events logged before "
                   f"{when}; run again with --yes to delete them")
        return
    click.echo(f"deleted {result.samples:,} samples and {result.events:,} events logged before {when}"
               f"; {path} is now {_size(path.stat().st_size)}")


def _days(text: str) -> float:
    units = {"d": 1.0, "w": 7.0, "h": 1 / 24}
    t = text.strip().lower()
    unit = units.get(t[-1:]) if t[-1:] in units else 1.0
    number = t[:-1] if t[-1:] in units else t
    try:
        days = float(number) * unit
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a length of time (like 30d, 2w, 12h)") from None
    if not days > 0:
        raise click.BadParameter(f"{text!r}: give a time longer than 0")
    return days


@db.command("downsample")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--after", "after", help="Keep samples older than this (30d, 2w, 12h) as each minute's min, mean "
                                       "and max.")
@click.option("--off", is_flag=True, help="Stop downsampling (what was downsampled stays so).")
def downsample(db_path, after, off) -> None:
    """Set the log to keep old samples as per-minute min/mean/max, once: every later open of the
    log (each `tendril log`, export, ...) downsamples what has aged past it. Off by default; the
    newest samples are never touched. Readers see a downsampled minute as one sample (its mean)."""
    if bool(after) == off:
        raise click.UsageError("give --after TIME or --off")
    days = None if off else _days(after)
    with _open(db_path) as store:
        n = store.downsample(days)
        path = store.path
    if days is None:
        click.echo(f"{path}: downsampling off")
    else:
        click.echo(f"{path}: samples older than {days:g} days are kept as each minute's min, mean and max; "
                   f"{n:,} samples downsampled now")
