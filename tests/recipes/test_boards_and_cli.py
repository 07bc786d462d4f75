"""Board files as data, and the `tendril recipe` commands as a user runs them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from tendril.boards import board_names, load_board
from tendril.cli import cli
from tendril.contract import PinCap
from tendril.recipes import compile_recipe, load

from .conftest import PLANT


@pytest.mark.parametrize("name", board_names())
def test_every_board_file_loads_with_sizes_usb_ids_and_firmware_kind(name):
    b = load_board(name)
    assert b.firmware in ("arduino", "micropython") and b.flash_bytes > 0 and b.ram_bytes > 0
    assert b.usb_ids and len({str(u) for u in b.usb_ids}) == len(b.usb_ids)
    assert (b.eeprom_bytes > 0) == (b.firmware == "arduino")


def test_nano_extends_uno_with_two_analog_only_pins_and_its_own_usb_ids():
    uno, nano = load_board("uno"), load_board("nano")
    assert nano.extends == "uno" and nano.pins[: len(uno.pins)] == uno.pins
    assert [(p.name, p.caps) for p in nano.pins[len(uno.pins):]] == [("A6", PinCap.ANALOG_IN), ("A7", PinCap.ANALOG_IN)]
    assert {str(u) for u in nano.usb_ids} == {"0403:6001", "1a86:7523", "10c4:ea60"}
    assert "2341:0043" in {str(u) for u in uno.usb_ids} and "1a86:7523" in {str(u) for u in uno.usb_ids}
    assert (nano.max_image, nano.ceiling_max_on_ms, nano.eeprom_bytes) == (uno.max_image, uno.ceiling_max_on_ms, 1024)


def test_validate_compile_decompile_from_the_command_line(tmp_path):
    run = CliRunner().invoke
    ok = run(cli, ["recipe", "validate", str(PLANT)])
    assert ok.exit_code == 0 and "ok for uno, nano, mega2560, pico, esp32-devkit" in ok.output
    img = tmp_path / "p.img"
    done = run(cli, ["recipe", "compile", str(PLANT), "-b", "uno", "-o", str(img)])
    assert done.exit_code == 0 and img.read_bytes() == compile_recipe(load(PLANT), load_board("uno"))
    assert run(cli, ["image", "check", str(img), "-b", "uno"]).exit_code == 0
    back = run(cli, ["recipe", "decompile", str(img), "--recipe", str(PLANT), "-o", str(tmp_path / "back.toml")])
    assert back.exit_code == 0
    # The decompiled image runs on the Uno only, with the same pins and calibration there: the
    # only change is where it runs (before, every channel's pins were listed for every board).
    assert run(cli, ["recipe", "diff", str(PLANT), str(tmp_path / "back.toml")]).output == (
        "recipe boards uno, nano, mega2560, pico, esp32-devkit -> uno\n")


def test_a_bad_recipe_fails_validate_with_lines_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(PLANT.read_text().replace('uno = "D7"', 'uno = "D13"'))
    result = CliRunner().invoke(cli, ["recipe", "validate", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bad.toml:" in result.output and "actuators.pump.pin.uno: D13 is not for actuators on uno" in result.output
    result = CliRunner().invoke(cli, ["recipe", "compile", str(bad), "-b", "uno", "-o", str(tmp_path / "x.img")])
    assert result.exit_code == 1 and result.output.startswith("tendril: bad.toml:")
    assert not (tmp_path / "x.img").exists()


def test_new_scaffolds_a_recipe_that_validates(tmp_path):
    run = CliRunner().invoke
    out = tmp_path / "my-pump.toml"
    assert run(cli, ["recipe", "new", "my-pump", "-o", str(out), "--author", "Ada"]).exit_code == 0
    assert load(out).meta.author == "Ada" and run(cli, ["recipe", "validate", str(out)]).exit_code == 0
    out2 = tmp_path / "my-vent.toml"
    assert run(cli, ["recipe", "new", "my-vent", "--from", "greenhouse-vent", "-o", str(out2), "--author", "Ada"]).exit_code == 0
    assert load(out2).meta.derived_from == "greenhouse-vent@1.0.0"
    assert run(cli, ["recipe", "new", "my-vent", "-o", str(out2)]).exit_code == 1  # never overwrites


def test_schema_command_prints_json_schema():
    result = CliRunner().invoke(cli, ["recipe", "schema"])
    schema = json.loads(result.output)
    assert schema["$schema"].endswith("2020-12/schema") and "channel" in schema["$defs"]


def test_the_blank_template_reads_a_capacitive_soil_sensor_dry_low_and_wet_high(tmp_path):
    from tendril.image import decode

    out = tmp_path / "my-pot.toml"
    assert CliRunner().invoke(cli, ["recipe", "new", "my-pot", "-o", str(out), "--author", "Ada"]).exit_code == 0
    text = out.read_text()
    assert "reads HIGH when dry and LOW when wet" in text
    sensor = decode(compile_recipe(load(out), load_board("uno"))).channels[0]

    def percent(raw: int) -> float:  # the board's arithmetic (docs/config-image.md)
        return (sensor.offset + ((raw * sensor.gain) >> 16)) / 1000

    assert round(percent(800)) == 0 and round(percent(350)) == 100  # dry soil, then soaked
    assert percent(600) > percent(700)  # wetter reads lower, and higher %
