"""`tendril serve`: own the boards, log them, and put them on MQTT (docs/fleet.md)."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import signal
import socket
import sys
import threading
from pathlib import Path

import click

from ..errors import TendrilError


def _password(password_file: Path | None) -> str | None:
    if password_file is not None:
        try:
            return password_file.read_text().strip("\r\n")
        except OSError as exc:
            raise TendrilError(f"--password-file {password_file}: {exc.strerror}") from None
    return os.environ.get("TENDRIL_MQTT_PASSWORD")


def _delay(text: str) -> tuple[float, float]:
    try:
        parts = [float(x) for x in text.split("-", 1)]
    except ValueError:
        raise TendrilError(f"--birth-delay {text!r}: seconds, or MIN-MAX") from None
    lo, hi = parts[0], parts[-1]
    if not 0 <= lo <= hi:
        raise TendrilError(f"--birth-delay {text!r}: seconds, or MIN-MAX with MIN <= MAX")
    return lo, hi


def unit_text(argv: list[str]) -> str:
    """A systemd unit running this tendril with ``argv`` (serve's options but --print-unit)."""
    beside = Path(sys.executable).parent / "tendril"  # the venv's own script, when there is one
    exe = (str(beside) if beside.exists() else shutil.which("tendril")) or f"{sys.executable} -m tendril.cli"
    args = " ".join(shlex.quote(a) for a in argv if a != "--print-unit")
    return f"""[Unit]
Description=tendril serve: boards on MQTT and in the log database
After=network-online.target
Wants=network-online.target

[Service]
ExecStart={exe} serve{(' ' + args) if args else ''}
Restart=on-failure
RestartSec=5
# A password: Environment=TENDRIL_MQTT_PASSWORD=... in a drop-in, or --password-file.

[Install]
WantedBy=default.target
"""


@click.command("serve")
@click.argument("ports", nargs=-1)
@click.option("--broker", metavar="URL", help="mqtt://[user[:password]@]host[:port], or mqtts://"
              " for TLS. Default: 127.0.0.1:1883 if a broker answers there, else a mosquitto"
              " serve starts itself on a free loopback port.")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path),
              help="The broker password, read from this file (or set TENDRIL_MQTT_PASSWORD).")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False),
              help="CA certificate(s) that sign the broker's TLS certificate (mqtts://).")
@click.option("--name", default=socket.gethostname, show_default="the host name",
              help="This serve's name in its availability topic and the runtime file.")
@click.option("--prefix", default="tendril", show_default=True, help="Topic prefix.")
@click.option("--discovery-prefix", default="homeassistant", show_default=True,
              help="Home Assistant's discovery prefix.")
@click.option("--read-only", is_flag=True, help="Publish only: accept no commands, and announce"
              " no writable entities (switch, number) to Home Assistant.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Log database (default: $TENDRIL_DB, else tendril.db in the user data folder).")
@click.option("--board", help="Board name when a board's HELLO class is ambiguous.")
@click.option("--recipe", "recipe_paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A recipe a board may run (names in state and discovery); repeatable.")
@click.option("--birth-delay", default="1-5", show_default=True, metavar="S|MIN-MAX",
              help="Seconds (random in MIN-MAX) after Home Assistant's birth message before"
              " discovery and state are sent again.")
@click.option("--status-every", default=5.0, show_default=True, type=click.FloatRange(0.1),
              metavar="S", help="Seconds between each board's STATUS and PARAMS reads (events"
              " about actuators, mode and parameters read them at once anyway).")
@click.option("--print-unit", is_flag=True, help="Print a systemd unit for these options; run nothing.")
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on stderr.")
def serve(ports, broker, password_file, ca_file, name, prefix, discovery_prefix, read_only, db,
          board, recipe_paths, birth_delay, status_every, print_unit, quiet) -> None:
    """Own the boards on PORTs (none: every tendril board plugged in, rescanned every few
    seconds), log everything to the database as `tendril log` does, and publish each board's
    state, events and Home Assistant discovery over MQTT; accept commands from MQTT.

    SIGTERM or Ctrl-C: flush the log, publish everything offline, exit 0."""
    if print_unit:
        click.echo(unit_text(sys.argv[sys.argv.index("serve") + 1:] if "serve" in sys.argv else []),
                   nl=False)
        return
    from ..recipes import load
    from ..serve.broker import choose_broker
    from ..serve.service import Options, Serve

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s tendril serve: %(message)s", datefmt="%H:%M:%S")
    options = Options(broker=broker or "", ports=list(dict.fromkeys(ports)), name=name,
                      prefix=prefix, discovery_prefix=discovery_prefix, read_only=read_only,
                      db=db, board=board, password=_password(password_file), ca_file=ca_file,
                      birth_delay=_delay(birth_delay), recipes=[load(p) for p in recipe_paths],
                      status_every=status_every)
    own = None
    if not broker:
        options.broker, own = choose_broker()
    stop = threading.Event()
    old = [(sig, signal.signal(sig, lambda *_: stop.set())) for sig in (signal.SIGINT, signal.SIGTERM)]
    try:
        service = Serve(options)
        service.start()
        logging.getLogger("tendril.serve").info(
            "online: broker %s, prefix %s, %s", service.url.public(), prefix,
            f"ports {', '.join(options.ports)}" if options.ports else "every tendril board found")
        try:
            service.run(stop)
        finally:
            committed = service.stop()
        click.echo(f"{committed} rows committed to {service.log_sink.path}")
    finally:
        for sig, handler in old:
            signal.signal(sig, handler)
        if own is not None:
            own.stop()
