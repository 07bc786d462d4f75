"""The pieces of serve that need no board: the runtime file, broker URLs, the zero-configuration
broker, the systemd unit, and the one line a broker that cannot be used gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tendril.serve.broker import OwnBroker, answers
from tendril.serve.bus import BrokerError, BrokerUrl
from tendril.serve.runtime import find_local_serve, remove_runtime, write_runtime


def test_the_runtime_file_is_found_while_its_process_lives(tmp_path):
    path = tmp_path / "serve.json"
    info = {"name": "pi", "pid": os.getpid(), "broker": "mqtt://127.0.0.1:1883", "prefix": "tendril",
            "read_only": False, "boards": {}}
    write_runtime(info, path)
    assert find_local_serve(path) == info
    assert [p.name for p in tmp_path.iterdir()] == ["serve.json"]  # no temporary file left
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    write_runtime({**info, "pid": dead.pid}, path)
    assert find_local_serve(path) is None  # a serve killed with kill -9 left its file
    remove_runtime(path, pid=os.getpid())
    assert path.exists()  # not ours: left alone
    remove_runtime(path)
    assert find_local_serve(path) is None
    path.write_text("{half")
    assert find_local_serve(path) is None


def test_broker_urls():
    u = BrokerUrl.parse("mqtts://serve:p%40ss@broker.lan")
    assert (u.host, u.port, u.tls, u.user, u.password) == ("broker.lan", 8883, True, "serve", "p@ss")
    assert u.public() == "mqtts://serve@broker.lan:8883"
    assert BrokerUrl.parse("mqtt://10.0.0.2:1884").public() == "mqtt://10.0.0.2:1884"
    for bad in ("http://x", "mqtt://", "mqtt://h:99999", "mqtt://h/topic"):
        with pytest.raises(BrokerError):
            BrokerUrl.parse(bad)


def test_serve_starts_its_own_broker_and_stops_it(tmp_path):
    own = OwnBroker(tmp_path).start()
    try:
        assert answers("127.0.0.1", own.port)
        assert "allow_anonymous true" in (tmp_path / "mosquitto.conf").read_text()
    finally:
        own.stop()
    assert not answers("127.0.0.1", own.port)


def _tendril(*args, env=None):
    return subprocess.run([sys.executable, "-m", "tendril.cli", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def test_a_broker_that_does_not_answer_gives_one_line_and_exit_1(tmp_path):
    from ..support.mosquitto import free_port
    r = _tendril("serve", "--broker", f"mqtt://127.0.0.1:{free_port()}", "--db",
                 str(tmp_path / "x.db"), env={"TENDRIL_RUNTIME_DIR": str(tmp_path)})
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("tendril: broker mqtt://127.0.0.1:")
    assert "Traceback" not in r.stderr and not (tmp_path / "serve.json").exists()


def test_print_unit_runs_this_tendril_with_the_options():
    r = _tendril("serve", "--print-unit", "--broker", "mqtt://ha.local", "--read-only")
    assert r.returncode == 0
    assert "Restart=on-failure" in r.stdout
    exec_line = next(line for line in r.stdout.splitlines() if line.startswith("ExecStart="))
    assert exec_line.endswith("serve --broker mqtt://ha.local --read-only")
    assert "--print-unit" not in exec_line
