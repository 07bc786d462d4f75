"""`tendril import FILE`: old logs and other loggers' files into the log database."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import click

from ..errors import StorageError, TendrilError
from ..recipes.units import UnitError, duration_ms
from ..sources.importing import read
from ..store import Store, parse_time
from ..store.db import device_id_text
from ..store.importer import file_key, import_batches, imported_before
from .store import _DB_HELP

_MAX_INTERVAL_MS = 30 * 86_400_000


def _interval(text: str | None) -> float | None:
    if text is None:
        return None
    value = text.strip()
    try:
        ms = duration_ms(value if not value.replace(".", "", 1).isdigit() else f"{value} s", exact=False)
    except UnitError as exc:
        raise click.BadParameter(str(exc), param_hint="--interval") from None
    if not 0 < ms <= _MAX_INTERVAL_MS:
        raise click.BadParameter("give a time between 1 ms and 30 d", param_hint="--interval")
    return ms / 1000


def _lines(path: Path):
    def lines():
        return open(path, encoding="utf-8", errors="strict", newline="")  # noqa: SIM115
    return lines


def _local(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--db", type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--start", help="When the first row was taken, for files without dates (Serial Plotter "
                              "captures, a column of seconds or millis from the start): ISO 8601, local "
                              "unless it says.")
@click.option("--interval", help="Time between rows of a file without times: 1 s, 500 ms, 2 min "
                                 "(a bare number is seconds). Default: 1 s.")
@click.option("--utc", is_flag=True, help="Times without a zone in the file are UTC (default: local time).")
@click.option("--skip-bad", is_flag=True, help="Leave out rows that cannot be read (and say which) "
                                               "instead of importing nothing.")
def import_file(file: Path, db, start, interval, utc, skip_bad) -> None:
    """Bring FILE into the log as a source of its own, beside live data: chart it, export it,
    replay it.

    FILE may be what `tendril export` writes (CSV or JSON lines, a row per sample, or --wide), a
    CSV (commas, semicolons or tabs) with a header, a time column and a column per channel (a unit
    in a header as "soil (%)" or "temp [°C]"), a Serial Plotter capture saved from a terminal
    (numbers or label:value pairs a line; rows --interval apart), or the Arduino Serial Monitor's
    text with its timestamps. Times are ISO 8601, Unix seconds or milliseconds, or seconds/millis
    from --start.

    All or nothing: a row that cannot be read stops the import with its line number (unless
    --skip-bad) and the log is left as it was. The same file twice is refused.
    """
    t0 = parse_time(start) if start else None
    step = _interval(interval)
    try:
        st = file.stat()
        digest = hashlib.sha256()
        with open(file, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise TendrilError(f"cannot read {file}: {exc.strerror}") from None
    name = file.name
    try:
        reading = read(_lines(file), name, start=t0, interval=step, end=st.st_mtime, utc=utc,
                       skip_bad=skip_bad)
    except UnicodeDecodeError as exc:
        raise TendrilError(f"{name}: not UTF-8 text (byte {exc.start} of a line: {exc.reason})") from None
    store = Store.open(Path(db) if db is not None else None)
    try:
        before = imported_before(store.conn, digest.hexdigest())
        if before:
            raise StorageError(f"{name} is in the log already (imported as device {', '.join(before)}): "
                               "nothing done")
        try:
            done = import_batches(store, reading.batches, key=file_key(digest.hexdigest(), name), name=name,
                               units=reading.units)
        except UnicodeDecodeError as exc:
            raise TendrilError(f"{name}: not UTF-8 text ({exc.reason}): nothing imported") from None
        except KeyboardInterrupt:
            raise TendrilError(f"{name}: interrupted: nothing imported") from None
    finally:
        store.close()
    click.echo(f"{name}: {reading.shape}", err=True)
    for note in reading.notes:
        click.echo(note, err=True)
    if reading.skipped:
        shown = ", ".join(map(str, reading.skipped[:10])) + (" ..." if len(reading.skipped) > 10 else "")
        click.echo(f"left out {len(reading.skipped)} line(s) that could not be read: {shown}", err=True)
    if not done.samples:
        click.echo(f"{name}: no samples in it: nothing imported")
        return
    devices = ", ".join(device_id_text(d) for d in done.devices)
    click.echo(f"imported {done.samples:,} samples ({done.rows:,} rows) of {', '.join(done.channels)} "
               f"from {_local(done.first)} to {_local(done.last)} into {store.path}, as device {devices}")
