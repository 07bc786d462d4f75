"""`tendril doctor`: is this machine ready for boards, simulated boards and the tests?

Each check looks at the real system (groups, processes, a compile, PATH) and says ok, or what is
wrong and the one command that fixes it. Required checks are the ones a real board needs (opening
its serial port); the rest are tools for building, flashing, simulating and testing.
"""

from __future__ import annotations

import glob
import grp
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import click

ARDUINO_CORE = Path("/usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h")
BOARD_PORTS = ("/dev/ttyACM*", "/dev/ttyUSB*")  # USB boards; /dev/ttyS* only when none is plugged


@dataclass
class Check:
    name: str
    ok: bool
    required: bool
    detail: str  # what was found
    fix: str = ""  # the command (or step) that fixes it; empty when ok
    needed_for: str = ""

    @property
    def status(self) -> str:
        return "ok" if self.ok else ("problem" if self.required else "missing")


def _run(argv: list[str], stdin: str = "", timeout: float = 20.0) -> tuple[int, str]:
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, str(exc)
    return done.returncode, (done.stdout + done.stderr).strip()


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def _serial_group() -> grp.struct_group | None:
    """The group that owns serial ports here (dialout on Debian and Ubuntu, uucp on Arch)."""
    ports = [p for pattern in BOARD_PORTS for p in glob.glob(pattern)] or glob.glob("/dev/ttyS[0-9]*")
    gids = set()
    for port in ports:
        try:
            gids.add(os.stat(port).st_gid)
        except OSError:
            continue
    gids.discard(0)  # root-owned ports (a container): joining root is no answer; say dialout
    names = [grp.getgrgid(g).gr_name for g in gids if _has_gid(g)] if len(gids) == 1 else []
    for name in (*names, "dialout", "uucp"):
        try:
            return grp.getgrnam(name)
        except KeyError:
            continue
    return None


def _has_gid(gid: int) -> bool:
    try:
        grp.getgrgid(gid)
    except KeyError:
        return False
    return True


def check_serial_access() -> Check:
    what = "opening a real board's serial port"
    if os.geteuid() == 0:
        return Check("serial ports", True, True, "running as root: every port opens", "", what)
    group = _serial_group()
    if group is None:
        return Check("serial ports", False, True, "no dialout group on this system",
                     "ask your distribution which group owns /dev/ttyACM*", what)
    user = pwd.getpwuid(os.geteuid()).pw_name
    if group.gr_gid in os.getgroups() or group.gr_gid == os.getegid():
        return Check("serial ports", True, True, f"{user} is in {group.gr_name}, which owns the"
                     " serial ports", "", what)
    if user in group.gr_mem:
        return Check("serial ports", False, True, f"{user} was added to {group.gr_name} but this"
                     " login does not have it yet", "log out and back in (or run: newgrp "
                     f"{group.gr_name})", what)
    return Check("serial ports", False, True, f"{user} is not in {group.gr_name}, which owns the"
                 " serial ports: opening a board fails with 'Permission denied'",
                 f"sudo usermod -aG {group.gr_name} {user}   (then log out and back in)", what)


def _running(name: str) -> bool:
    """A process called ``name`` (its /proc/<pid>/comm) is running."""
    for comm in glob.glob("/proc/[0-9]*/comm"):
        try:
            if Path(comm).read_text().strip() == name:
                return True
        except OSError:
            continue
    return False


def check_modemmanager() -> Check:
    what = "a board's port right after it is plugged in"
    if not Path("/proc/self/comm").exists():
        return Check("ModemManager", True, True, "not Linux: nothing to check", "", what)
    if _running("ModemManager"):
        return Check("ModemManager", False, True, "running: it opens every new /dev/ttyACM port"
                     " for a few seconds to probe for a modem, so uploads and the first HELLO"
                     " fail or the board resets", "sudo systemctl disable --now ModemManager"
                     "   (or: sudo apt-get remove modemmanager)", what)
    return Check("ModemManager", True, True, "not running", "", what)


def _tool(name: str, pkg: str, needed_for: str, version_args: tuple[str, ...] = ("--version",),
          required: bool = False) -> Check:
    path = shutil.which(name)
    if path is None:
        return Check(name, False, required, "not found on PATH", f"sudo apt-get install {pkg}",
                     needed_for)
    _, out = _run([path, *version_args]) if version_args else (0, "")
    detail = f"{path}" + (f" ({_first_line(out)})" if out else "")
    return Check(name, True, required, detail, "", needed_for)


def check_avr_libc() -> Check:
    what = "building the AVR firmware"
    if not shutil.which("avr-gcc"):
        return Check("avr-libc", False, False, "cannot check without avr-gcc",
                     "sudo apt-get install gcc-avr avr-libc", what)
    code, out = _run(["avr-gcc", "-mmcu=atmega328p", "-E", "-x", "c", "-o", os.devnull, "-"],
                     "#include <avr/io.h>\n")
    if code:
        return Check("avr-libc", False, False, f"avr/io.h not found ({_first_line(out)})",
                     "sudo apt-get install avr-libc", what)
    return Check("avr-libc", True, False, "avr/io.h compiles for the ATmega328P", "", what)


def check_arduino_core() -> Check:
    what = "building the sketches in firmware/sketches"
    if ARDUINO_CORE.exists():
        return Check("Arduino AVR core", True, False, str(ARDUINO_CORE.parent), "", what)
    return Check("Arduino AVR core", False, False, f"no {ARDUINO_CORE}",
                 "sudo apt-get install arduino-core-avr", what)


# What tendril-simavr (firmware/sim) includes and links, in a few lines.
_SIMAVR_PROBE = """#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/avr_adc.h>
#include <simavr/avr_ioport.h>
#include <simavr/avr_uart.h>
int main(void) { avr_t *avr = avr_make_mcu_by_name("atmega328p"); return avr == 0; }
"""


def check_simavr() -> Check:
    """simavr's headers and libraries, and that a program like tendril-simavr compiles and links."""
    what = "simulated boards (tendril sim, the tests)"
    fix = "sudo apt-get install simavr libsimavr-dev libelf-dev gcc make"
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        return Check("simavr", False, False, "no C compiler to build tendril-simavr", fix, what)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "probe.c")
        src.write_text(_SIMAVR_PROBE)
        code, out = _run([cc, str(src), "-o", str(Path(tmp, "probe")), "-lsimavr", "-lelf",
                          "-lpthread"])
    if code:
        return Check("simavr", False, False, "tendril-simavr cannot be built: "
                     f"{_first_line(out)}", fix, what)
    return Check("simavr", True, False, "simavr's headers, libsimavr and libelf build a runner", "",
                 what)


def check_mpremote() -> Check:
    what = "deploying to MicroPython boards (tendril flash --board pico|esp32-devkit)"
    path = shutil.which("mpremote")
    if path:
        return Check("mpremote", True, False, path, "", what)
    if importlib.util.find_spec("mpremote") is not None:
        return Check("mpremote", True, False, f"importable in {sys.executable}", "", what)
    return Check("mpremote", False, False, "not installed",
                 f"{sys.executable} -m pip install mpremote", what)


def check_checkout() -> Check:
    """The firmware sources: an installed tendril has none, so nothing that builds them can run."""
    from ..resources import checkout

    what = "building firmware, the avr and native simulated boards (tendril sim, make demo)"
    root = checkout()
    if root is None:
        return Check("checkout", False, False, "an installed tendril: no firmware sources beside it",
                     "git clone the tendril repository, then make demo (docs/install.md)", what)
    return Check("checkout", True, False, "the firmware sources are beside this tendril", "", what)


def check_sim_world() -> Check:
    """The simulated boards' world (firmware/sim/sim_scenario.c as a shared library, tendril.sim.scenario):
    the MicroPython board needs it; in a checkout it is built here with make."""
    from ..errors import TendrilError
    from ..sim.runtimes import REGISTRY
    from ..sim.scenario import library

    what = "simulated boards: runtimes " + "; ".join(f"{r.name} ({', '.join(r.boards)})"
                                                    for r in REGISTRY.values())
    try:
        library()
    except (TendrilError, OSError) as exc:
        return Check("simulated world", False, False, _first_line(str(exc)),
                     "sudo apt-get install gcc make (then, for an installed tendril, install it again)", what)
    return Check("simulated world", True, False, "the scenario and plant model (sim_scenario.c) loads", "", what)


def run_checks() -> list[Check]:
    return [
        check_serial_access(),
        check_modemmanager(),
        check_checkout(),
        check_sim_world(),
        _tool("avr-gcc", "gcc-avr", "building the AVR firmware", ("-dumpversion",)),
        check_avr_libc(),
        check_arduino_core(),
        check_simavr(),
        _tool("avrdude", "avrdude", "uploading to AVR boards (tendril flash)", ()),
        check_mpremote(),
        _tool("node", "nodejs", "the MicroPython tests (real MicroPython under Node.js)"),
        _tool("tmux", "tmux", "driving the TUI in a real terminal (tests)", ("-V",)),
    ]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object: ok and every check.")
@click.option("--strict", is_flag=True, help="Exit 1 when anything is missing, optional or not.")
def doctor(as_json: bool, strict: bool) -> None:
    """Check this machine for boards, simulated boards and the tests, and say how to fix each
    problem.

    Required (exit status 1 when one fails): permission to open serial ports (the dialout group,
    or root) and no ModemManager grabbing new ports. Optional (reported with the command that
    installs it, exit status 0): a checkout (the firmware sources, which an installed tendril
    lacks), the simulated boards' world (the C scenario model, and the runtimes that use it), avr-gcc, avr-libc and the Arduino AVR core (building firmware and
    sketches), simavr (simulated boards), avrdude (uploading), mpremote (MicroPython boards), node
    (MicroPython tests), tmux (TUI tests). --strict makes every missing tool an error.
    """
    checks = run_checks()
    failed = [c for c in checks if not c.ok and (c.required or strict)]
    if as_json:
        click.echo(json.dumps({"ok": not failed, "checks": [
            {**asdict(c), "status": c.status} for c in checks]}, indent=2))
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            click.echo(f"{c.status:<8} {c.name:<{width}}  {c.detail}")
            if not c.ok:
                click.echo(f"{'':<8} {'':<{width}}  needed for {c.needed_for}")
                click.echo(f"{'':<8} {'':<{width}}  fix: {c.fix}")
        missing = sum(not c.ok for c in checks)
        click.echo("all good" if not missing else
                   f"{missing} to fix ({len(failed)} required{' with --strict' if strict else ''})")
    if failed:
        click.get_current_context().exit(1)
