"""Fixtures for the MicroPython firmware tests: the firmware on sys.path, and real MicroPython.

Real MicroPython is the WebAssembly port from npm (@micropython/micropython-webassembly-pyscript,
pinned in node/package-lock.json). The first test that needs it runs ``npm ci`` in
tests/micropython/node/ (needs node and npm: tools/setup.sh installs them); later runs reuse
node_modules.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

FIRMWARE = ROOT / "firmware" / "micropython"
NODE_DIR = Path(__file__).resolve().parent / "node"

if str(FIRMWARE) not in sys.path:
    sys.path.insert(0, str(FIRMWARE))


def node_ready() -> Path:
    """The node project with MicroPython installed; installs it on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the MicroPython tests: run tools/setup.sh")
    if not (NODE_DIR / "node_modules" / "@micropython" / "micropython-webassembly-pyscript").is_dir():
        proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=300, check=False)
        if proc.returncode:
            pytest.fail(f"npm ci in {NODE_DIR} failed:\n{proc.stdout}\n{proc.stderr}")
    return NODE_DIR


def run_micropython(script: Path, mounts: list[tuple[Path, str]], timeout: float = 600):
    """Run ``script`` in real MicroPython with host paths copied to MicroPython paths first."""
    node_dir = node_ready()
    args = ["node", str(node_dir / "run.mjs"), str(script)]
    args += [f"{src}:{dst}" for src, dst in mounts]
    return subprocess.run(args, cwd=node_dir, capture_output=True, text=True, timeout=timeout,
                          check=False)
