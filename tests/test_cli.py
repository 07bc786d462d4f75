"""The `tendril` command as a user runs it."""

from __future__ import annotations

import pytest

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tendril import __version__
from tendril.cli import cli

from .conftest import ROOT, VECTORS

IMAGES = {c["name"]: bytes.fromhex(c["image"])
          for c in json.loads((VECTORS / "images" / "images.json").read_text())["cases"]}


def _tendril() -> list[str]:
    exe = shutil.which("tendril", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "tendril.cli"]


def test_version_from_the_installed_command():
    out = subprocess.run([*_tendril(), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"tendril, version {__version__}"


def test_image_check_accepts_a_good_image_and_refuses_a_hostile_one(tmp_path):
    good, bad = tmp_path / "good.img", tmp_path / "bad.img"
    good.write_bytes(IMAGES["plant_waterer_uno"])
    bad.write_bytes(IMAGES["max_on_two_hours_above_ceiling"])
    result = CliRunner().invoke(cli, ["image", "check", str(good), str(bad), "--board", "uno"])
    assert result.exit_code == 1
    assert "good.img: ok for uno" in result.output
    assert "ABOVE_CEILING" in result.output


def test_user_mistakes_give_one_line_and_no_traceback(tmp_path):
    result = CliRunner().invoke(cli, ["image", "check", str(tmp_path / "missing.img"), "-b", "uno"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"tendril: cannot read {tmp_path / 'missing.img'}: No such file or directory"]
    result = CliRunner().invoke(cli, ["image", "check", str(tmp_path), "-b", "zx81"])
    assert result.exit_code == 1 and "unknown board 'zx81'" in result.output
    assert "Traceback" not in result.output


def test_image_show_describes_the_rule_in_words(tmp_path):
    path = tmp_path / "plant.img"
    path.write_bytes(IMAGES["plant_waterer_uno"])
    result = CliRunner().invoke(cli, ["image", "show", str(path)])
    assert result.exit_code == 0
    assert "rule 0: channel 0 < param 0" in result.output
    assert "max_on 30 s, min_off 1 min, daily cap 10 min" in result.output


@pytest.mark.parametrize("recipe", sorted(p.stem for p in (ROOT / "boards" / "recipes").glob("*.toml")))
def test_image_show_tells_every_shipped_recipe_field_by_field(recipe, tmp_path):
    """Sensors and their channels, servos, guards: every kind an image holds, no traceback."""
    from tendril.boards import load_board
    from tendril.recipes import compile_recipe, load
    path = tmp_path / f"{recipe}.img"
    path.write_bytes(compile_recipe(load(ROOT / "boards" / "recipes" / f"{recipe}.toml"), load_board("uno")))
    result = CliRunner().invoke(cli, ["image", "show", str(path)])
    assert result.exit_code == 0 and result.exception is None, result.output
    if recipe == "greenhouse":
        assert "sensor 0: dht22 on pin 4" in result.output and "channel 0: sensor 0 quantity 0" in result.output
        assert "pin 9 servo 15..110° (safe 15°), max_on none" in result.output
    if recipe == "plant-waterer-flow":
        assert "rule 1: guard: while actuator 0 is on, channel 1 < param 2" in result.output


@pytest.mark.slow
def test_demo_tells_the_plant_waterer_story():
    result = CliRunner().invoke(cli, ["demo", "--speed", "0", "--hours", "8"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "pump ON for a watering pulse" in out
    assert "pulse done, letting the water soak in" in out
    assert "the interlock stopped the pump" in out
    assert "the tank is empty, so the pump stays off" in out
    # Watering resumes once the tank is refilled.
    after_refill = out.split("you refill the tank")[1]
    assert "pump ON" in after_refill


def test_boards_name_shows_each_pin_and_what_it_can_do():
    result = CliRunner().invoke(cli, ["boards", "uno"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:]}
    assert list(lines)[:3] == ["D0", "D1", "D2"] and len(lines) == 20
    assert "analog in, digital in/out" in lines["A0"]
    assert "digital in/out, PWM" in lines["D9"] and "PWM" not in lines["D8"]
    assert "reserved by the board" in lines["D0"] and "UART RX" in lines["D0"]
    assert "not for actuators" in lines["D13"]
    nano = CliRunner().invoke(cli, ["boards", "nano"]).output  # a board that extends another
    assert "A7   analog in " in nano and "UART RX" in nano


def test_boards_name_as_json_carries_the_pins():
    result = CliRunner().invoke(cli, ["boards", "pico", "--json"])
    board = json.loads(result.output)
    pins = {p["name"]: p for p in board["pins"]}
    assert board["name"] == "pico" and board["adc_bits"] == 16
    assert pins["GP26"]["can"] == ["analog in", "digital in/out", "PWM"]


def test_an_unknown_board_name_lists_the_known_ones_in_one_line():
    result = CliRunner().invoke(cli, ["boards", "unoo"])
    assert result.exit_code == 1
    assert result.output == ("tendril: unknown board 'unoo'; known boards: esp32-devkit, mega2560, "
                             "nano, pico, uno\n")
