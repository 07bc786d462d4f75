"""Catalog indexes that check every recipe against every board it names, provenance that survives
forks (authors kept, derived_from with source and hash), and the index format's JSON Schema."""

from __future__ import annotations

import hashlib
import json

import jsonschema
import pytest
from tendril.recipes import RecipeError, describe, load, parse
from tendril.recipes.catalog import CatalogError, _entries, build_index, index_schema

from .conftest import PLANT, RECIPES, cli_run, line_of
from ..conftest import ROOT

NIGHT = (RECIPES / "night-light.toml").read_text()
TOO_LONG = PLANT.read_text().replace('max_on = "10 s"', 'max_on = "2 days"')
NO_SUCH_PIN = NIGHT.replace('uno = "A2"', 'uno = "A9"')


def test_index_refuses_recipes_that_do_not_compile_for_a_board_they_name(tmp_path):
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "plant-waterer.toml").write_text(TOO_LONG)
    (cat / "night-light.toml").write_text(NO_SUCH_PIN)
    (cat / "ok.toml").write_text((RECIPES / "greenhouse-vent.toml").read_text())
    result = cli_run("recipe", "index", str(cat))
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2  # one line per bad recipe
    night = line_of(NO_SUCH_PIN, 'uno = "A9"')
    assert lines[0] == (f"tendril: night-light.toml:{night}: night-light 1.0.0 does not compile for uno: "
                        "channels.light.pin.uno: uno has no pin 'A9'; analog input pins: A0, A1, A2, A3, A4, A5")
    plant = line_of(TOO_LONG, "max_on")
    assert lines[1].startswith(f"tendril: plant-waterer.toml:{plant}: plant-waterer 1.0.0 does not compile for uno: "
                               "actuators.pump.max_on: ")
    assert not (cat / "index.json").exists()


def test_index_names_a_format_error_in_one_line(tmp_path):
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "x.toml").write_text(BAD := NIGHT.replace("[recipe]", "[recipe]\nflavour = 1"))
    result = cli_run("recipe", "index", str(cat))
    assert result.exit_code == 1
    assert result.stderr == f"tendril: x.toml:{line_of(BAD, 'flavour')}: not a valid recipe: recipe.flavour: unknown key; valid keys here: " \
        "name, version, summary, description, author, license, boards, tags, derived_from, image_name, telemetry\n"


def test_fork_keeps_the_authors_and_records_source_and_hash_and_show_prints_the_chain(tmp_path):
    folder = tmp_path / "mine"
    assert cli_run("recipe", "install", "plant-waterer", "--dir", str(folder)).exit_code == 0
    original = hashlib.sha256((RECIPES / "plant-waterer.toml").read_bytes()).hexdigest()
    assert cli_run("recipe", "fork", "plant-waterer", "balcony", "--author", "Ada", "--dir", str(folder)).exit_code == 0
    balcony = hashlib.sha256((folder / "balcony.toml").read_bytes()).hexdigest()
    assert cli_run("recipe", "fork", "balcony", "porch", "--author", "Bob", "--dir", str(folder)).exit_code == 0
    porch = load(folder / "porch.toml")
    assert porch.meta.authors == ("tendril", "Ada", "Bob")
    assert [(o.name, o.version, o.author, o.source, o.sha256) for o in porch.meta.lineage] == [
        ("plant-waterer", "1.0.0", "tendril", "tendril's shipped catalog", original),
        ("balcony", "0.1.0", "Ada", "", balcony)]  # balcony is Ada's own: no source to name
    shown = cli_run("recipe", "show", str(folder / "porch.toml")).output.splitlines()[1]
    assert shown == (f"by tendril; forked by Ada from tendril's plant-waterer 1.0.0 (sha256 {original}, from "
                     f"tendril's shipped catalog); forked by Bob from Ada's balcony 0.1.0 (sha256 {balcony}); license MIT")


def test_the_index_carries_provenance(tmp_path):
    folder, cat = tmp_path / "mine", tmp_path / "cat"
    assert cli_run("recipe", "fork", "night-light", "reading-lamp", "--author", "Ada", "--dir", str(folder)).exit_code == 0
    cat.mkdir()
    (cat / "reading-lamp.toml").write_bytes((folder / "reading-lamp.toml").read_bytes())
    entry = build_index(cat)["recipes"][0]
    assert entry["authors"] == ["tendril", "Ada"]
    assert entry["derived_from"] == [{
        "name": "night-light", "version": "1.0.0", "author": "tendril", "source": "tendril's shipped catalog",
        "sha256": hashlib.sha256((RECIPES / "night-light.toml").read_bytes()).hexdigest()}]


@pytest.mark.parametrize("bad, message", [
    ('author = ["A", 3]', "recipe.author[1]: expected a string, not an integer"),
    ('author = []', "recipe.author: expected a name or a list of names, not an empty list"),
    ('author = ["' + "x" * 101 + '"]', "recipe.author[0]: 101 characters is above the limit of 100"),
    ('derived_from = [{ name = "a", version = "1.0.0", sha256 = "nothex" }]', "recipe.derived_from[0].sha256: 'nothex' is not valid here"),
    ('derived_from = [{ name = "a", version = "1.0.0", source = "' + "u" * 301 + '" }]', "recipe.derived_from[0].source: 301 characters"),
    ('derived_from = [{ name = "a", version = "1.0.0", source = "a\\nb" }]', "recipe.derived_from[0].source: 'a\\nb' is not valid here"),
    ('derived_from = [{ name = "../a", version = "1.0.0" }]', "recipe.derived_from[0].name: '../a' is not valid here"),
    ('derived_from = [{ name = "a", version = "1.0.0", evil = 1 }]', "recipe.derived_from[0].evil: unknown key"),
    ('derived_from = [' + ', '.join(['{ name = "a", version = "1.0.0" }'] * 33) + ']', "recipe.derived_from: 33 origins is above the limit of 32"),
    ('derived_from = 5', "recipe.derived_from: expected name@version or a list"),
    ('author = ["Ada\\u001b[2J"]', "recipe.author[0]: 'Ada\\x1b[2J' is not valid here; one line of text"),
    ('derived_from = [{ name = "a", version = "1.0.0", author = "B\\u0007" }]', "recipe.derived_from[0].author: "),
])
def test_provenance_fields_are_validated_like_everything_else(bad, message):
    text = PLANT.read_text().replace('author = "tendril"', bad if bad.startswith("author") else 'author = "tendril"\n' + bad)
    with pytest.raises(RecipeError) as err:
        parse(text, "p.toml")
    assert message in str(err.value)


def test_the_old_derived_from_form_still_reads():
    recipe = parse(PLANT.read_text().replace('author = "tendril"', 'author = "Ada"\nderived_from = "plant-waterer@1.0.0"'))
    assert recipe.meta.derived_from == "plant-waterer@1.0.0"
    assert describe(recipe).splitlines()[1] == "forked by Ada from plant-waterer 1.0.0; license MIT"


def test_a_read_back_image_keeps_the_authors_and_the_chain(tmp_path):
    from tendril.recipes import compile_recipe, decompile
    from tendril.boards import load_board
    folder = tmp_path / "mine"
    assert cli_run("recipe", "fork", "plant-waterer", "balcony", "--author", "Ada", "--dir", str(folder)).exit_code == 0
    fork = load(folder / "balcony.toml")
    uno = load_board("uno")
    back = parse(decompile(compile_recipe(fork, uno), uno, fork))
    assert (back.meta.authors, back.meta.lineage) == (fork.meta.authors, fork.meta.lineage)


def test_search_shows_no_control_characters_from_a_catalog(tmp_path):
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "n.toml").write_text(NIGHT.replace('summary = "', 'summary = "\\u001b[2J'))
    assert cli_run("recipe", "index", str(cat)).exit_code == 0
    out = cli_run("recipe", "search", "--catalog", str(cat), "--dir", str(tmp_path / "mine")).output
    assert out.startswith("night-light 1.0.0: ?[2JTurns an LED on") and "\x1b" not in out


SCHEMA = ROOT / "docs" / "index.schema.json"


def test_the_shipped_index_schema_is_current():
    assert json.loads(SCHEMA.read_text()) == index_schema(), "regenerate docs/index.schema.json from index_schema()"


def test_real_indexes_validate_against_the_schema(tmp_path):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    jsonschema.Draft202012Validator.check_schema(validator.schema)
    assert not list(validator.iter_errors(json.loads((RECIPES / "index.json").read_text())))
    folder, cat = tmp_path / "mine", tmp_path / "cat"
    assert cli_run("recipe", "fork", "plant-waterer", "balcony", "--author", "Ada", "--dir", str(folder)).exit_code == 0
    cat.mkdir()
    (cat / "sub").mkdir()
    (cat / "sub" / "balcony.toml").write_bytes((folder / "balcony.toml").read_bytes())
    assert cli_run("recipe", "index", str(cat)).exit_code == 0
    assert not list(validator.iter_errors(json.loads((cat / "index.json").read_text())))


GOOD = {"name": "a", "version": "1.0.0", "summary": "s", "path": "a.toml", "sha256": "0" * 64}


@pytest.mark.parametrize("change", [
    {"path": "../a.toml"}, {"path": "/etc/a.toml"}, {"path": "x/../../a.toml"}, {"path": "a\\..\\b.toml"},
    {"name": "../a"}, {"sha256": "0" * 63}, {"version": "1.0"}, {"authors": "Ada"}, {"authors": [1]},
    {"derived_from": [{"name": "a"}]}, {"derived_from": [{"name": "a", "version": "1.0.0", "x": 1}]},
    {"derived_from": [{"name": "a", "version": "1.0.0", "source": "a\nb"}]}, {"tags": ["A B"]},
    {"summary": "x" * 121}, {"extra": 1}, {"authors": ["A\x1b[2J"]},
])
def test_the_reader_refuses_exactly_what_the_schema_refuses(change):
    validator = jsonschema.Draft202012Validator(index_schema())
    good = {"format": 1, "recipes": [dict(GOOD)]}
    assert not list(validator.iter_errors(good)) and _entries(json.loads(json.dumps(good)), "c")
    bad = {"format": 1, "recipes": [{**GOOD, **change}]}
    assert list(validator.iter_errors(bad))
    with pytest.raises(CatalogError, match="malformed entry"):
        _entries(bad, "c")


def test_an_index_with_unknown_top_level_keys_is_refused():
    with pytest.raises(CatalogError, match="is not a tendril catalog index"):
        _entries({"format": 1, "recipes": [], "run": "rm -rf"}, "c")


def test_forking_a_recipe_that_does_not_read_is_one_line(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "broken.toml").write_text(NIGHT.replace("[recipe]", "[recipe]\nflavour = 1\ncolour = 2"))
    result = cli_run("recipe", "fork", "broken", "fixed", "--dir", str(folder))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("tendril: cannot fork a recipe that does not read: broken.toml:")
    assert "recipe.flavour: unknown key" in result.stderr and result.stderr.endswith("(and 1 more)\n")
