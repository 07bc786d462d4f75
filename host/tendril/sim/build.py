"""Building the simulated boards' C from a checkout with make (firmware/sim, firmware/native)."""

from __future__ import annotations

import shutil
import subprocess

from ..errors import SimError
from ..resources import need_checkout


def make(args: list[str], what: str) -> None:
    """``make -s ARGS`` in the checkout; SimError with the end of its output if it fails."""
    root = need_checkout(what)
    if not shutil.which("make"):
        raise SimError(f"cannot build {what}: make is missing (sudo apt-get install make gcc)")
    done = subprocess.run(check=False, args=["make", "-s", *args], cwd=root, capture_output=True, text=True)
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise SimError(f"building {what} failed (make {' '.join(args)}):\n{tail}")
