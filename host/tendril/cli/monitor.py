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
def monitor(more_ports: tuple[str, ...], ports: tuple[str, ...], db: str | None, board: str | None,
            recipes: tuple[str, ...]) -> None:
    """Watch and drive boards: dashboard, charts, events, raw console; logs while it runs.
    Ports may be given as arguments too (`tendril monitor PORT PORT`); with two or more, `b`
    lists the boards."""
    from ..live import LiveBoard, LogSink
    from ..recipes import load
    from ..transport.discover import list_ports
    from ..tui import MonitorApp

    known = [load(path) for path in recipes]
    ports = tuple(dict.fromkeys(ports + more_ports))  # in order, each once
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
