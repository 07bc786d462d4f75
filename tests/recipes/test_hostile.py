"""Hostile recipes yield validation errors, never a crash, a device write or a file outside the folder."""

from __future__ import annotations

import pytest
from tendril.recipes import RecipeError, compile_recipe, load, parse
from tendril.recipes.install import InstallError, Store, parse_spec

from .conftest import PLANT, board

BASE = PLANT.read_text()


def _swap(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


CORPUS = {
    "huge_number": _swap('default = "35 %"', 'default = "1e400 %"'),
    "huge_integer": _swap('smoothing = 2', 'smoothing = 99999999999999999999999999'),
    "huge_value": _swap('max = "80 %"', 'max = "1000000.001 %"'),
    "negative_duration": _swap('cooldown = "2 min"', 'cooldown = "-2 min"'),
    "negative_pin": _swap('uno = "A0"', 'uno = -14'),
    "nan": _swap('smoothing = 2', 'smoothing = nan'),
    "nan_value": _swap('default = "35 %"', 'default = nan'),
    "inf_gain": _swap('uno = [{ reading = 800', 'uno = { gain = inf, offset = "0 %" }, x = [{ reading = 800'),
    "zero_pulse": _swap('default = "4 s"\nmin = "1 s"', 'default = "0 s"\nmin = "0 s"'),
    "zero_interval": BASE + '\n[rules.often]\nevery = "0 s"\ndo = { actuator = "pump", for = "1 s" }\n',
    "zero_sample": _swap('sample_every = "500 ms"', 'sample_every = "0 s"'),
    "wrong_pin_name": _swap('uno = "A0"', 'uno = "A99"'),
    "pin_with_separator": _swap('uno = "A0"', 'uno = "../A0"'),
    "deep_nesting": BASE + "\nx = " + "[" * 5000 + "]" * 5000 + "\n",
    "deep_inline": BASE + "\ny = " + "{a=" * 300 + "1" + "}" * 300 + "\n",
    "name_with_slash": _swap('name = "plant-waterer"', 'name = "../../etc/passwd"'),
    "name_with_backslash": _swap('name = "plant-waterer"', 'name = "..\\\\evil"'),
    "item_name_with_dot": _swap("[actuators.pump]", '[actuators."../pump"]'),
    "include_key": "include = \"/etc/passwd\"\n" + BASE,
    "binary": "\x00\x01\x02 not toml",
    "not_utf8": None,
    "many_channels": BASE + "".join(f'\n[channels.c{i}]\npin = "A1"\nkind = "analog"\n' for i in range(70)),
    "long_summary": _swap('summary = "', 'summary = "' + "x" * 5000),
    "control_in_image_name": _swap('image_name = "plant-water"', 'image_name = "pl\\u0001nt"'),
    "unicode_name": _swap('name = "plant-waterer"', 'name = "plänt"'),
    "wrong_types": _swap('boards = [', 'boards = 5\nold_boards = ['),
    "bool_as_number": _swap('smoothing = 2', 'smoothing = true'),
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_recipe_gives_only_validation_errors(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = CORPUS[name]
    data = b"\xff\xfe plant" if text is None else text.encode()
    with pytest.raises(RecipeError) as err:
        compile_recipe(parse(data, "hostile.toml"), board("uno"))
    assert err.value.issues and all(i.file == "hostile.toml" and i.line >= 1 for i in err.value.issues)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_ten_megabyte_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(BASE.encode() + b"#" * (10 * 1024 * 1024))
    with pytest.raises(RecipeError) as err:
        load(path)
    assert "65537 bytes is above the recipe size limit of 65536" in str(err.value)


@pytest.mark.parametrize("spec", ["../evil", "a/b", "a\\b", "..", ".hidden", "x@../1.0.0", "/etc/passwd", "ok@1.0"])
def test_names_that_could_escape_the_recipe_folder_are_refused(spec, tmp_path):
    with pytest.raises(InstallError):
        parse_spec(spec)
    with pytest.raises(InstallError):
        Store(tmp_path).path(spec)
