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


# --- hostile sources: a URL, a git catalog, a file -----------------------------------------------

def _cli(*args):
    from .conftest import cli_run
    return cli_run(*args)


def _refused(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("tendril: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, result.stderr


def test_a_url_whose_bytes_do_not_match_the_asked_hash_is_refused(tmp_path, http_root):
    www, base = http_root
    (www / "plant.toml").write_text(BASE)
    folder = tmp_path / "mine"
    result = _cli("recipe", "install", f"{base}/plant.toml", "--sha256", "ab" * 32, "--dir", str(folder))
    _refused(result, "has sha256", "not the " + "ab" * 32)
    assert not folder.exists()
    import hashlib
    good = hashlib.sha256(BASE.encode()).hexdigest()
    assert _cli("recipe", "install", f"{base}/plant.toml", "--sha256", good, "--dir", str(folder)).exit_code == 0


def test_an_oversize_url_or_file_is_refused(tmp_path, http_root):
    www, base = http_root
    big = BASE.encode() + b"#" * (10 * 1024 * 1024)
    (www / "big.toml").write_bytes(big)
    folder = tmp_path / "mine"
    _refused(_cli("recipe", "install", f"{base}/big.toml", "--dir", str(folder)), "above the recipe size limit of 65536")
    (tmp_path / "big.toml").write_bytes(big)
    _refused(_cli("recipe", "install", str(tmp_path / "big.toml"), "--dir", str(folder)), "above the recipe size limit")
    assert not folder.exists()


def test_a_url_recipe_with_an_escaping_name_is_refused(tmp_path, http_root):
    www, base = http_root
    (www / "evil.toml").write_text(_swap('name = "plant-waterer"', 'name = "../../evil"'))
    _refused(_cli("recipe", "install", f"{base}/evil.toml", "--dir", str(tmp_path / "mine")),
             "not a valid recipe: recipe.name: '../../evil' is not valid here")
    assert [p for p in tmp_path.parent.rglob("evil*") if www not in p.parents] == [] and not (tmp_path / "mine").exists()


def test_a_missing_url_is_one_line(tmp_path, http_root):
    _, base = http_root
    _refused(_cli("recipe", "install", f"{base}/nothing.toml", "--dir", str(tmp_path / "mine")), "404")


def _hostile_git(git_catalog, tmp_path, entries: list[dict], files: dict[str, bytes]) -> str:
    """A git catalog whose index.json was written by hand (a hostile maintainer)."""
    from .conftest import git
    url, work = git_catalog({})
    for rel, data in files.items():
        (work / rel).write_bytes(data)
    import json
    (work / "index.json").write_text(json.dumps({"format": 1, "recipes": entries}))
    git("add", ".", cwd=work)
    git("commit", "-qm", "hostile", cwd=work)
    git("push", "-q", "origin", "HEAD", cwd=work)
    return url


def _entry(path: str, data: bytes, name: str = "plant-waterer") -> dict:
    import hashlib
    return {"name": name, "version": "1.0.0", "summary": "s", "path": path, "sha256": hashlib.sha256(data).hexdigest()}


def test_a_git_catalog_file_that_does_not_match_its_index_is_refused(tmp_path, git_catalog):
    url = _hostile_git(git_catalog, tmp_path, [_entry("p.toml", BASE.encode())], {"p.toml": BASE.encode() + b"# swapped\n"})
    _refused(_cli("recipe", "install", f"git+{url}#plant-waterer", "--dir", str(tmp_path / "mine")),
             "p.toml does not match its index")
    assert not (tmp_path / "mine" / "plant-waterer.toml").exists()


def test_a_git_catalog_entry_that_escapes_the_catalog_is_refused(tmp_path, git_catalog):
    secret = tmp_path / "secret.toml"
    secret.write_text(BASE)
    url = _hostile_git(git_catalog, tmp_path, [_entry("../../../secret.toml", BASE.encode())], {})
    _refused(_cli("recipe", "install", f"git+{url}#plant-waterer", "--dir", str(tmp_path / "mine")), "malformed entry")
    _refused(_cli("recipe", "install", f"git+{url}#../../secret", "--dir", str(tmp_path / "mine")), "is not a recipe name")


def test_an_oversize_file_in_a_git_catalog_is_refused_even_with_a_matching_hash(tmp_path, git_catalog):
    big = BASE.encode() + b"#" * (200 * 1024)
    url = _hostile_git(git_catalog, tmp_path, [_entry("p.toml", big)], {"p.toml": big})
    _refused(_cli("recipe", "install", f"git+{url}#plant-waterer", "--dir", str(tmp_path / "mine")),
             "above the recipe size limit")


def test_a_git_url_that_looks_like_an_option_is_refused(tmp_path):
    _refused(_cli("recipe", "install", "git+--upload-pack=touch pwned#x", "--dir", str(tmp_path / "mine")))
    assert not list(tmp_path.rglob("pwned"))


def test_a_git_url_that_would_run_a_command_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    result = _cli("recipe", "install", f"git+ext::sh -c touch% {marker}#x", "--dir", str(tmp_path / "mine"))
    _refused(result, "git clone failed")
    assert not marker.exists()
