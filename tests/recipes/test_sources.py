"""Installing from a recipe file, an http(s) URL and a git catalog; updates that go back to where a
recipe came from; uninstall; file permissions. Real files, a real git repository, a real HTTP server."""

from __future__ import annotations

import hashlib
import json
import os
import stat

from tendril.recipes import load
from tendril.recipes.install import LOCK

from .conftest import PLANT, RECIPES, cli_run, git

NIGHT = (RECIPES / "night-light.toml").read_text()


def _bump(text: str, version: str, old: str = '"40 %"', new: str = '"60 %"') -> str:
    return text.replace('version = "1.0.0"', f'version = "{version}"').replace(old, new)


def _pin(folder, name: str) -> dict:
    return json.loads((folder / LOCK).read_text())["recipes"][name]


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_install_from_a_file_records_its_absolute_path_and_update_finds_it_from_anywhere(tmp_path, monkeypatch):
    friend, folder = tmp_path / "from-a-friend", tmp_path / "mine"
    friend.mkdir()
    (friend / "night-light.toml").write_text(NIGHT)
    monkeypatch.chdir(friend)
    result = cli_run("recipe", "install", "./night-light.toml", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert "installed night-light 1.0.0 from " in result.output
    pin = _pin(folder, "night-light")
    assert pin["kind"] == "file" and pin["source"] == str(friend / "night-light.toml")
    monkeypatch.chdir(tmp_path)  # somewhere else: the lock does not depend on the cwd
    (friend / "night-light.toml").write_text(_bump(NIGHT, "1.1.0"))
    result = cli_run("recipe", "update", "night-light", "--yes", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert "night-light 1.0.0 -> 1.1.0:" in result.output and "level 60 % while it holds" in result.output
    assert load(folder / "night-light.toml").meta.version == "1.1.0"
    assert "is up to date" in cli_run("recipe", "update", "night-light", "--dir", str(folder)).output


def test_a_folder_catalog_is_remembered_as_an_absolute_path(tmp_path, monkeypatch):
    cat, folder = tmp_path / "cat", tmp_path / "mine"
    cat.mkdir()
    (cat / "night-light.toml").write_text(NIGHT)
    assert cli_run("recipe", "index", str(cat)).exit_code == 0
    monkeypatch.chdir(tmp_path)
    assert cli_run("recipe", "install", "night-light", "--catalog", "cat", "--dir", str(folder)).exit_code == 0
    assert _pin(folder, "night-light")["source"] == str(cat)
    (cat / "night-light.toml").write_text(_bump(NIGHT, "1.0.1"))
    assert cli_run("recipe", "index", str(cat)).exit_code == 0
    monkeypatch.chdir(folder)
    result = cli_run("recipe", "update", "night-light", "--yes", "--dir", str(folder))
    assert "updated night-light to 1.0.1" in result.output, result.output


def test_installed_files_get_ordinary_permissions(tmp_path):
    folder = tmp_path / "mine"
    assert cli_run("recipe", "install", "plant-waterer", "--dir", str(folder)).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert _mode(folder / "plant-waterer.toml") == 0o644 & ~umask  # was 0600
    assert _mode(folder / LOCK) == 0o644 & ~umask


def test_install_and_update_from_a_url(tmp_path, http_root):
    www, base = http_root
    (www / "night-light.toml").write_text(NIGHT)
    folder = tmp_path / "mine"
    url = f"{base}/night-light.toml"
    result = cli_run("recipe", "install", url, "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert _pin(folder, "night-light") == {"kind": "url", "source": url, "version": "1.0.0",
                                           "sha256": hashlib.sha256(NIGHT.encode()).hexdigest()}
    (www / "night-light.toml").write_text(_bump(NIGHT, "2.0.0"))
    result = cli_run("recipe", "update", "night-light", "--yes", "--dir", str(folder))
    assert "updated night-light to 2.0.0" in result.output, result.output
    assert _pin(folder, "night-light")["source"] == url


def test_a_url_with_the_same_version_and_other_bytes_is_refused_on_update(tmp_path, http_root):
    www, base = http_root
    (www / "night-light.toml").write_text(NIGHT)
    folder = tmp_path / "mine"
    assert cli_run("recipe", "install", f"{base}/night-light.toml", "--dir", str(folder)).exit_code == 0
    (www / "night-light.toml").write_text(NIGHT.replace('"40 %"', '"90 %"'))  # silently changed, same version
    result = cli_run("recipe", "update", "night-light", "--yes", "--dir", str(folder))
    assert result.exit_code == 1 and "the same version with different content. Refusing" in result.output
    assert load(folder / "night-light.toml").rules[0].level_text == "40 %"


def test_install_from_a_git_catalog_and_update_from_the_lock(tmp_path, git_catalog):
    url, work = git_catalog({"lights/night-light.toml": NIGHT})
    folder = tmp_path / "mine"
    result = cli_run("recipe", "install", f"git+{url}#night-light@1.0.0", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    pin = _pin(folder, "night-light")
    assert (pin["kind"], pin["source"], pin["path"]) == ("git", url, "lights/night-light.toml")
    (work / "lights" / "night-light.toml").write_text(_bump(NIGHT, "1.0.1"))
    assert cli_run("recipe", "index", str(work)).exit_code == 0
    git("commit", "-qam", "brighter", cwd=work)
    git("push", "-q", "origin", "HEAD", cwd=work)
    result = cli_run("recipe", "update", "night-light", "--yes", "--dir", str(folder))  # no --catalog
    assert "updated night-light to 1.0.1" in result.output, result.output
    assert all(p.is_relative_to(folder) for p in folder.rglob("*"))


def test_uninstall_removes_the_file_and_its_pin(tmp_path):
    folder = tmp_path / "mine"
    assert cli_run("recipe", "install", "plant-waterer", "--dir", str(folder)).exit_code == 0
    assert cli_run("recipe", "install", "night-light", "--dir", str(folder)).exit_code == 0
    result = cli_run("recipe", "uninstall", "plant-waterer", "--dir", str(folder))
    assert result.exit_code == 0 and "removed plant-waterer 1.0.0" in result.output
    assert not (folder / "plant-waterer.toml").exists()
    assert list(json.loads((folder / LOCK).read_text())["recipes"]) == ["night-light"]
    again = cli_run("recipe", "uninstall", "plant-waterer", "--dir", str(folder))
    assert again.exit_code == 1 and again.stderr == f"tendril: plant-waterer is not installed in {folder}\n"


def test_uninstall_keeps_a_changed_recipe_unless_forced(tmp_path):
    folder = tmp_path / "mine"
    assert cli_run("recipe", "install", "night-light", "--dir", str(folder)).exit_code == 0
    path = folder / "night-light.toml"
    path.write_text(path.read_text() + "# my note\n")
    refused = cli_run("recipe", "uninstall", "night-light", "--dir", str(folder))
    assert refused.exit_code == 1 and "was changed since it was installed" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1 and path.exists()
    assert cli_run("recipe", "uninstall", "night-light", "--force", "--dir", str(folder)).exit_code == 0
    assert not path.exists()


def test_a_recipe_that_does_not_compile_for_its_boards_is_not_installed(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(PLANT.read_text().replace('max_on = "10 s"', 'max_on = "2 d"'))
    result = cli_run("recipe", "install", str(bad), "--dir", str(tmp_path / "mine"))
    assert result.exit_code == 1
    assert result.stderr.startswith("tendril: bad.toml:") and "does not compile for uno" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "mine").exists()


def test_a_recipe_installed_from_one_source_is_not_silently_replaced_from_another(tmp_path):
    folder, friend = tmp_path / "mine", tmp_path / "night-light.toml"
    assert cli_run("recipe", "install", "night-light", "--dir", str(folder)).exit_code == 0
    friend.write_text(_bump(NIGHT, "1.2.0"))
    result = cli_run("recipe", "install", str(friend), "--dir", str(folder))
    assert result.exit_code == 1
    assert result.stderr == (f"tendril: night-light 1.0.0 is installed from the shipped catalog; `tendril recipe "
                             f"uninstall night-light` first to take it from {friend}\n")
