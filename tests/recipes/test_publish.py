"""`tendril recipe publish`: into a catalog folder, and into a git catalog as a pushed commit (a real
bare repository in tmp); a refused push leaves the commit in a clone it names."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tendril.recipes import load

from .conftest import RECIPES, cli_run, git

NIGHT = (RECIPES / "night-light.toml").read_text()


def _fork(folder: Path) -> None:
    result = cli_run("recipe", "fork", "night-light", "reading-lamp", "--author", "Ada", "--dir", str(folder))
    assert result.exit_code == 0, result.output


def test_publish_into_a_folder_adds_the_recipe_and_its_index_entry(tmp_path):
    folder, cat = tmp_path / "mine", tmp_path / "cat"
    _fork(folder)
    result = cli_run("recipe", "publish", "reading-lamp", "--catalog", str(cat), "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output == f"added reading-lamp 0.1.0: in {cat / 'reading-lamp.toml'}\n"
    index = json.loads((cat / "index.json").read_text())
    assert [(e["name"], e["version"], e["authors"]) for e in index["recipes"]] == [("reading-lamp", "0.1.0", ["tendril", "Ada"])]
    assert index["recipes"][0]["derived_from"][0]["name"] == "night-light"
    again = cli_run("recipe", "publish", "reading-lamp", "--catalog", str(cat), "--dir", str(folder))
    assert again.output == f"reading-lamp 0.1.0 is already in {cat}\n"
    # a friend installs it from the catalog, with its provenance
    assert cli_run("recipe", "install", "reading-lamp", "--catalog", str(cat), "--dir", str(tmp_path / "bob")).exit_code == 0
    assert load(tmp_path / "bob" / "reading-lamp.toml").meta.authors == ("tendril", "Ada")


def test_publish_refuses_the_same_version_with_other_content_and_an_older_version(tmp_path):
    folder, cat = tmp_path / "mine", tmp_path / "cat"
    _fork(folder)
    assert cli_run("recipe", "publish", "reading-lamp", "--catalog", str(cat), "--dir", str(folder)).exit_code == 0
    lamp = folder / "reading-lamp.toml"
    lamp.write_text(lamp.read_text().replace('"40 %"', '"50 %"'))
    result = cli_run("recipe", "publish", "reading-lamp", "--catalog", str(cat), "--dir", str(folder))
    assert result.exit_code == 1
    assert result.stderr == ("tendril: reading-lamp 0.1.0 is already in the catalog with other content; "
                             "give your changes a new version\n")
    lamp.write_text(lamp.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))
    result = cli_run("recipe", "publish", str(lamp), "--catalog", str(cat), "--dir", str(folder))
    assert result.output == f"updated reading-lamp to 0.2.0 (was 0.1.0): in {cat / 'reading-lamp.toml'}\n"
    lamp.write_text(lamp.read_text().replace('version = "0.2.0"', 'version = "0.1.5"'))
    result = cli_run("recipe", "publish", str(lamp), "--catalog", str(cat), "--dir", str(folder))
    assert result.stderr == "tendril: the catalog has reading-lamp 0.2.0, newer than 0.1.5\n"


def test_publish_refuses_a_recipe_that_does_not_compile_for_its_boards(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(NIGHT.replace('uno = "A2"', 'uno = "A9"'))
    result = cli_run("recipe", "publish", str(bad), "--catalog", str(tmp_path / "cat"))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "night-light 1.0.0 does not compile for uno: channels.light.pin.uno: uno has no pin 'A9'" in result.stderr
    assert not (tmp_path / "cat" / "night-light.toml").exists()


def test_publish_to_a_git_catalog_commits_and_pushes(tmp_path, git_catalog):
    url, work = git_catalog({"night-light.toml": NIGHT})
    folder = tmp_path / "mine"
    _fork(folder)
    result = cli_run("recipe", "publish", "reading-lamp", "--catalog", url, "--author", "Ada", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output == f"added reading-lamp 0.1.0: pushed to {url}\n"
    bare = url.removeprefix("file://")
    assert git("log", "-1", "--format=%s", cwd=bare).strip() == "Add reading-lamp 0.1.0"
    assert git("show", "HEAD:reading-lamp.toml", cwd=bare) == (folder / "reading-lamp.toml").read_text()
    assert not list((folder / ".cache").glob("publish-*"))  # the clone is gone once pushed
    # anyone can now install it from the git catalog
    bob = tmp_path / "bob"
    result = cli_run("recipe", "install", f"git+{url}#reading-lamp", "--dir", str(bob))
    assert result.exit_code == 0, result.output
    assert "forked by Ada from tendril's night-light 1.0.0" in cli_run("recipe", "show", str(bob / "reading-lamp.toml")).output


def test_a_refused_push_says_so_in_one_line_and_keeps_the_commit_in_a_clone(tmp_path, git_catalog):
    url, work = git_catalog({"night-light.toml": NIGHT})
    hook = Path(url.removeprefix("file://")) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'this catalog takes pull requests only' >&2\nexit 1\n")
    hook.chmod(0o755)
    folder = tmp_path / "mine"
    _fork(folder)
    result = cli_run("recipe", "publish", "reading-lamp", "--catalog", url, "--dir", str(folder))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    match = re.fullmatch(r"tendril: committed \"Add reading-lamp 0.1.0\" in (\S+), but (\S+) refused the push "
                         r"\((.*)\); push it from there, or to your fork of the catalog and send a pull request\n",
                         result.stderr)
    assert match and match.group(2) == url, result.stderr
    assert "pre-receive hook declined" in match.group(3)
    clone = Path(match.group(1))
    assert clone.is_relative_to(folder) and (clone / "reading-lamp.toml").is_file()
    assert git("log", "-1", "--format=%s", cwd=clone).strip() == "Add reading-lamp 0.1.0"
    assert "reading-lamp" in json.loads((clone / "index.json").read_text())["recipes"][1]["name"]
