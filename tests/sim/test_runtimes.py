"""The runtimes: one interface each kind of simulated board implements, a registry the CLI and the
demo pick from, and what each says it can do."""

from __future__ import annotations

import pytest
from tendril.errors import SimError
from tendril.sim.runner import SimSpec
from tendril.sim.runtimes import BOARDS, REGISTRY, default_runtime, runtime


def test_every_board_has_a_default_runtime_and_every_runtime_is_in_the_registry():
    assert list(REGISTRY) == ["avr", "native", "python"]
    assert {b: default_runtime(b) for b in BOARDS} == {
        "uno": "avr", "nano": "avr", "mega2560": "avr", "pico": "python", "esp32-devkit": "python"}
    assert REGISTRY["native"].boards == BOARDS  # one tendril-native binary a board


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_runtime_starts_its_board_in_a_scenario_file_with_its_clock_held(name, tmp_path):
    rt = runtime(name)
    assert rt.caps.scenarios and rt.caps.hold
    scn = tmp_path / "world.scn"
    scn.write_text("adc 26 100\n" if rt.boards[0] == "pico" else "adc A0 100\n")
    argv = SimSpec(board=rt.boards[0], runtime=name, scenario=scn, hold=True, eeprom=tmp_path / "e").argv()
    assert argv[argv.index("--scenario") + 1] == str(scn) and "--hold" in argv
    assert argv[argv.index("--eeprom" if name != "python" else "--storage") + 1] == str(tmp_path / "e")


def test_a_runtime_refuses_what_it_cannot_do_and_names_what_can():
    with pytest.raises(SimError, match="simulate pico with --runtime native or python"):
        SimSpec(board="pico", runtime="avr").argv()
    with pytest.raises(SimError, match="--elf runs an AVR program: it needs --runtime avr"):
        SimSpec(board="uno", runtime="native", elf="x.elf").argv()
    with pytest.raises(SimError, match="unknown runtime 'qemu'"):
        SimSpec(runtime="qemu").argv()


def test_a_board_keeps_its_config_where_its_runtime_says():
    assert REGISTRY["avr"].stored_config("uno").name == "uno-avr.eeprom"
    assert REGISTRY["python"].stored_config("pico").name == "pico-python"  # a folder of files
    assert REGISTRY["python"].caps.keeps_config == "a folder of files"
    assert REGISTRY["avr"].caps.real_binary and not REGISTRY["native"].caps.real_binary
