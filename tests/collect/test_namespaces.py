"""Two fleet hosts and a collector on three network namespaces, the broker on a fourth: the
collector's database ends up with every sample of both hosts (issue 16, section 4)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ..support import netns
from ..support.mosquitto import MOSQUITTO, Broker
from .conftest import content, wait_for

ROOT = Path(__file__).resolve().parents[2]


def fleet_host(mqtt: str, db: Path, eeprom: Path) -> list[str]:
    """The command of one fleet host: a native board under a real `tendril serve` (publish_board)."""
    return [sys.executable, "-m", "tests.collect.publish_board", "--mqtt", mqtt, "--db", str(db),
            "--eeprom", str(eeprom), "--ms", "3000"]


@pytest.mark.slow
def test_a_collector_on_its_own_host_logs_every_sample_of_two_hosts(tmp_path):
    why = netns.unavailable()
    if why:
        pytest.skip(why)
    procs: list[subprocess.Popen] = []
    with netns.Hosts(["broker", "collector", "serve1", "serve2"]) as hosts:
        try:
            b = Broker(tmp_path / "broker", host=hosts.address("broker"), port=1883)
            procs.append(subprocess.Popen(hosts.run("broker", [MOSQUITTO, "-c", str(b.conf)]),
                                          stderr=subprocess.DEVNULL))
            url = f"mqtt://{hosts.address('broker')}:1883"
            out = open(tmp_path / "collector.out", "w")
            collector = subprocess.Popen(
                hosts.run("collector", [sys.executable, "-m", "tendril.cli", "log", "--mqtt", url,
                                        "--db", str(tmp_path / "fleet.db"), "--name", "fleet",
                                        "--status-every", "0.5"]),
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, text=True)
            procs.append(collector)
            wait_for(lambda: "connected to" in (tmp_path / "collector.out").read_text(), 60,
                     "the collector connecting over the namespace network")
            hosts_ = [subprocess.Popen(hosts.run(role, fleet_host(url, tmp_path / f"{role}.db",
                                                                  tmp_path / f"{role}.eeprom")),
                                       cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True)
                      for role in ("serve1", "serve2")]
            procs += hosts_
            for p in hosts_:
                text, _ = p.communicate(timeout=300)
                assert p.returncode == 0, text[-3000:]
            a1, a2 = content(tmp_path / "serve1.db"), content(tmp_path / "serve2.db")
            assert a1["samples"] and a2["samples"]
            want = sorted(a1["samples"] + a2["samples"])
            assert len({s[0] for s in want}) == 2  # two boards
            wait_for(lambda: len(content(tmp_path / "fleet.db")["samples"]) >= len(want), 60,
                     "every sample in the collector's database")
            collector.send_signal(signal.SIGTERM)
            assert collector.wait(30) == 0, (tmp_path / "collector.out").read_text()[-3000:]
            fleet = content(tmp_path / "fleet.db")
            assert sorted(fleet["samples"]) == want
            assert sorted(fleet["events"]) == sorted(a1["events"] + a2["events"])
            assert sorted(fleet["sessions"]) == sorted(a1["sessions"] + a2["sessions"])
            assert "rows committed to" in (tmp_path / "collector.out").read_text()
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait(10)
