"""A diff in words lists only what differs in what the board would run, most important first."""

from __future__ import annotations

from click.testing import CliRunner
from tendril.cli import cli
from tendril.recipes import compile_recipe, decompile, diff, diff_boards, load, parse

from .conftest import PLANT, board

PUMP_ON_D8 = PLANT.read_text().replace('uno = "D7"', 'uno = "D8"')


def test_against_the_board_image_only_the_real_change_shows():
    # Seen: a push of a copy of plant-waterer with the pump moved D7 -> D8 listed every channel's
    # pins on every board ("soil pin A0 -> A0 on uno, A0 on mega2560, ...") and a calibration
    # "change" with the same values: the board's image, decompiled, names one board's pins only.
    uno = board("uno")
    new = parse(PUMP_ON_D8, "mine.toml")
    running = load_text(decompile(compile_recipe(load(PLANT), uno), uno, new))
    noisy = diff(running, new)
    assert any("soil pin A0 -> A0 on uno" in line for line in noisy)  # what was shown before
    assert any("soil calibration" in line for line in noisy)
    assert diff(running, new, uno) == ["pump pin D7 -> D8"]


def load_text(text: str):
    return parse(text, "board.toml")


def test_most_important_first_pins_limits_rules_then_the_rest():
    uno = board("uno")
    old = load(PLANT)
    new = parse(PUMP_ON_D8.replace('max_on = "10 s"', 'max_on = "8 s"').replace('"35 %"', '"30 %"')
                .replace('cooldown = "2 min"', 'cooldown = "3 min"').replace('version = "1.0.0"', 'version = "1.1.0"'),
                "mine.toml")
    lines = diff(old, new, uno)
    assert lines[0] == "pump pin D7 -> D8" and lines[1] == "pump max_on 10 s -> 8 s"
    assert lines[2].startswith("rule water:") and "3 min" in lines[2]
    assert lines[3:] == ["recipe version 1.0.0 -> 1.1.0", "parameter dry_threshold default 35 % -> 30 %"]


def test_a_change_for_one_board_names_it_and_is_nothing_for_the_others():
    new = parse(PLANT.read_text().replace('mega2560 = "D7"', 'mega2560 = "D9"'), "mine.toml")
    old = load(PLANT)
    assert diff(old, new, board("uno")) == []
    boards = [board(n) for n in ("uno", "mega2560", "pico")]
    assert diff_boards(old, new, boards) == ["pump pin D7 -> D9 (on mega2560)"]


def test_recipe_diff_cli_per_board_and_for_every_board(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(PUMP_ON_D8)
    runner = CliRunner()
    every = runner.invoke(cli, ["recipe", "diff", str(PLANT), str(mine)])
    assert every.exit_code == 0 and every.output == "pump pin D7 -> D8 (on uno, nano)\n"  # the Nano takes the Uno's pins
    uno = runner.invoke(cli, ["recipe", "diff", str(PLANT), str(mine), "--board", "uno"])
    assert uno.output == "pump pin D7 -> D8\n"
    pico = runner.invoke(cli, ["recipe", "diff", str(PLANT), str(mine), "--board", "pico"])
    assert pico.exit_code == 0 and pico.output == "no changes for pico\n"
