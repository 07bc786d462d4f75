"""Holding the clock (firmware/sim/README.md): every simulated board started with --hold stands
still until told, answers its host meanwhile, runs exactly the board ms it is told to, and lets
`tendril sim` start a board's world only once the recipe runs."""

from __future__ import annotations

import sys

import pytest
from tendril.protocol import RequestStatus, Telemetry
from tendril.sim.link import PtyLink
from tendril.sim.runner import ROOT, SimBoard, SimSpec
from tendril.sim.runner import push_image as push_over_link
from tendril.sim.story import plant_waterer_image

from ..support.simavr_board import build_product

pytestmark = pytest.mark.slow  # a simulated board of each runtime

RUNTIMES = {"native": "uno", "avr": "uno", "python": "pico"}


def _image(board: str) -> bytes:
    if board == "pico":
        from tendril.sim.mpy_board import plant_waterer_image as pico_image
        return pico_image("pico")
    return plant_waterer_image()


def _board_ms(link: PtyLink) -> int:
    return link.request(RequestStatus(0, 0)).time_ms


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_held_board_answers_but_its_clock_moves_only_when_told(runtime, simavr_built, tmp_path):
    if runtime == "avr":
        build_product("uno")
    spec = SimSpec(board=RUNTIMES[runtime], runtime=runtime, realtime=False, hold=True,
                   eeprom=tmp_path / ("flash" if runtime == "python" else "board.eeprom"))
    with SimBoard(spec) as sim, PtyLink(sim.port) as link:
        clock = sim.clock
        assert clock.time() == clock.time()
        push_over_link(link, _image(spec.board))  # a whole push while held ...
        held = clock.time()
        status_ms = _board_ms(link)  # ... and a request
        later = clock.time()
        # No board time passes while the host talks (simavr must run the chip to answer: 5 board
        # ms a byte the host sent, whenever the bytes came).
        talk = 200 if runtime == "avr" else 0
        assert held <= later <= held + talk and abs(status_ms - held) <= talk
        after = clock.run(5_000)
        assert after == later + 5_000  # exactly the board time asked for, flat out
        assert abs(_board_ms(link) - after) <= talk  # the firmware's own clock agrees
        telemetry = [m for _, m in link.take() if isinstance(m, Telemetry)]
        assert telemetry and max(t.time_ms for t in telemetry) <= after + talk
        assert clock.go() >= after
        assert clock.run(1_000) >= after + 1_000  # from wherever go had got to


def test_tendril_sim_starts_the_world_once_the_recipe_runs(tmp_path):
    """`tendril sim --fast` with a recipe: the plant's soil is at its starting moisture in the first
    telemetry, however long the push took on this machine (before: 0.7-2.7 % on a slow one)."""
    import subprocess

    recipe = ROOT / "boards" / "recipes" / "plant-waterer.toml"
    scenario = tmp_path / "pot.scn"
    scenario.write_text("plant soil=A0 float=2 pump=7 pump_active=low moisture=37 dry_per_hour=5000\n")
    proc = subprocess.Popen([sys.executable, "-m", "tendril.cli", "sim", str(recipe), "--runtime",
                             "native", "--fast", "--scenario", str(scenario), "--eeprom",
                             str(tmp_path / "e.bin")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("port: "), first + proc.stderr.read()
        with PtyLink(first.split()[1]) as link:
            seen = [m for _, m in link.messages(2.0)]
        soil = [m.values[0] for m in seen if isinstance(m, Telemetry)]
        assert soil, seen
        # 5,000 %/h dries a point every 0.7 board s: the first reading shows a world that started
        # with the recipe, not one that dried while the host pushed.
        assert soil[0] > 30_000, soil[:5]
    finally:
        proc.terminate()
        proc.wait(10)
