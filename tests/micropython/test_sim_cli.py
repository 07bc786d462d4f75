"""`tendril sim --board pico`: the MicroPython firmware as the simulated board of last resort."""

from __future__ import annotations

import subprocess
import sys

from tendril.boards import boards_dir, load_board
from tendril.recipes import compile_recipe, load
from tendril.sim.link import PtyLink
from tendril.sim.runner import hello

RECIPE = boards_dir() / "recipes" / "plant-waterer.toml"


def test_sim_pushes_a_recipe_to_the_micropython_board_and_hands_over_the_port(tmp_path):
    image = compile_recipe(load(RECIPE), load_board("pico"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tendril.cli", "sim", str(RECIPE), "--board", "pico", "--fast",
         "--eeprom", str(tmp_path / "flash")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("port: "), proc.stderr.read() if proc.poll() is not None else first
        with PtyLink(first.removeprefix("port: ")) as link:
            device = hello(link)
        assert device.board_class == 3 and device.text == "tendril-mpy"
        assert device.recipe_hash == image[14:22] and device.config_generation >= 1
    finally:
        proc.terminate()  # SIGTERM: tendril sim stops its board too
        proc.wait(10)
    assert not _processes_naming(tmp_path / "flash"), "the board outlived `tendril sim`"
    # The pushed config is kept in the board's folder, like a real Pico keeps its files.
    assert any((tmp_path / "flash").iterdir())


def test_sim_runs_the_micropython_board_in_a_scenario_file(tmp_path):
    """`tendril sim --board pico --scenario F`: the python runtime takes the scenario files the
    other runtimes take; the recipe's soil channel reads what the file says (no plant model)."""
    from tendril.image import decode
    from tendril.protocol import Telemetry

    scenario = tmp_path / "pot.scn"
    scenario.write_text("adc GP26 512  # 1.65 V of the Pico's 3.3 V\ndigital GP15 1\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tendril.cli", "sim", str(RECIPE), "--board", "pico", "--fast",
         "--scenario", str(scenario), "--eeprom", str(tmp_path / "flash")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("port: "), proc.stderr.read() if proc.poll() is not None else first
        with PtyLink(first.removeprefix("port: ")) as link:
            seen = [m for _, m in link.messages(3.0) if isinstance(m, Telemetry)]
    finally:
        proc.terminate()
        proc.wait(10)
    soil = decode(compile_recipe(load(RECIPE), load_board("pico"))).channels[0]
    want = soil.offset + (((512 << 6) * soil.gain) >> 16)  # the recipe's calibration of 512 << 6
    assert seen and abs(seen[-1].values[0] - want) <= 1 and seen[-1].values[1] == 0  # float: has water


def _processes_naming(path) -> list[int]:
    """Pids whose command line mentions ``path`` (the simulated board's storage folder), once the
    board has had its time to shut down after the SIGINT tendril sim sends it (up to 10 s)."""
    import os
    import time
    deadline = time.monotonic() + 10
    while True:
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if str(path).encode() in fh.read():
                        found.append(int(pid))
            except OSError:  # gone meanwhile
                pass
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
