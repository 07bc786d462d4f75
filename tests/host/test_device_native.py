"""The device commands and the session against the native simulated board over its real pty."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from tendril.boards import load_board
from tendril.contract import EventKind
from tendril.errors import DeviceError, ImageRefused
from tendril.image import Sensor, decode, encode, with_generation
from tendril.protocol import Event, GetParams, Params, Telemetry
from tendril.recipes import compile_recipe, load
from tendril.session import Session, read_config, read_params
from tendril.session.push import push
from tendril.transport import SerialTransport

from .conftest import WATERER, tendril

LEASE_END = 3  # off reason (protocol.md, EVENT)


def pushed(native) -> None:
    result = tendril("push", str(WATERER), "--port", native.port)
    assert result.exit_code == 0, result.stderr
    assert "verified by read-back" in result.stdout


def test_status_says_who_the_board_is_and_what_it_runs(native):
    pushed(native)
    result = tendril("status", "--port", native.port, "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["board"] == "uno" and info["firmware"] == "tendril-native"
    assert info["generation"] == 1 and info["recipe"] == "plant-waterer"
    assert info["values"] is not None and len(info["params"]) == 2


def test_push_twice_is_already_active_and_writes_nothing(native):
    pushed(native)
    again = tendril("push", str(WATERER), "--port", native.port)
    assert again.exit_code == 0, again.stderr
    assert "no changes" in again.stdout and "already active" in again.stdout
    with Session(native.port) as s:
        assert s.hello.config_generation == 1


def test_a_hostile_recipe_is_refused_before_a_byte_is_sent(native, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(WATERER.read_text().replace('pin = { uno = "D7"', 'pin = { uno = "D99"'))
    result = tendril("push", str(bad), "--port", native.port)
    assert result.exit_code == 1 and "D99" in result.stderr
    assert "Traceback" not in result.stderr
    with Session(native.port) as s:
        assert s.hello.config_generation == 0


def test_a_sensor_the_board_was_not_built_with_is_refused_before_a_byte_is_sent(native):
    plain = decode(compile_recipe(load(WATERER), load_board("uno")))
    with_sensor = encode(replace(plain, sensors=(Sensor(200, 3),)))  # a kind no board has
    with Session(native.port) as s:
        assert s.hello.sensor_kinds == 0xFFF  # the DS18B20, DHTs, HC-SR04, pulse counter and the seven I2C kinds
        with pytest.raises(ImageRefused, match="sensor 0 is sensor kind 200.*built with sensor kinds ds18b20, dht22, dht11, hcsr04, pulse"):
            push(s, with_sensor)
        assert s.handshake().config_generation == 0


def test_an_image_of_the_older_format_is_refused_by_the_board_with_words_to_push_again(native):
    image = bytearray(compile_recipe(load(WATERER), load_board("uno")))
    image[8] = 1  # format 1: before the sensors section
    with Session(native.port) as s:
        with pytest.raises(DeviceError, match="IMAGE_INVALID.*another config image format.*push the recipe again"):
            push(s, with_generation(bytes(image), 0))  # CRC made right again
        assert s.handshake().config_generation == 0


def test_pull_round_trips_to_the_pushed_image(native, tmp_path):
    pushed(native)
    out = tmp_path / "pulled.toml"
    result = tendril("pull", "--port", native.port, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    with Session(native.port) as s:
        active = read_config(s)
    again = compile_recipe(load(out), load_board("uno"))
    assert with_generation(again, 1) == active


def test_set_persists_across_a_restart_and_out_of_range_is_refused(native):
    pushed(native)
    ok = tendril("set", "dry_threshold=40 %", "--recipe", str(WATERER), "--port", native.port)
    assert ok.exit_code == 0, ok.stderr
    bad = tendril("set", "dry_threshold=95 %", "--recipe", str(WATERER), "--port", native.port)
    assert bad.exit_code == 1 and "95 % is outside 10 % .. 80 %" in bad.stderr
    by_index = tendril("set", "0=95000", "--port", native.port)  # the board itself refuses it
    assert by_index.exit_code == 1 and "OUT_OF_RANGE" in by_index.stderr
    native.start()  # power cycle on the same EEPROM
    with Session(native.port) as s:
        assert s.call(GetParams(0), expect=Params).values[0] == 40_000


def test_run_is_a_lease_that_ends_on_its_own(native):
    pushed(native)
    with Session(native.port) as watcher:
        result = tendril("run", "pump", "--for", "1 s", "--recipe", str(WATERER), "--port", native.port)
        assert result.exit_code == 0, result.stderr
        off = watcher.wait_for(lambda m: isinstance(m, Event) and m.kind == EventKind.ACT_OFF, 4.0)
    assert off is not None and off.b == LEASE_END and 900 <= off.value <= 1300


def test_run_longer_than_max_on_is_refused_with_the_limit(native):
    pushed(native)
    result = tendril("run", "0", "--for", "30 s", "--port", native.port)
    assert result.exit_code == 1 and "LIMIT_MAX_ON" in result.stderr and "10 s" in result.stderr


def test_pause_and_resume_show_in_hello(native):
    pushed(native)
    assert tendril("pause", "--port", native.port).exit_code == 0
    with Session(native.port) as s:
        assert s.hello.flags & 0x02
    assert tendril("resume", "--port", native.port).exit_code == 0
    with Session(native.port) as s:
        assert not s.hello.flags & 0x02


def test_reconnect_after_the_board_restarts_on_a_new_pty(native):
    with Session(native.port, candidates=lambda: [native.port], auto_reconnect=True) as s:
        first = s.hello
        s.ping()
        native.start()  # stopped and restarted: same EEPROM, new pty path
        s.ping()  # the old port is gone: the session finds the board again by its device id
        assert s.hello.device_id == first.device_id
        assert s.hello.boot_count == first.boot_count + 1
        assert s.health.reconnects == 1 and s.port == native.port


def test_status_of_a_missing_port_is_one_clear_line():
    result = tendril("status", "--port", "/dev/does-not-exist")
    assert result.exit_code == 1 and result.stderr.startswith("tendril: cannot open")
    assert len(result.stderr.strip().splitlines()) == 1


def test_push_of_a_changed_recipe_says_what_changed_in_words(native, tmp_path):
    pushed(native)
    changed = tmp_path / "waterer.toml"
    changed.write_text(WATERER.read_text().replace('default = "4 s"', 'default = "6 s"'))
    result = tendril("push", str(changed), "--port", native.port)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "changes:" and any("pulse" in line and "6 s" in line for line in lines)
    with Session(native.port) as s:
        assert s.hello.config_generation == 2


def test_a_request_the_board_missed_is_resent_with_the_same_seq(native):
    with Session(native.port, timeout=0.3) as s:
        # A partial frame with no delimiter: the board glues it to the next request, whose CRC
        # then fails, so the first copy is lost on the floor and only the retry is answered.
        s.transport.write(b"\x07junk")
        assert s.ping() > 0
        assert s.health.retries == 1 and s.health.timeouts == 1


def test_a_fresh_board_reports_no_recipe(native):
    result = tendril("status", "--port", native.port, "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["generation"] == 0 and info["recipe"] is None
    pull = tendril("pull", "--port", native.port)
    assert pull.exit_code == 1 and "no recipe" in pull.stderr


class NoisyTransport(SerialTransport):
    """The real pty, with line noise (bad CRC, broken COBS, stray text) before every read."""

    NOISE = b"\x03\x01\x02\x00\xff\xfe\x00\x05\x01\x84\x07\x09\x00noise\n\x00"

    def read(self, timeout: float) -> bytes:
        data = super().read(timeout)
        return self.NOISE + data if data else data


def test_corrupt_bytes_from_the_board_are_counted_and_no_wrong_value_gets_through(native):
    pushed(native)
    with Session(NoisyTransport(native.port)) as s:
        for i in range(20):
            s.ping(bytes([i + 1]) * 4)
        s.poll(1.5)
        params = s.call(GetParams(0), expect=Params)
    assert params.values == (35_000, 4_000)
    assert s.health.resyncs >= 40 and s.health.decoder["crc"] + s.health.decoder["cobs"] >= 40
    telemetry = [m for m in s.messages if isinstance(m, Telemetry)]
    assert telemetry and all(len(t.values) == 2 and t.first_channel == 0 for t in telemetry)
    assert all(t.values[1] in (0, 1000) for t in telemetry)  # the tank switch: empty or not
    assert set(s.lines) == {"noise"}  # the stray text, shown as device output


def test_status_shows_a_running_lease_by_name(native):
    pushed(native)
    assert tendril("run", "0", "--for", "5 s", "--port", native.port).exit_code == 0
    result = tendril("status", "--port", native.port, "--json", "--recipe", str(WATERER))
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["recipe"] == "plant-waterer"
    assert info["actuators"]["pump"].startswith("on (lease,")
    assert set(info["values"]) == {"soil", "tank_empty"}


def test_reconnect_on_the_same_path_when_the_port_comes_back(native, tmp_path):
    link = tmp_path / "usb-tendril-if00"  # what a /dev/serial/by-id link does on a replug
    link.symlink_to(native.port)
    with Session(str(link), auto_reconnect=True) as s:
        first = s.hello
        native.start()
        link.unlink()
        link.symlink_to(native.port)
        s.poll(0.3)  # the read finds the old pty gone and reconnects
        assert s.health.reconnects == 1 and s.port == str(link)
        assert s.hello.device_id == first.device_id and s.ping() > 0


def _params(native) -> list[int]:
    with Session(native.port) as s:
        return read_params(s)


def test_pull_writes_the_tuned_value_the_board_runs(native, tmp_path):
    # Seen: after `set dry_threshold="36 %"`, pull wrote the recipe's default = "30 %".
    pushed(native)
    assert tendril("set", "dry_threshold=38 %", "--recipe", str(WATERER), "--port", native.port).exit_code == 0
    out = tmp_path / "pulled.toml"
    assert tendril("pull", "--port", native.port, "-o", str(out)).exit_code == 0
    pulled = load(out)
    assert pulled.params[0].default == 38_000
    assert (pulled.params[0].min, pulled.params[0].max) == (10_000, 80_000)


def _with_new_default(tmp_path):
    changed = tmp_path / "basil.toml"
    changed.write_text(WATERER.read_text().replace('default = "35 %"', 'default = "30 %"'))
    return changed


def test_push_keeps_a_tuned_value_and_says_so(native, tmp_path):
    # Seen: set 38 %, push a recipe whose default changed: the 38 % was dropped without a word.
    pushed(native)
    assert tendril("set", "dry_threshold=38 %", "--recipe", str(WATERER), "--port", native.port).exit_code == 0
    result = tendril("push", str(_with_new_default(tmp_path)), "--port", native.port)
    assert result.exit_code == 0, result.stderr
    assert "dry_threshold: tuned to 38 % on the board: kept (the recipe says 30 %)" in result.stdout
    assert "1 tuned value set again" in result.stdout
    assert _params(native)[0] == 38_000
    native.start()  # and it survives a power cycle under the new generation
    assert _params(native)[0] == 38_000


def test_push_reset_tuned_uses_the_recipe_values(native, tmp_path):
    pushed(native)
    assert tendril("set", "dry_threshold=38 %", "--recipe", str(WATERER), "--port", native.port).exit_code == 0
    result = tendril("push", str(_with_new_default(tmp_path)), "--reset-tuned", "--port", native.port)
    assert result.exit_code == 0, result.stderr
    assert "dry_threshold: tuned to 38 % on the board: reset to the recipe's 30 %" in result.stdout
    assert _params(native)[0] == 30_000


def test_push_says_when_a_tuned_value_cannot_be_kept(native, tmp_path):
    pushed(native)
    assert tendril("set", "dry_threshold=75 %", "--recipe", str(WATERER), "--port", native.port).exit_code == 0
    narrower = tmp_path / "narrow.toml"
    narrower.write_text(WATERER.read_text().replace('max = "80 %"', 'max = "60 %"', 1))
    result = tendril("push", str(narrower), "--port", native.port)
    assert result.exit_code == 0, result.stderr
    assert "outside the new recipe's 10 % .. 60 %" in result.stdout
    assert _params(native)[0] == 35_000


def test_the_host_remembers_what_it_pushed_for_pull_set_run_and_status(native, tmp_path):
    # Seen: a plain pull printed param0/channel0 and set said "the recipe has: none". A recipe no
    # catalog holds (renamed), so only the log database's config history can name it.
    mine = tmp_path / "mine.toml"
    mine.write_text(WATERER.read_text().replace("dry_threshold", "thirst").replace("pump", "valve")
                    .replace('default = "4 s"', 'default = "5 s"'))
    assert tendril("push", str(mine), "--port", native.port).exit_code == 0
    pulled = tendril("pull", "--port", native.port)
    assert pulled.exit_code == 0, pulled.stderr
    assert "[parameters.thirst]" in pulled.stdout and "param0" not in pulled.stdout
    ok = tendril("set", "thirst=40 %", "--port", native.port)
    assert ok.exit_code == 0, ok.stderr
    assert _params(native)[0] == 40_000
    wrong = tendril("set", "thrist=40 %", "--port", native.port)
    assert wrong.exit_code == 1 and "the recipe has: thirst, pulse" in wrong.stderr
    run = tendril("run", "valve", "--for", "1 s", "--port", native.port)
    assert run.exit_code == 0, run.stderr
    info = json.loads(tendril("status", "--port", native.port, "--json").stdout)
    assert "valve" in info["actuators"]
    # Another database knows nothing of it: generic names, as before.
    other = tendril("pull", "--port", native.port, "--db", str(tmp_path / "other.db"))
    assert other.exit_code == 0 and "[parameters.param0]" in other.stdout


def _paused(native) -> bool:
    with Session(native.port) as s:
        return bool(s.hello.flags & 0x02)  # HELLO's flag is the engine's own automation switch


def test_a_pause_survives_a_reset_and_a_push_until_resume(native, tmp_path):
    # Seen: a restart silently resumed (a real Uno resets whenever a command opens its port).
    pushed(native)
    result = tendril("pause", "--port", native.port)
    assert result.exit_code == 0 and "until `tendril resume`" in result.stdout
    native.start()  # power cycle on the same EEPROM
    assert _paused(native)
    assert tendril("push", str(_with_new_default(tmp_path)), "--port", native.port).exit_code == 0
    assert _paused(native)
    assert tendril("resume", "--port", native.port).exit_code == 0
    native.start()
    assert not _paused(native)


def test_push_shows_only_what_changes_on_this_board(native, tmp_path, monkeypatch):
    # Seen: a push of a copy with the pump moved D7 -> D8 listed every channel's pins on every
    # board and an identical calibration; the real change was buried. With no log database and no
    # --recipe, the board's image is decompiled, naming one board's pins only.
    pushed(native)
    monkeypatch.setenv("TENDRIL_DB", str(tmp_path / "empty.db"))
    moved = tmp_path / "mine.toml"
    moved.write_text(WATERER.read_text().replace('uno = "D7"', 'uno = "D8"'))
    result = tendril("push", str(moved), "--port", native.port)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["changes:", "  pump pin D7 -> D8"]
    assert "verified by read-back" in result.stdout.splitlines()[2]


def test_status_and_export_write_the_device_id_the_same_way(native, tmp_path):
    # Seen: status showed de7a15c8, export 3732542920 for the same board.
    from tendril.cli import cli
    from click.testing import CliRunner

    pushed(native)
    db = tmp_path / "log.db"
    logged = CliRunner().invoke(cli, ["log", "--port", native.port, "--db", str(db), "--duration", "1"])
    assert logged.exit_code == 0, logged.output
    status = json.loads(tendril("status", "--port", native.port, "--json").stdout)
    rows = tendril("export", "--db", str(db), "--format", "jsonl", "--device", status["device_id"])
    assert rows.exit_code == 0, rows.stderr
    ids = {json.loads(line)["device_id"] for line in rows.stdout.splitlines()}
    assert ids == {status["device_id"]} and len(status["device_id"]) == 8


def test_status_speaks_in_words_and_units(native):
    # Seen: status printed raw dicts of thousandths, "plant-water" and param values as integers.
    native.spec.extra += ["--set", "plant soil=A0 float=2 pump=7 pump_active=low"]  # a plant in the pot
    native.start()
    pushed(native)
    assert tendril("set", "dry_threshold=36 %", "--port", native.port).exit_code == 0
    result = tendril("status", "--port", native.port)
    assert result.exit_code == 0, result.stderr
    lines = {line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip() for line in result.stdout.splitlines()}
    assert lines["recipe"] == "plant-waterer"
    assert re.fullmatch(r"soil \d{1,2}\.\d %  tank_empty (yes|no)  pump (off|on.*)  today \d+ s of 5 min",
                        lines["now"]), lines["now"]
    assert lines["parameters"] == "dry_threshold 36 %  pulse 4 s"


def test_status_says_when_a_reading_in_percent_is_outside_0_to_100(native, tmp_path):
    # Seen: a recipe whose soil sensor sits on a pin nothing drives read "177.8 %" and nothing said why.
    moved = tmp_path / "soil-on-a1.toml"
    moved.write_text(WATERER.read_text().replace('uno = "A0", mega2560 = "A0"', 'uno = "A1", mega2560 = "A1"'))
    assert tendril("push", str(moved), "--port", native.port).exit_code == 0
    result = tendril("status", "--port", native.port, "--recipe", str(moved))
    assert result.exit_code == 0, result.stderr
    now = next(line for line in result.stdout.splitlines() if line.strip().startswith("now:"))
    assert "soil 177.8 % (outside 0 .. 100 %: is the sensor wired, and its calibration for it?)" in now, now
    assert "tank_empty" in now and "(outside" not in now.split("tank_empty")[1]
