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


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*TENDRIL, "sim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)


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
