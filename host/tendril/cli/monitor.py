"""`tendril monitor`: the terminal UI (docs/tui.md). Textual is imported only when it runs."""

from __future__ import annotations

import click

from ..errors import TendrilError


@click.command()
@click.argument("more_ports", nargs=-1, metavar="[PORT]...")
@click.option("--port", "ports", multiple=True,
              help="A board's serial port; repeat for several boards. Without it: the boards found.")
@click.option("--db", type=click.Path(dir_okay=False),
              help="Log database (default: $TENDRIL_DB, else tendril.db in the user data directory).")
@click.option("--board", help="Board name when the board cannot say (a board without a HELLO class).")
@click.option("--recipe", "recipes", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Recipe files to name what the boards run (found by hash otherwise).")
@click.option("--via", metavar="URL", envvar="TENDRIL_SERVE",
              help="Watch the fleet of the tendril serve on this broker "
                   "(mqtt://[user[:password]@]host[:port]). Default: a serve running on this "
                   "machine, if any (its boards, or the ports given that it owns).")
def monitor(more_ports: tuple[str, ...], ports: tuple[str, ...], db: str | None, board: str | None,
            recipes: tuple[str, ...], via: str | None) -> None:
    """Watch and drive boards: dashboard, charts, events, raw console; logs while it runs.
    Ports may be given as arguments too (`tendril monitor PORT PORT`); with two or more, `b`
    lists the boards. While `tendril serve` runs, the monitor shows the boards it owns through
    it (any number of monitors at once; boards that join serve later too) and logs nothing
    itself: serve does."""
    from ..live import LiveBoard, LogSink
    from ..recipes import load
    from ..transport.discover import list_ports
    from ..tui import MonitorApp

    known = [load(path) for path in recipes]
    ports = tuple(dict.fromkeys(ports + more_ports))  # in order, each once
    fleet = _through_serve(ports, via)
    if fleet is not None:
        client, remote = fleet
        try:
            MonitorApp(list(remote.boards), None, db_path=db, fleet=remote).run()
        finally:
            remote.stop()
            client.close()
        return
    if not ports:
        found = list_ports()
        if len(found) == 1:  # straight in; otherwise the app shows the ports to pick from
            ports = (found[0].path,)
    sink = LogSink.open(db)
    boards = [LiveBoard(p, sink=sink, recipes=known, board=board).start() for p in ports]
    app = MonitorApp(boards, sink, db_path=db or sink.path)
    try:
        app.run()
    finally:
        for b in app.boards:
            b.stop()
        try:
            sink.close()
        except TendrilError as exc:
            click.echo(f"tendril: {exc}", err=True)


def _through_serve(ports: tuple[str, ...], via: str | None):
    """(client, RemoteFleet) when a serve owns the boards asked for (all of its fleet when no port
    is given, boards that join it later too), said in one line on stderr; None to open the ports
    here as always."""
    from ..live.remote import RemoteFleet
    from ..remote import ServeClient, find_target

    targets = [find_target(p, via) for p in ports] if ports else [find_target(None, via)]
    if not targets or any(t is None for t in targets):
        if any(t is not None for t in targets):
            raise TendrilError("some of these ports are tendril serve's and some are not: "
                               "give only serve's (or none), or stop serve")
        return None
    first = targets[0]
    client = ServeClient.connect(first.broker, prefix=first.prefix)
    asked = [t.board for t in targets if t.board] or None
    unknown = [b for b in asked or () if b not in client.boards()]
    if unknown:
        client.close()
        raise TendrilError(f"tendril serve on {first.name} has no board {unknown[0]}; its boards: "
                           f"{', '.join(client.boards()) or 'none yet'}")
    fleet = RemoteFleet(client, asked).start()
    boards = ", ".join(b.board for b in fleet.boards) or "no boards yet (they show as they come)"
    click.echo(f"through tendril serve on {first.name}: {boards}", err=True)
    return client, fleet
