"""`tendril recipe publish`: add a recipe to a catalog folder, or to a git catalog as a commit that
is pushed when the remote allows it (the edge: files and the `git` command).

A catalog holds each recipe's newest version at one path (older versions live on in its git
history); a version already published with other bytes, or older than the catalog's, is refused,
so a pin in someone's lock file can never be silently changed under them.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .catalog import INDEX, CatalogError, build_index, checked, git, index_text, sha256, version_key
from .install import write_file


@dataclass
class Published:
    name: str
    version: str
    path: str  # inside the catalog
    previous: str | None  # the version it replaced
    changed: bool  # False: that exact version was already there

    def message(self) -> str:
        if not self.previous:
            return f"Add {self.name} {self.version}"
        return f"Update {self.name} to {self.version} (was {self.previous})"


def add_to_folder(root: Path, data: bytes, file: str) -> Published:
    """Put recipe ``data`` into the catalog folder ``root`` and rewrite its index."""
    recipe = checked(data, file)
    name, version = recipe.meta.name, recipe.meta.version
    root.mkdir(parents=True, exist_ok=True)
    same = [e for e in build_index(root)["recipes"] if e["name"] == name]  # the catalog must index cleanly first
    for e in same:
        if e["version"] == version:
            if e["sha256"] != sha256(data):
                raise CatalogError(f"{name} {version} is already in the catalog with other content; "
                                   "give your changes a new version")
            return Published(name, version, e["path"], None, False)
    newest = max(same, key=lambda e: version_key(e["version"]), default=None)
    if newest and version_key(version) < version_key(newest["version"]):
        raise CatalogError(f"the catalog has {name} {newest['version']}, newer than {version}")
    rel = newest["path"] if newest else f"{name}.toml"
    target = root / rel
    if target.is_symlink() or not target.resolve().is_relative_to(root.resolve()):
        raise CatalogError(f"{rel} points outside the catalog")
    write_file(target, data)
    write_file(root / INDEX, index_text(build_index(root)).encode("utf-8"))
    return Published(name, version, rel, newest["version"] if newest else None, True)


def _identity(clone: Path, author: str) -> dict:
    """Commit as the user's git identity; where git has none, as ``author`` (tendril@localhost)."""
    env = {}
    for key, var, fallback in (("user.name", "NAME", author), ("user.email", "EMAIL", "tendril@localhost")):
        have = subprocess.run(["git", "config", key], cwd=clone, capture_output=True, text=True, check=False)
        if not have.stdout.strip():
            env[f"GIT_AUTHOR_{var}"] = env[f"GIT_COMMITTER_{var}"] = fallback
    return env


def publish_git(url: str, data: bytes, file: str, work: Path, author: str) -> Published:
    """Clone the git catalog at ``url`` into ``work``, add the recipe, commit and push. When the push
    is refused, raises CatalogError naming the clone that keeps the commit."""
    work.mkdir(parents=True, exist_ok=True)
    clone = work / f"publish-{secrets.token_hex(4)}"
    git("clone", "--quiet", "--no-recurse-submodules", "--", url, str(clone))
    try:
        done = add_to_folder(clone, data, file)
    except BaseException:
        shutil.rmtree(clone, ignore_errors=True)
        raise
    if not done.changed:
        shutil.rmtree(clone, ignore_errors=True)
        return done
    git("add", "--", done.path, INDEX, cwd=clone)
    git("commit", "--quiet", "-m", done.message(), cwd=clone, env=_identity(clone, author))
    try:
        git("push", "--quiet", "origin", "HEAD", cwd=clone)
    except CatalogError as exc:
        reason = str(exc).removeprefix("git push failed: ")
        raise CatalogError(f"committed \"{done.message()}\" in {clone}, but {url} refused the push ({reason}); "
                           "push it from there, or to your fork of the catalog and send a pull request") from None
    shutil.rmtree(clone, ignore_errors=True)
    return done
