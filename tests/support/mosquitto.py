"""A real mosquitto broker for the tests: started on a free loopback port with its own config file
(anonymous, or users from a password file and an ACL), stopped, restarted on the same port.

    with Broker(tmp_path) as broker:             # anonymous
        broker.url                               # "mqtt://127.0.0.1:PORT"
    broker = Broker(tmp_path, users={"serve": "pw"}, acl=["user serve", "topic readwrite #"])

The Debian package is `mosquitto` (tools/setup.sh installs it); a test that needs a broker on a
machine without it fails with the command to install it rather than skipping silently.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import time
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, where: Path, *, users: dict[str, str] | None = None,
                 acl: list[str] | None = None, port: int | None = None,
                 host: str = "127.0.0.1", extra: list[str] = ()) -> None:
        if not Path(MOSQUITTO).exists():
            raise RuntimeError("mosquitto is not installed: sudo apt-get install -y mosquitto")
        self.dir = Path(where)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.port = port or free_port()
        self.users = dict(users or {})
        self.proc: subprocess.Popen | None = None
        self.log = self.dir / "mosquitto.log"
        # As root, mosquitto would drop to the `mosquitto` user, who cannot read the test's files.
        lines = [f"user {getpass.getuser()}",
                 f"listener {self.port} {host}", "persistence false", "log_dest stderr",
                 "log_type error", "log_type warning", "log_type notice",
                 "max_packet_size 1048576"]
        if self.users:
            pw = self.dir / "passwd"
            pw.write_text("")
            for user, password in self.users.items():
                subprocess.run([MOSQUITTO_PASSWD, "-b", str(pw), user, password], check=True,
                               capture_output=True)
            lines += ["allow_anonymous false", f"password_file {pw}"]
        else:
            lines.append("allow_anonymous true")
        if acl is not None:
            (self.dir / "acl").write_text("\n".join(acl) + "\n")
            lines.append(f"acl_file {self.dir / 'acl'}")
        lines += list(extra)
        self.conf = self.dir / "mosquitto.conf"
        self.conf.write_text("\n".join(lines) + "\n")

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def url_for(self, user: str) -> str:
        return f"mqtt://{user}:{self.users[user]}@{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> "Broker":
        log = open(self.log, "ab")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)], stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while True:  # ready when it accepts a TCP connection
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited {self.proc.returncode}: "
                                   + self.log.read_text(errors="replace")[-2000:])
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"mosquitto did not listen on {self.port} in {timeout} s")
                time.sleep(0.02)  # polling for readiness, not waiting for a duration

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> "Broker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
