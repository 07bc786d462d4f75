"""Several hosts on one machine: network namespaces joined by veth pairs on a bridge (iproute2).

    with Hosts(["broker", "collector", "serve1", "serve2"]) as hosts:
        hosts.address("broker")                      # "10.231.0.1"
        subprocess.Popen(hosts.run("collector", ["tendril", "log", "--mqtt", ...]))

The first host holds the bridge (and its address is on it); every other host has one veth pair,
its end named eth0 inside the host, the other end on the bridge. Loopback is up in each. Leaving
the ``with`` deletes every namespace (and so every veth), also when the test failed.

Needs root and `ip netns`: ``unavailable()`` says why not, for a clear skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess

IP = shutil.which("ip") or "/usr/sbin/ip"


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    if not os.path.exists(IP):
        return "iproute2's `ip` is not installed (apt-get install iproute2)"
    probe = f"tdprobe{os.getpid()}"
    made = subprocess.run([IP, "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` does not work here: {made.stderr.strip()}"
    subprocess.run([IP, "netns", "del", probe], capture_output=True)
    return None


def _ip(*args: str) -> None:
    done = subprocess.run([IP, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


class Hosts:
    def __init__(self, roles: list[str], subnet: str = "10.231.0") -> None:
        self.tag = f"td{os.getpid() % 100000}"
        self.roles = list(roles)
        self.subnet = subnet
        self.names = {role: f"{self.tag}-{role}" for role in roles}
        self.made: list[str] = []

    def address(self, role: str) -> str:
        return f"{self.subnet}.{self.roles.index(role) + 1}"

    def run(self, role: str, argv: list[str]) -> list[str]:
        """``argv`` as a command that runs inside ``role``'s namespace."""
        return [IP, "netns", "exec", self.names[role], *argv]

    def __enter__(self) -> Hosts:
        try:
            self._make()
        except BaseException:
            self.close()
            raise
        return self

    def _make(self) -> None:
        hub = self.names[self.roles[0]]
        for role in self.roles:
            name = self.names[role]
            subprocess.run([IP, "netns", "del", name], capture_output=True)  # a leftover run
            _ip("netns", "add", name)
            self.made.append(name)
            _ip("-n", name, "link", "set", "lo", "up")
        _ip("-n", hub, "link", "add", "br0", "type", "bridge")
        _ip("-n", hub, "addr", "add", f"{self.address(self.roles[0])}/24", "dev", "br0")
        _ip("-n", hub, "link", "set", "br0", "up")
        for i, role in enumerate(self.roles[1:], start=1):
            name, near, far = self.names[role], f"{self.tag}b{i}", f"{self.tag}h{i}"
            _ip("link", "add", near, "type", "veth", "peer", "name", far)
            _ip("link", "set", near, "netns", hub)
            _ip("link", "set", far, "netns", name)
            _ip("-n", hub, "link", "set", near, "master", "br0")
            _ip("-n", hub, "link", "set", near, "up")
            _ip("-n", name, "link", "set", far, "name", "eth0")
            _ip("-n", name, "addr", "add", f"{self.address(role)}/24", "dev", "eth0")
            _ip("-n", name, "link", "set", "eth0", "up")

    def close(self) -> None:
        for name in reversed(self.made):
            subprocess.run([IP, "netns", "del", name], capture_output=True)
        self.made.clear()

    def __exit__(self, *exc) -> None:
        self.close()
