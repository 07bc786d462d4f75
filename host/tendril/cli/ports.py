"""`tendril ports`: every serial port, the board it probably is, and (--probe) its tendril HELLO."""

from __future__ import annotations

import json

import click

from ..errors import TendrilError
from ..session import Session
from ..transport.discover import list_ports


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--probe", is_flag=True, help="Open each port and ask for HELLO (resets an Uno).")
def ports(as_json: bool, probe: bool) -> None:
    """List serial ports with their by-id name, VID:PID, serial number and likely board."""
    found = list_ports()
    if probe:
        for info in found:
            s = Session(info.path, hello_timeout=2.5)
            try:
                h = s.open()
                info.tendril = {"firmware": h.text, "device_id": f"{h.device_id:08x}",
                                "board_class": int(h.board_class), "recipe_hash": h.recipe_hash.hex()}
            except TendrilError:
                info.tendril = None
            finally:
                s.close()
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in found], indent=2))
        return
    if not found:
        click.echo("no serial ports found")
    for p in found:
        guess = ", ".join(p.boards) or "unknown board"
        tendril = f" tendril {p.tendril['firmware']} id {p.tendril['device_id']}" if p.tendril else ""
        click.echo(f"{p.path}  {p.vid_pid or '-'}  sn {p.serial_number or '-'}  {guess}{tendril}")
        if p.by_id:
            click.echo(f"    {p.by_id}")
