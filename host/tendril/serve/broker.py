"""Zero configuration: with no --broker, serve uses a broker answering on 127.0.0.1:1883, else
starts its own mosquitto on a free loopback port (config in the runtime dir) and stops it on exit."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from ..errors import TendrilError
from .runtime import runtime_dir

LOCAL = ("127.0.0.1", 1883)
APT = "sudo apt-get install -y mosquitto"


def answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnBroker:
    """A mosquitto serve started itself: loopback only, anonymous, stopped with serve."""

    def __init__(self, where: Path | None = None) -> None:
        exe = shutil.which("mosquitto") or ("/usr/sbin/mosquitto"
                                            if Path("/usr/sbin/mosquitto").exists() else None)
        if exe is None:
            raise TendrilError("no MQTT broker on 127.0.0.1:1883 and mosquitto is not installed: "
                               f"{APT} (or give --broker)")
        self.exe = exe
        self.dir = where or runtime_dir()
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> OwnBroker:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        conf = self.dir / "mosquitto.conf"
        conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                        "persistence false\nlog_dest none\n")
        self.proc = subprocess.Popen([self.exe, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        end = time.monotonic() + timeout
        while not answers("127.0.0.1", self.port, 0.2):
            if self.proc.poll() is not None or time.monotonic() > end:
                self.stop()
                raise TendrilError(f"the mosquitto serve started did not listen on {self.port}")
            time.sleep(0.05)  # polling for readiness
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


def choose_broker() -> tuple[str, OwnBroker | None]:
    """The URL to use with no --broker, and the broker serve started (to stop on exit) if any."""
    if answers(*LOCAL):
        return f"mqtt://{LOCAL[0]}:{LOCAL[1]}", None
    own = OwnBroker().start()
    return own.url, own
