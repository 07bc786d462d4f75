"""`tendril plot`: the logged channels over time, to a PNG or SVG file or in the terminal."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

import click

from ..errors import TendrilError
from .store import _DB_HELP, _TIME_HELP, DEVICE_ID, _open, _times

FORMATS = {".png": "png", ".svg": "svg"}
PANEL_ROWS = 14  # the fewest terminal rows a panel gets: room for its legend and a readable line


@click.command()
@click.option("--db", type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--channel", "channels", multiple=True,
              help="Channel name (from the logged recipe) or index; repeat for more. Default: all.")
@click.option("--since", help="Plot from this time. " + _TIME_HELP)
@click.option("--until", help="Plot up to this time. " + _TIME_HELP)
@click.option("--device", type=DEVICE_ID, help="Only this device id (hex, as status and export write it).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write a picture here: FILE.png or FILE.svg. Default: draw in the terminal.")
def plot(db, channels, since, until, device, output) -> None:
    """Plot logged channels over time: one panel per unit, actuator runs shaded, rule thresholds
    as dashed steps, parameter changes marked.

    A channel with more samples than the plot has pixel columns is drawn as its min..max band and
    mean per column, so a week of 1 Hz data keeps every spike; a pause in the log is a gap in the
    line. Times on the axis are local.
    """
    fmt = None
    if output:
        fmt = FORMATS.get(Path(output).suffix.lower())
        if fmt is None:
            raise TendrilError(f"{output}: name a .png or .svg file (the extension picks the format)")
    t0, t1 = _times(since, until)
    if output:
        from ..plotting.render_image import PLOT_COLUMNS as columns
    else:
        from ..plotting.render_text import COLUMNS_PER_CELL

        size = shutil.get_terminal_size((100, 30))
        width = max(size.columns, 60)
        columns = width * COLUMNS_PER_CELL
    from ..plotting.figure import layout
    from ..plotting.load import read

    store = _open(db)
    try:  # each channel reduced to the plot's columns as it is read: a year takes no more memory
        data = read(store.conn, channels=channels, since=t0, until=t1, device_id=device,
                    columns=columns)
    finally:
        store.close()
    fig = _figure(layout(data, columns), since, until)
    if output:
        from ..plotting.render_image import render_image

        try:
            render_image(fig, Path(output), fmt, title=_title(fig))
        except OSError as exc:
            raise TendrilError(f"cannot write {output}: {exc.strerror or exc}") from exc
        click.echo(f"{len(fig.channels)} channel(s), {fig.points} samples plotted to {output}", err=True)
        return
    from ..plotting.render_text import render_text

    height = max(size.lines - 1, PANEL_ROWS * len(fig.panels))  # taller than the screen: it scrolls
    click.echo(render_text(fig, width, height, color=sys.stdout.isatty(), title=_title(fig)))


def _figure(fig, since, until):
    if fig is None:
        window = " in that window" if since or until else ""
        raise TendrilError(f"no samples to plot{window} (see what the log holds with `tendril db info`)")
    return fig


def _title(fig) -> str:
    fmt = "%Y-%m-%d %H:%M"
    return (f"{datetime.fromtimestamp(fig.t0).strftime(fmt)} to "
            f"{datetime.fromtimestamp(fig.t1).strftime(fmt)} (local time)")
