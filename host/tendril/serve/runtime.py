"""The runtime file that lets other commands on this machine find a running serve with no
configuration: ``<user runtime dir>/tendril/serve.json`` (platformdirs), written atomically,
removed on exit (docs/fleet.md, "Finding serve").

    {"name": "pi", "pid": 4242, "broker": "mqtt://127.0.0.1:1883", "prefix": "tendril",
     "read_only": false, "boards": {"de7a15c8": {"port": "/dev/ttyACM0", "state": "online"}}}
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

RUNTIME_NAME = "serve.json"


def runtime_dir() -> Path:
    """Where serve keeps its runtime file (and the config of a broker it started itself).
    $TENDRIL_RUNTIME_DIR wins (tests, several serves on one machine)."""
    given = os.environ.get("TENDRIL_RUNTIME_DIR")
    if given:
        return Path(given)
    from platformdirs import user_runtime_dir
    return Path(user_runtime_dir("tendril"))


def runtime_path() -> Path:
    return runtime_dir() / RUNTIME_NAME


def write_runtime(info: dict, path: Path | None = None) -> Path:
    """Write ``info`` as JSON atomically (a reader never sees half a file)."""
    path = path or runtime_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".serve-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(info, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_runtime(path: Path | None = None, pid: int | None = None) -> None:
    """Remove the runtime file if it is ours (``pid``) or no pid is given."""
    path = path or runtime_path()
    if pid is not None:
        info = _read(path)
        if info is not None and info.get("pid") != pid:
            return
    path.unlink(missing_ok=True)


def _read(path: Path) -> dict | None:
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def find_local_serve(path: Path | None = None) -> dict | None:
    """The runtime file of a serve running on this machine, or None (no file, unreadable, or its
    process is gone: a serve killed with kill -9 leaves its file behind)."""
    info = _read(path or runtime_path())
    if info is None or not _alive(info.get("pid")):
        return None
    return info
