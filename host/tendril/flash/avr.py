"""Build the AVR firmware and upload it through the board's boot loader with avrdude.

    upload(board="uno", port="/dev/ttyACM0", baud=115200, log=print)

``make -C firmware BOARD=<board> BAUD=<baud>`` builds (into $TENDRIL_FIRMWARE_BUILD if set, else
firmware/build) (make does nothing when the build is current;
it fails when the firmware is over its flash/RAM budget), then avrdude talks to the boot loader:
Optiboot on the Uno and Nano (``-c arduino``, 115200 baud; 57600 for the old Nano boot loader),
stk500v2 on the Mega (``-c wiring``, ``-D``: that boot loader erases pages as it writes them).
Every failure is one TendrilError line: avrdude or the toolchain missing, the port missing, busy
or not ours to open, nothing answering as a boot loader, the wrong chip on the port.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..boards import load_board
from ..errors import TendrilError, TransportError
from ..resources import need_checkout
from . import FlashError

DEFAULT_BAUD = 115200
APT = "sudo apt-get install -y"


class PortError(TransportError):
    """The serial port is missing, busy or not ours to open."""


class NoBootloader(TransportError):
    """Nothing on the port answered like the board's boot loader."""


@dataclass(frozen=True)
class Target:
    part: str        # avrdude -p
    programmer: str  # avrdude -c: the boot loader's protocol
    upload_baud: int
    erase: bool      # False: pass -D (the boot loader erases as it writes)


TARGETS = {
    "atmega328p": Target("m328p", "arduino", 115200, True),
    "atmega2560": Target("m2560", "wiring", 115200, False),
}
OLD_NANO_BAUD = 57600

# avrdude's words for "nobody speaks STK500 on this port" (arduino: stk500v1, wiring: stk500v2)
_NO_ANSWER = ("not in sync", "not responding", "timeout communicating", "stk500v2_getsync",
              "stk500v2_ReceiveMessage", "stk500_getsync", "stk500_recv")


def target_for(board: str) -> Target:
    spec = load_board(board)
    if spec.firmware != "arduino" or spec.mcu not in TARGETS:
        raise FlashError(f"{board} does not run the AVR firmware (its firmware is {spec.firmware!r})")
    return TARGETS[spec.mcu]


def check_port(port: str) -> None:
    """Fail with one clear line when `port` cannot be used; leaves it closed."""
    if os.name != "posix":
        return  # COM ports: avrdude's own message is classified after the upload
    if not os.path.exists(port):
        raise PortError(f"no serial port {port}: is the board plugged in, and is that its port?")
    try:
        fd = os.open(port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except PermissionError:
        raise PortError(_permission(port)) from None
    except OSError as exc:
        if exc.errno == errno.EBUSY:
            raise PortError(_busy(port)) from None
        raise PortError(f"cannot open {port}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what pyserial's exclusive open holds
    except BlockingIOError:
        raise PortError(_busy(port)) from None
    finally:
        os.close(fd)


def _permission(port: str) -> str:
    return (f"permission denied on {port}: add yourself to the dialout group "
            "(sudo usermod -aG dialout $USER), then log out and in again")


def _busy(port: str) -> str:
    return f"{port} is busy: another program has it open (a serial monitor?); close it and retry"


def build(board: str, baud: int = DEFAULT_BAUD, log: Callable[[str], None] = print) -> Path:
    """make the firmware for `board`; returns the .hex. Fails on a build error or over budget."""
    firmware = need_checkout("building the AVR firmware (or flash a built .hex with --hex)") / "firmware"
    for tool, pkgs in (("make", "make"), ("avr-gcc", "gcc-avr avr-libc")):
        if shutil.which(tool) is None:
            raise FlashError(f"{tool} is not installed: {APT} {pkgs}")
    build_dir = Path(os.environ.get("TENDRIL_FIRMWARE_BUILD", firmware / "build"))
    cmd = ["make", "-C", str(firmware), f"BOARD={board}", f"BAUD={baud}", f"BUILD_DIR={build_dir}"]
    log(f"building: {' '.join(cmd)}")
    out = subprocess.run(cmd, check=False, capture_output=True, text=True)
    sizes = [line for line in out.stdout.splitlines() if line.startswith("tendril ")]
    for line in sizes:
        log(line)
    if out.returncode != 0:
        lines = [ln for ln in (out.stderr + out.stdout).splitlines() if ln.strip()]
        why = next((ln for ln in lines if "OVER BUDGET" in ln), None)
        if why:
            raise FlashError(f"the firmware for {board} does not fit: {sizes[-1] if sizes else why}")
        errs = [ln for ln in lines if "error" in ln.lower()] or lines or ["(no output)"]
        raise FlashError(f"building the firmware for {board} failed: {errs[0].strip()}")
    return build_dir / board / "tendril.hex"


def avrdude_command(board: str, port: str, hex_file: Path, old_bootloader: bool = False,
                    attempts: int | None = None) -> list[str]:
    t = target_for(board)
    if old_bootloader and board != "nano":
        raise FlashError("--old-bootloader is for the Nano's old (57600 baud) boot loader only")
    baud = OLD_NANO_BAUD if old_bootloader else t.upload_baud
    cmd = ["avrdude", "-p", t.part, "-c", t.programmer, "-P", port, "-b", str(baud)]
    if not t.erase:
        cmd.append("-D")
    if attempts is not None and t.programmer == "arduino":
        cmd += ["-x", f"attempts={attempts}"]
    return cmd + ["-U", f"flash:w:{hex_file}:i"]


def classify(port: str, board: str, text: str) -> TendrilError:
    """The one-line error for avrdude's output `text`."""
    if "Permission denied" in text:
        return PortError(_permission(port))
    if "Device or resource busy" in text:
        return PortError(_busy(port))
    if "No such file or directory" in text and "open" in text:
        return PortError(f"no serial port {port}: is the board plugged in, and is that its port?")
    if "expected signature" in text or "signature mismatch" in text.lower():
        return FlashError(f"the chip on {port} is not the {load_board(board).mcu} of a {board}: "
                          "is --board right?")
    if any(s in text for s in _NO_ANSWER):
        return NoBootloader(_no_answer(port, board))
    errs = [ln.strip() for ln in text.splitlines() if "error" in ln.lower()]
    return FlashError(f"avrdude failed on {port}: {errs[-1] if errs else text.strip()[-200:]}")


def _no_answer(port: str, board: str) -> str:
    hint = " (an old Nano needs --old-bootloader)" if board == "nano" else ""
    return (f"no bootloader answered on {port}: is it an Arduino, and is the board/bootloader "
            f"right?{hint}")


def upload(board: str, port: str, baud: int = DEFAULT_BAUD, hex_file: Path | None = None,
           old_bootloader: bool = False, attempts: int | None = None, timeout: float = 120.0,
           log: Callable[[str], None] = print) -> None:
    """Build (unless `hex_file` is given) and upload the firmware to the board on `port`."""
    target_for(board)
    if shutil.which("avrdude") is None:
        raise FlashError(f"avrdude is not installed: {APT} avrdude")
    check_port(port)
    if hex_file is None:
        hex_file = build(board, baud, log)
    cmd = avrdude_command(board, port, hex_file, old_bootloader, attempts)
    log(f"uploading: {' '.join(cmd)}")
    try:
        out = subprocess.run(cmd, check=False, capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        raise NoBootloader(_no_answer(port, board) + f" (no answer within {timeout:g} s)") from None
    if out.returncode != 0:
        raise classify(port, board, out.stderr + out.stdout)
    done = re.search(r"(\d+) bytes of flash verified", out.stderr)
    log(f"flashed {board} on {port}" + (f": {done.group(1)} bytes verified" if done else ""))
