"""Catalogs, installs pinned by hash, updates that show their diff, forks; a real git repo in tmp."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from tendril.cli import cli
from tendril.recipes import load
from tendril.recipes.catalog import build_index, open_catalog
from tendril.recipes.install import LOCK

from .conftest import PLANT, RECIPES


def _run(*args: str, folder=None):
    extra = ["--dir", str(folder)] if folder is not None and args[1] not in ("index", "new") else []
    return CliRunner().invoke(cli, [*args, *extra])


def _catalog(tmp_path, version="1.0.0", text=None):
    cat = tmp_path / "catalog"
    cat.mkdir(exist_ok=True)
    body = (text or PLANT.read_text()).replace('version = "1.0.0"', f'version = "{version}"')
    (cat / "plant-waterer.toml").write_text(body)
    assert _run("recipe", "index", str(cat)).exit_code == 0
    return cat


def test_shipped_catalog_index_is_current():
    on_disk = json.loads((RECIPES / "index.json").read_text())
    assert on_disk == build_index(RECIPES), "run: tendril recipe index boards/recipes"


def test_search_finds_by_tag_and_board(tmp_path):
    result = _run("recipe", "search", "float-switch", folder=tmp_path)
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == ["aquarium", "aquarium-top-off", "plant-waterer"]
    assert "no recipes match" in _run("recipe", "search", "zeppelin", folder=tmp_path).output


def test_install_pins_version_source_and_hash_and_writes_only_into_the_folder(tmp_path):
    folder = tmp_path / "mine"
    result = _run("recipe", "install", "plant-waterer@1.0.0", folder=folder)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["plant-waterer.toml", LOCK]
    pin = json.loads((folder / LOCK).read_text())["recipes"]["plant-waterer"]
    assert pin["version"] == "1.0.0" and pin["source"] == "the shipped catalog"
    import hashlib
    assert pin["sha256"] == hashlib.sha256((folder / "plant-waterer.toml").read_bytes()).hexdigest()
    assert "already installed" in _run("recipe", "install", "plant-waterer", folder=folder).output
    assert "plant-waterer: 1.0.0 from the shipped catalog" in _run("recipe", "list", folder=folder).output


def test_same_version_with_different_content_is_refused(tmp_path):
    folder = tmp_path / "mine"
    cat = _catalog(tmp_path)
    assert _run("recipe", "install", "plant-waterer", "--catalog", str(cat), folder=folder).exit_code == 0
    _catalog(tmp_path, text=PLANT.read_text().replace('max_on = "10 s"', 'max_on = "9 s"'))
    result = _run("recipe", "install", "plant-waterer@1.0.0", "--catalog", str(cat), folder=folder)
    assert result.exit_code == 1
    assert "the same version with different content. Refusing" in result.output
    assert "Traceback" not in result.output


def test_a_file_that_does_not_match_the_index_is_refused(tmp_path):
    cat = _catalog(tmp_path)
    (cat / "plant-waterer.toml").write_text(PLANT.read_text() + "\n# changed after indexing\n")
    result = _run("recipe", "install", "plant-waterer", "--catalog", str(cat), folder=tmp_path / "mine")
    assert result.exit_code == 1 and "does not match its index" in result.output
    assert not (tmp_path / "mine" / "plant-waterer.toml").exists()


def test_update_shows_the_diff_before_applying(tmp_path):
    folder = tmp_path / "mine"
    cat = _catalog(tmp_path)
    assert _run("recipe", "install", "plant-waterer", "--catalog", str(cat), folder=folder).exit_code == 0
    _catalog(tmp_path, "1.1.0", PLANT.read_text().replace('max_on = "10 s"', 'max_on = "8 s"'))
    declined = CliRunner().invoke(cli, ["recipe", "update", "plant-waterer", "--catalog", str(cat), "--dir", str(folder)],
                                  input="n\n")
    assert "plant-waterer 1.0.0 -> 1.1.0:\n  pump max_on 10 s -> 8 s\n  recipe version 1.0.0 -> 1.1.0\n" in declined.output
    assert "not updated" in declined.output and load(folder / "plant-waterer.toml").meta.version == "1.0.0"
    applied = _run("recipe", "update", "plant-waterer", "--yes", "--catalog", str(cat), folder=folder)
    assert "updated plant-waterer to 1.1.0" in applied.output
    assert load(folder / "plant-waterer.toml").actuators[0].max_on_ms == 8000
    assert json.loads((folder / LOCK).read_text())["recipes"]["plant-waterer"]["version"] == "1.1.0"
    assert "is up to date" in _run("recipe", "update", "plant-waterer", "--catalog", str(cat), folder=folder).output


def test_fork_records_derived_from_and_author_and_keeps_comments(tmp_path):
    folder = tmp_path / "mine"
    result = _run("recipe", "fork", "plant-waterer", "balcony-waterer", "--author", "Ada", folder=folder)
    assert result.exit_code == 0, result.output
    path = folder / "balcony-waterer.toml"
    forked = load(path)
    assert (forked.meta.name, forked.meta.version) == ("balcony-waterer", "0.1.0")
    assert forked.meta.authors == ("tendril", "Ada")  # the original author keeps the credit
    assert forked.meta.derived_from == "plant-waterer@1.0.0"
    assert "# let the water soak in" in path.read_text()
    assert "balcony-waterer: your own" in _run("recipe", "list", folder=folder).output


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_catalog_is_cloned_and_updated_through_git(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(RECIPES / "night-light.toml", repo / "night-light.toml")
    assert _run("recipe", "index", str(repo)).exit_code == 0
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "catalog"], check=True)
    folder = tmp_path / "mine"
    url = f"file://{repo}"
    assert "night-light 1.0.0" in _run("recipe", "search", "light", "--catalog", url, folder=folder).output
    result = _run("recipe", "install", "night-light", "--catalog", url, folder=folder)
    assert result.exit_code == 0, result.output
    assert json.loads((folder / LOCK).read_text())["recipes"]["night-light"]["source"] == url
    text = (repo / "night-light.toml").read_text().replace('"1.0.0"', '"1.0.1"').replace('"40 %"', '"60 %"')
    (repo / "night-light.toml").write_text(text)
    assert _run("recipe", "index", str(repo)).exit_code == 0
    subprocess.run([*git, "commit", "-qam", "brighter"], check=True)
    result = _run("recipe", "update", "night-light", "--yes", "--catalog", url, folder=folder)
    assert "level 40 % while it holds" in result.output and "level 60 % while it holds" in result.output
    assert load(folder / "night-light.toml").meta.version == "1.0.1"
    assert all(p.is_relative_to(folder) for p in folder.rglob("*"))


def test_a_catalog_without_an_index_says_how_to_make_one(tmp_path):
    with pytest.raises(Exception, match="has no index.json; its maintainer runs `tendril recipe index`"):
        open_catalog(str(tmp_path), tmp_path / "cache")
