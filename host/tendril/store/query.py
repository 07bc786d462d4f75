"""Reading the log back: time filters, channel names, samples streamed from a cursor."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from datetime import UTC, datetime

from ..errors import StorageError
from .chunks import session_blocks

_REL = re.compile(r"^-(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_time(text: str, now: float | None = None) -> float:
    """Unix seconds from ISO 8601 (naive = local time) or a relative '-90m', '-1h', '-7d'."""
    text = text.strip()
    m = _REL.match(text)
    if m:
        return (time.time() if now is None else now) - float(m.group(1)) * _UNIT_S[m.group(2)]
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise StorageError(f"not a time: {text!r} (use ISO 8601 like 2026-11-20T08:00 or -1h,"
                           " -30m, -7d)") from None
    return dt.timestamp()


def iso(t: float) -> str:
    """Unix seconds as ISO 8601 UTC with milliseconds."""
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class SessionInfo:
    id: int
    device_id: int
    boot_count: int
    board_class: int
    recipe_hash: bytes
    host_start: float
    source: str = "tendril"  # or "plotter", "firmata": a board that does not run tendril


def sessions(conn: sqlite3.Connection, device_id: int | None = None) -> list[SessionInfo]:
    sql = ("SELECT s.id, s.device_id, s.boot_count, d.board_class, s.recipe_hash, s.host_start,"
           " s.source FROM sessions s JOIN devices d USING (device_id)")
    args: tuple = ()
    if device_id is not None:
        sql, args = sql + " WHERE s.device_id = ?", (device_id,)
    return [SessionInfo(*row) for row in conn.execute(sql + " ORDER BY s.host_start, s.id", args)]


def recipe_text(conn: sqlite3.Connection, device_id: int, recipe_hash: bytes) -> str | None:
    """The newest recipe text known for the image ``recipe_hash`` on ``device_id``."""
    row = conn.execute(
        "SELECT recipe_text FROM config_history WHERE device_id = ? AND recipe_hash = ?"
        " AND recipe_text IS NOT NULL ORDER BY host_time DESC, id DESC LIMIT 1",
        (device_id, bytes(recipe_hash))).fetchone()
    return row[0] if row else None


def session_recipe(conn: sqlite3.Connection, session: SessionInfo):
    """The recipe a tendril board's session ran, when config_history knows its text; else None.
    A board that booted with no config (a zero hash) runs the first one pushed to it after."""
    if session.source != "tendril":
        return None
    if any(session.recipe_hash):
        text = recipe_text(conn, session.device_id, session.recipe_hash)
    else:
        row = conn.execute(
            "SELECT recipe_text FROM config_history WHERE device_id = ? AND host_time >= ?"
            " AND recipe_text IS NOT NULL ORDER BY host_time, id LIMIT 1",
            (session.device_id, session.host_start)).fetchone()
        text = row[0] if row else None
    if text is None:
        return None
    from ..recipes import RecipeError, parse
    try:
        return parse(text, "logged recipe")
    except RecipeError:
        return None


def channel_names(conn: sqlite3.Connection, session: SessionInfo) -> dict[int, str]:
    """Channel index -> name: from the `channels` table for a board that does not run tendril,
    else from the recipe the session ran, when config_history knows it."""
    named = dict(conn.execute("SELECT channel, name FROM channels WHERE session_id = ?",
                              (session.id,)).fetchall())
    if named or session.source != "tendril":
        return named
    recipe = session_recipe(conn, session)
    return {i: c.name for i, c in enumerate(recipe.channels)} if recipe else {}


def channel_units(conn: sqlite3.Connection, session_id: int) -> dict[int, str]:
    """Channel index -> unit kept in the `channels` table (boards that do not run tendril and
    imported files; a tendril board's units are its recipe's)."""
    return dict(conn.execute("SELECT channel, unit FROM channels WHERE session_id = ? AND unit IS NOT NULL",
                             (session_id,)).fetchall())


@dataclass(frozen=True)
class Sample:
    device_id: int
    boot_count: int
    session_id: int
    channel: int
    name: str | None
    device_ms: int
    host_time: float
    value: int  # as logged: thousandths, or a raw reading when raw
    raw: bool

    @property
    def number(self) -> float | int:
        """The value in the channel's unit (a raw reading stays an int)."""
        return self.value if self.raw else self.value / 1000


def resolve_channels(wanted: Sequence[str], names: dict[int, str]) -> set[int]:
    """Channel indexes for names or decimal indexes; an unknown name is an error."""
    out: set[int] = set()
    for w in wanted:
        if w.isdigit():
            out.add(int(w))
            continue
        hits = [i for i, n in names.items() if n == w]
        if not hits:
            known = ", ".join(sorted(set(names.values()))) or "none: use channel indexes"
            raise StorageError(f"no channel named {w!r} in the logged recipes or channels"
                               f" (known: {known})")
        out.update(hits)
    return out


def iter_samples(conn: sqlite3.Connection, *, channels: Sequence[str] = (),
                 since: float | None = None, until: float | None = None,
                 device_id: int | None = None) -> Iterator[Sample]:
    """Samples in host-time order, one session at a time, streamed from the cursor. Channel names
    are checked now, before the first row: an unknown name raises StorageError here."""
    infos = sessions(conn, device_id)
    names_by_session = {s.id: channel_names(conn, s) for s in infos}
    if channels:  # every name must be known in some session before anything streams
        known = [n for m in names_by_session.values() for n in m.values()]
        resolve_channels(channels, dict(enumerate(known)))
    return _stream(conn, infos, names_by_session, channels, since, until)


def _stream(conn, infos, names_by_session, channels, since, until) -> Iterator[Sample]:
    for s in infos:
        names = names_by_session[s.id]
        idx = None
        if channels:
            idx = sorted(_session_channels(channels, names))
            if not idx:
                continue
        for block in session_blocks(conn, s.id, channels=idx, since=since, until=until):
            for ch, dms, ht, value, raw in zip(block["channel"].tolist(), block["device_ms"].tolist(),
                                               block["host_time"].tolist(), block["value"].tolist(),
                                               block["raw"].tolist()):
                yield Sample(s.device_id, s.boot_count, s.id, ch, names.get(ch), dms, ht, value,
                             bool(raw))


def sample_blocks(conn: sqlite3.Connection, session: int, *, channels: Sequence[int] | None = None,
                  since: float | None = None, until: float | None = None):
    """One session's samples as numpy blocks (fields seq, channel, device_ms, host_time, value,
    raw) in (seq, channel) order: the fast way through a long log (store/chunks.py)."""
    return session_blocks(conn, session, channels=channels, since=since, until=until)


def raw_channels(conn: sqlite3.Connection, session: int) -> set[int]:
    """Channels of a session that logged raw readings (TELEMETRY's raw flag)."""
    return {ch for (ch,) in conn.execute(
        "SELECT DISTINCT channel FROM samples WHERE session_id = ? AND raw = 1"
        " UNION SELECT DISTINCT channel FROM chunks WHERE session_id = ? AND raw = 1", (session, session))}


def _window(args: list, since: float | None, until: float | None) -> str:
    """The host-time window as SQL conditions (since inclusive, until exclusive); adds the values."""
    sql = ""
    if since is not None:
        sql += " AND host_time >= ?"
        args.append(since)
    if until is not None:
        sql += " AND host_time < ?"
        args.append(until)
    return sql


def _session_channels(wanted: Sequence[str], names: dict[int, str]) -> set[int]:
    out = set()
    for w in wanted:
        if w.isdigit():
            out.add(int(w))
        else:
            out.update(i for i, n in names.items() if n == w)
    return out


@dataclass(frozen=True)
class LoggedEvent:
    """One EVENT as logged, with the session it came from and that session's recipe (if known)."""
    device_id: int
    boot_count: int
    session_id: int
    device_ms: int
    host_time: float
    kind: int
    a: int
    b: int
    c: int
    value: int
    recipe: object = None  # tendril.recipes.Recipe, for names


def iter_events(conn: sqlite3.Connection, *, since: float | None = None, until: float | None = None,
                device_id: int | None = None) -> Iterator[LoggedEvent]:
    """Events one session at a time (sessions in the order they began, events in the device's
    order), streamed from the cursor."""
    for s in sessions(conn, device_id):
        recipe = session_recipe(conn, s)
        sql = "SELECT device_ms, host_time, kind, a, b, c, value FROM events WHERE session_id = ?"
        args: list = [s.id]
        sql += _window(args, since, until) + " ORDER BY seq"
        for dms, ht, kind, a, b, c, value in conn.execute(sql, args):
            yield LoggedEvent(s.device_id, s.boot_count, s.id, dms, ht, kind, a, b, c, value, recipe)


def unpacked(path) -> sqlite3.Connection:
    """A read-only look at a log with ``samples`` as one row per sample again (session_id, seq,
    channel, device_ms, host_time, value, raw), for ad-hoc SQL: an in-memory database holding the
    samples, with the log attached for every other table. Memory grows with the log."""
    from .db import connect_ro

    src = connect_ro(path)
    out = sqlite3.connect("file::memory:", uri=True)
    try:
        out.execute("ATTACH DATABASE ? AS log", (Path(path).resolve().as_uri() + "?mode=ro",))
        out.execute("CREATE TEMP TABLE samples (session_id INTEGER, seq INTEGER, channel INTEGER,"
                    " device_ms INTEGER, host_time REAL, value INTEGER, raw INTEGER)")
        for (sid,) in src.execute("SELECT id FROM sessions ORDER BY id").fetchall():
            for block in session_blocks(src, sid):
                out.executemany("INSERT INTO temp.samples VALUES (?, ?, ?, ?, ?, ?, ?)",
                                zip([sid] * len(block), block["seq"].tolist(), block["channel"].tolist(),
                                    block["device_ms"].tolist(), block["host_time"].tolist(),
                                    block["value"].tolist(), block["raw"].tolist()))
    except sqlite3.Error as exc:
        out.close()
        raise StorageError(f"{path}: {exc} while reading the log") from exc
    finally:
        src.close()
    return out


def logged_channels(conn: sqlite3.Connection, session: int) -> list[int]:
    """The channels a session has samples of, in order."""
    return [ch for (ch,) in conn.execute(
        "SELECT channel FROM chunks WHERE session_id = ? UNION SELECT channel FROM samples WHERE session_id = ?"
        " ORDER BY 1", (session, session))]
