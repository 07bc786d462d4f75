"""`tendril sim` as a user runs it: a real subprocess, its first stdout line, the real board behind
the port it names, Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from tendril.sim.link import PtyLink
from tendril.sim.runner import ROOT, hello

from .conftest import LineLink, probe_elf
from ..support.simavr_board import build_product

pytestmark = pytest.mark.slow  # tendril sim on simulated boards, subprocesses


TENDRIL = [sys.executable, "-m", "tendril.cli"]


def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([*TENDRIL, "sim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)


def said(proc: subprocess.Popen, count: int) -> list[str]:
    """The first ``count`` lines tendril sim says on stderr (the board's own pin lines skipped)."""
    lines: list[str] = []
    while len(lines) < count:
        line = proc.stderr.readline()
        assert line, f"tendril sim said only {lines}"
        if line.startswith("tendril sim:"):
            lines.append(line.rstrip("\n"))
    return lines


def interrupt(proc: subprocess.Popen) -> int:
    """Ctrl-C; the exit status (killed, and a failure, if it has not stopped within 15 s)."""
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def test_sim_runs_any_sketch_and_prints_its_port_first(simavr_built, tmp_path):
    proc = start("--elf", str(probe_elf("uno")), "--fast", "--eeprom", str(tmp_path / "e.bin"))
    try:
        first = proc.stdout.readline()
        assert first.startswith("port: /dev/pts/"), first + proc.stderr.read()
        link = LineLink(first.split()[1])
        assert link.ask("ehi") == "ehi"
        link.close()
    finally:
        assert interrupt(proc) == 0, proc.stderr.read()


@pytest.mark.parametrize("config", ["image", "recipe"])
def test_sim_pushes_the_config_then_hands_over_the_port(simavr_built, tmp_path, config):
    build_product("uno")
    if config == "image":
        from tendril.sim.story import plant_waterer_image
        path = tmp_path / "plant.img"
        path.write_bytes(plant_waterer_image())
    else:
        path = ROOT / "boards" / "recipes" / "plant-waterer.toml"
    proc = start(str(path), "--fast", "--eeprom", str(tmp_path / "e.bin"))
    try:
        first = proc.stdout.readline()
        assert first.startswith("port: /dev/pts/"), first + proc.stderr.read()
        with PtyLink(first.split()[1]) as link:  # the push is done and the port is free
            now = hello(link)
        assert now.config_generation == 1 and any(now.recipe_hash)
    finally:
        assert interrupt(proc) == 0, proc.stderr.read()


def test_sim_says_what_is_wrong_in_one_line(simavr_built, tmp_path):
    bad = tmp_path / "recipe.txt"
    bad.write_text("hello")
    done = subprocess.run(check=False, args=[*TENDRIL, "sim", str(bad)], capture_output=True, text=True, cwd=ROOT,
                          timeout=30)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == (f"tendril: {bad}: a config is a recipe (.toml) or a compiled "
                                   "image (.img, .bin)")
    done = subprocess.run(check=False, args=[*TENDRIL, "sim", "--runtime", "native", "--elf", str(probe_elf("uno"))],
                          capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert done.returncode == 1
    assert "--elf runs an AVR program: it needs --runtime avr" in done.stderr


def test_a_sketch_that_does_not_speak_tendril_fails_the_push_clearly(simavr_built, tmp_path):
    from tendril.sim.story import plant_waterer_image
    img = tmp_path / "plant.img"
    img.write_bytes(plant_waterer_image())
    done = subprocess.run(check=False, args=[*TENDRIL, "sim", str(img), "--elf", str(probe_elf("uno")), "--fast",
                           "--eeprom", str(tmp_path / "e.bin")], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert "no tendril board answered HELLO" in done.stderr


def test_one_scenario_file_drives_the_native_board_too(tmp_path):
    """firmware/sim/scenarios/plant-waterer.scn on `--runtime native`: its plant dries below the
    recipe's threshold and the firmware waters it (the native board reads the same format)."""
    from tendril.contract import EventKind
    from tendril.protocol import Event

    scenario = ROOT / "firmware" / "sim" / "scenarios" / "plant-waterer.scn"
    recipe = ROOT / "boards" / "recipes" / "plant-waterer.toml"
    proc = start(str(recipe), "--runtime", "native", "--scenario", str(scenario), "--fast",
                 "--eeprom", str(tmp_path / "e.bin"))
    try:
        first = proc.stdout.readline()
        assert first.startswith("port: /dev/pts/"), first + proc.stderr.read()
        with PtyLink(first.split()[1]) as link:
            seen = [m for _, m in link.messages(5.0)]
        ons = [m for m in seen if isinstance(m, Event) and m.kind == EventKind.ACT_ON]
        assert ons, f"the pump never ran: {seen[-5:]}"
    finally:
        assert interrupt(proc) == 0, proc.stderr.read()


def test_speed_runs_the_board_clock_faster_than_the_wall_clock(tmp_path):
    import time

    from tendril.protocol import RequestStatus

    recipe = ROOT / "boards" / "recipes" / "plant-waterer.toml"
    proc = start(str(recipe), "--runtime", "native", "--speed", "20", "--eeprom", str(tmp_path / "e.bin"))
    try:
        first = proc.stdout.readline()
        assert first.startswith("port: /dev/pts/"), first + proc.stderr.read()
        with PtyLink(first.split()[1]) as link:
            before, wall = link.request(RequestStatus(0, 0)).time_ms, time.monotonic()
            time.sleep(1.0)
            after, wall = link.request(RequestStatus(0, 0)).time_ms, time.monotonic() - wall
        # Never ahead of 20x the wall clock (on any machine); behind it only by what a loaded
        # machine takes from a board that needs a few percent of a core at 20x.
        assert 10 <= (after - before) / 1000 / wall <= 20 * 1.05, (after - before, wall)
    finally:
        assert interrupt(proc) == 0, proc.stderr.read()


def test_without_a_scenario_the_plant_is_wired_to_the_recipes_own_pins(tmp_path):
    """A recipe with its pump on D8, no scenario: the soil reads the plant model within 0..100 %
    (not the 177.8 % of an unwired A0), the pump on D8 waters it, and sim names the recipe. The
    board's clock is held until the push is done and, with --fast, waits for this reader."""
    from tendril.contract import EventKind
    from tendril.protocol import Event, Telemetry

    import time

    recipe = tmp_path / "my-pot.toml"
    recipe.write_text((ROOT / "boards" / "recipes" / "plant-waterer.toml").read_text()
                      .replace('uno = "D7", mega2560 = "D7"', 'uno = "D8", mega2560 = "D8"'))
    proc = start(str(recipe), "--runtime", "native", "--fast", "--eeprom", str(tmp_path / "e.bin"))
    try:
        first = proc.stdout.readline()
        assert first.startswith("port: /dev/pts/"), first + proc.stderr.read()
        runs, plant = said(proc, 2)
        assert runs.startswith("tendril sim: uno (native) runs plant-waterer 1.0.0, generation 1; EEPROM in ")
        assert plant == ("tendril sim: plant model: soil sensor on A0 (dry 800, wet 350), pump on D8, "
                         "tank float switch on D2")
        soil: dict[int, int] = {}  # board ms -> thousandths of a %
        pump = []
        def watered() -> bool:  # a pump run, and 5 s of board time after it
            return len(pump) >= 2 and max(soil) >= pump[1][1] + 5000

        with PtyLink(first.split()[1]) as link:
            deadline = time.monotonic() + 60  # only against a hang: the board waits for us
            while not (soil and watered()) and time.monotonic() < deadline:
                link.poll(0.1)
                for _, m in link.take():
                    if isinstance(m, Telemetry) and m.first_channel == 0:
                        soil[m.time_ms] = m.values[0]
                    elif isinstance(m, Event) and m.kind in (EventKind.ACT_ON, EventKind.ACT_OFF) and m.a == 0:
                        pump.append((m.kind, m.time_ms))
        assert soil and all(0 <= v <= 100_000 for v in soil.values()), sorted(soil.values())[-3:]
        (on, t_on), (off, t_off) = pump[:2]
        assert (on, off) == (EventKind.ACT_ON, EventKind.ACT_OFF)
        before = soil[max(t for t in soil if t <= t_on)]
        after = max(v for t, v in soil.items() if t_off <= t <= t_off + 5000)
        assert after > before + 2000, (before, after)  # 4 s of pump: 80 ml, 4 points wetter
    finally:
        assert interrupt(proc) == 0
    assert "pin 8 0" in proc.stderr.read()  # the relay on D8 switched on (active low)


def test_a_channel_nothing_drives_is_warned_about_in_one_line(tmp_path):
    proc = start(str(ROOT / "boards" / "recipes" / "weather-logger.toml"), "--runtime", "native", "--fast",
                 "--eeprom", str(tmp_path / "e.bin"))
    try:
        assert proc.stdout.readline().startswith("port: ")
        lines = said(proc, 3)
    finally:
        assert interrupt(proc) == 0
    assert lines[0] == ("tendril sim: warning: temperature on A0 reads 0 with nothing simulated wired to "
                        "it: -50 °C, outside its calibration (readings 102 .. 307)")
    assert lines[2].startswith("tendril sim: uno (native) runs weather-logger 1.0.0")


def test_a_board_that_comes_up_with_an_earlier_runs_recipe_says_so(tmp_path):
    import os

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}  # the default EEPROM lives here
    recipe = ROOT / "boards" / "recipes" / "plant-waterer.toml"
    first = start(str(recipe), "--runtime", "native", "--fast", env=env)
    try:
        assert first.stdout.readline().startswith("port: ")
        assert "shared by every `tendril sim` of uno (native) without --eeprom" in said(first, 1)[0]
    finally:
        assert interrupt(first) == 0
    again = start("--runtime", "native", "--fast", env=env)  # nothing pushed this time
    try:
        assert again.stdout.readline().startswith("port: ")
        line = said(again, 1)[0]
    finally:
        assert interrupt(again) == 0
    assert line.endswith("it came up running plant-waterer 1.0.0, kept from an earlier run (push a recipe "
                         "to replace it, or give --eeprom FILE for a board of its own)")
