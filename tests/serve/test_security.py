"""Security at the broker: users and an ACL (right credentials work, wrong ones give one line and
exit 1), TLS with a CA file, and --read-only (commands have no effect, no writable entities)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tendril.mqtt.ha_rules import check

from ..support.mosquitto import Broker
from .conftest import TIMEOUT, Watcher, board_of, state_where

pytestmark = pytest.mark.slow  # a serve subprocess against a live simulated board

ACL = ["user serve", "topic readwrite tendril/#", "topic readwrite homeassistant/#",
       "user watcher", "topic readwrite #"]


def test_read_only_serve_publishes_but_takes_no_command(broker, watcher, fast_board, start_serve):
    board = board_of(fast_board.port)
    serve = start_serve(broker.url, fast_board.port, extra=["--read-only"])
    watcher.wait(state_where(lambda s: s["board"] == board))
    _, config, _ = watcher.wait_topic(f"homeassistant/device/tendril_{board}/config")
    payload = json.loads(config)
    check(payload)
    platforms = {c["p"] for c in payload["cmps"].values()}
    assert not platforms & {"switch", "number", "button", "select"}
    assert "binary_sensor_actuator_pump" in payload["cmps"]
    since = watcher.count()
    watcher.publish(f"tendril/{board}/cmd/run", json.dumps({"actuator": "pump", "for_s": 2}))
    watcher.publish(f"tendril/{board}/cmd/status", "{}")
    # Twenty more states (two seconds of telemetry) and still no reply, no pump.
    watcher.wait(lambda t, p, n=[0]: t.endswith("/state") and (n.__setitem__(0, n[0] + 1) or n[0] >= 20),
                 since=since)
    seen = watcher.messages[since:]
    assert not [m for m in seen if m[0].endswith("/response")]
    assert all(not json.loads(p)["actuators"]["pump"].get("on") for t, p, _ in seen
               if t.endswith("/state"))
    rc, _, err = serve.stop()
    assert rc == 0, err


def test_right_credentials_work_and_wrong_ones_give_one_line_and_exit_1(
        tmp_path, fast_board, start_serve):
    broker = Broker(tmp_path / "auth", users={"serve": "s3cret", "watcher": "w"}, acl=ACL).start()
    try:
        bad = start_serve(f"mqtt://serve@{broker.host}:{broker.port}", fast_board.port,
                          env={"TENDRIL_MQTT_PASSWORD": "wrong"})
        rc, err = bad.proc.wait(TIMEOUT), bad.stderr
        assert rc == 1
        lines = [line for line in err.splitlines() if line.startswith("tendril:")]
        assert len(lines) == 1 and "refused" in lines[0] and "s3cret" not in err, err
        assert "Traceback" not in err

        board = board_of(fast_board.port)
        pw = tmp_path / "pw"
        pw.write_text("s3cret\n")
        w = Watcher(broker.host, broker.port, "watcher", "w")
        try:
            good = start_serve(f"mqtt://serve@{broker.host}:{broker.port}", fast_board.port,
                               extra=["--password-file", str(pw)])
            w.wait_topic("tendril/serve/testhost/availability", "online")
            w.wait(state_where(lambda s: s["board"] == board))
            rc, _, err = good.stop()
            assert rc == 0, err
        finally:
            w.close()
    finally:
        broker.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_tls_with_a_ca_file(tmp_path, fast_board, start_serve):
    d = tmp_path / "tls"
    d.mkdir()
    run = lambda *a: subprocess.run(["openssl", *a], cwd=d, check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
        "-days", "2", "-subj", "/CN=tendril test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.crt", "-days", "2", "-extfile", "san.ext")
    plain = Broker(tmp_path / "tlsbroker")
    from ..support.mosquitto import free_port
    tls_port = free_port()
    broker = Broker(tmp_path / "tlsbroker", port=plain.port, extra=[
        f"listener {tls_port} 127.0.0.1", f"cafile {d / 'ca.crt'}", f"certfile {d / 'server.crt'}",
        f"keyfile {d / 'server.key'}", "allow_anonymous true"]).start()
    try:
        board = board_of(fast_board.port)
        w = Watcher(broker.host, broker.port)  # the plain listener, to watch
        try:
            serve = start_serve(f"mqtts://127.0.0.1:{tls_port}", fast_board.port,
                                extra=["--ca-file", str(d / "ca.crt")])
            w.wait_topic("tendril/serve/testhost/availability", "online")
            w.wait(state_where(lambda s: s["board"] == board))
            rc, _, err = serve.stop()
            assert rc == 0, err
        finally:
            w.close()
        # Without the CA, the broker's certificate is not trusted: one line, exit 1.
        untrusted = start_serve(f"mqtts://127.0.0.1:{tls_port}", fast_board.port)
        assert untrusted.proc.wait(TIMEOUT) == 1
        assert [line for line in untrusted.stderr.splitlines() if line.startswith("tendril:")]
        assert "Traceback" not in untrusted.stderr
    finally:
        broker.stop()
