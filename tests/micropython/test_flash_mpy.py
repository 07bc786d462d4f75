"""Deploy logic of `tendril flash --micropython` that runs without a board: compiling, and clear
errors for a wrong port."""

from __future__ import annotations

import pytest
from tendril.errors import TendrilError
from tendril.flash import FlashError
from tendril.flash.micropython import FIRMWARE, compile_firmware, deploy, stop_firmware


def test_compile_firmware_makes_one_mpy_per_module(tmp_path):
    files = compile_firmware(tmp_path)
    assert {f.stem for f in files} == {p.stem for p in (FIRMWARE / "tdfw").glob("*.py")}
    assert all(f.read_bytes()[:1] == b"M" for f in files)  # the .mpy magic


def test_a_missing_port_is_one_clear_error(tmp_path):
    with pytest.raises(FlashError, match="no board at /dev/tendril-nope"):
        stop_firmware("/dev/tendril-nope")


def test_deploy_refuses_a_board_that_does_not_run_micropython():
    with pytest.raises(FlashError, match="does not run MicroPython"):
        deploy("/dev/null", board="uno", log=lambda s: None)


def test_flash_errors_are_tendril_errors():
    assert issubclass(FlashError, TendrilError)


def test_flash_micropython_defaults_to_a_pico_and_compiles_the_recipe_before_touching_the_port():
    from click.testing import CliRunner
    from tendril.boards import boards_dir
    from tendril.cli import cli

    recipe = boards_dir() / "recipes" / "plant-waterer.toml"
    result = CliRunner().invoke(cli, ["flash", "--micropython", "--port", "/dev/tendril-nope",
                                      "--recipe", str(recipe)])
    assert result.exit_code == 1
    assert "compiled" in result.output and "no board at /dev/tendril-nope" in result.output
    assert "Traceback" not in result.output


def test_a_recipe_is_refused_for_an_avr_board_flash():
    from click.testing import CliRunner
    from tendril.boards import boards_dir
    from tendril.cli import cli

    recipe = boards_dir() / "recipes" / "plant-waterer.toml"
    result = CliRunner().invoke(cli, ["flash", "--port", "/dev/tendril-nope", "--recipe", str(recipe)])
    assert result.exit_code == 1 and "--recipe is for MicroPython boards" in result.output
