"""The user's recipe folder and its lock file (the edge: files only, in one folder).

Installed recipes are ``<folder>/<name>.toml``; ``tendril-lock.json`` pins each to the version,
source and SHA-256 it was installed with. An install or update whose bytes do not match the pin for
the same version is refused: a recipe that changes must change its version. Names are checked
against the recipe-name pattern (no separators, no dots) and every write is checked to land in the
folder, so nothing from a catalog can write anywhere else.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import TendrilError
from . import read_capped
from .catalog import Catalog, sha256
from .describe import diff
from .model import Recipe
from .parse import parse
from .schema import RECIPE_NAME_PATTERN, SEMVER_PATTERN

LOCK = "tendril-lock.json"
ENV = "TENDRIL_RECIPES"


class InstallError(TendrilError):
    """An install, update or fork that tendril refuses."""


def default_folder() -> Path:
    """$TENDRIL_RECIPES, else the platform's user data folder (e.g. ~/.local/share/tendril/recipes)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    import platformdirs
    return platformdirs.user_data_path("tendril") / "recipes"


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``name`` or ``name@version``, each checked, so neither can carry a path."""
    name, _, version = spec.partition("@")
    if not re.fullmatch(RECIPE_NAME_PATTERN, name):
        raise InstallError(f"{name[:60]!r} is not a recipe name (lowercase letters, digits and -)")
    if version and not re.fullmatch(SEMVER_PATTERN, version):
        raise InstallError(f"{version[:60]!r} is not a version like 1.0.0")
    return name, version or None


@dataclass
class Update:
    name: str
    old_version: str
    new_version: str
    changes: list[str]
    data: bytes
    entry: dict
    source: str


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        parse_spec(name)
        path = self.folder / f"{name}.toml"
        if path.resolve().parent != self.folder.resolve():
            raise InstallError(f"{name!r} would land outside {self.folder}")
        return path

    def lock(self) -> dict:
        path = self.folder / LOCK
        if not path.is_file():
            return {"format": 1, "recipes": {}}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            assert isinstance(data.get("recipes"), dict)
            return data
        except (ValueError, AssertionError, AttributeError):
            raise InstallError(f"{path} is damaged; move it away and reinstall") from None

    def _write(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _save_lock(self, lock: dict) -> None:
        self._write(self.folder / LOCK, (json.dumps(lock, indent=2, sort_keys=True) + "\n").encode())

    def installed(self) -> list[tuple[str, dict | None, bool]]:
        """(name, lock entry or None, changed locally) for every recipe in the folder."""
        lock = self.lock()["recipes"]
        out = []
        for path in sorted(self.folder.glob("*.toml")) if self.folder.is_dir() else ():
            pin = lock.get(path.stem)
            changed = bool(pin) and sha256(read_capped(path)) != pin["sha256"]
            out.append((path.stem, pin, changed))
        return out

    def read(self, name: str) -> Recipe:
        path = self.path(name)
        if not path.is_file():
            raise InstallError(f"{name} is not installed in {self.folder}")
        return parse(read_capped(path), path.name)

    # --- install / update / fork -----------------------------------------------------------------

    def _checked(self, catalog: Catalog, entry: dict) -> bytes:
        data = catalog.fetch(entry)
        recipe = parse(data, entry["path"])
        if (recipe.meta.name, recipe.meta.version) != (entry["name"], entry["version"]):
            raise InstallError(f"{catalog.source}: {entry['path']} says {recipe.meta.name} {recipe.meta.version}, "
                               f"its index {entry['name']} {entry['version']}")
        return data

    def _check_pin(self, name: str, entry: dict, digest: str) -> None:
        pin = self.lock()["recipes"].get(name)
        if pin and pin["version"] == entry["version"] and pin["sha256"] != digest:
            raise InstallError(
                f"{name} {entry['version']} is pinned to sha256 {pin['sha256'][:12]}… (from {pin['source']}), but "
                f"{entry['path']} now has {digest[:12]}…: the same version with different content. Refusing; "
                "ask the catalog's maintainer to publish it as a new version")

    def install(self, catalog: Catalog, spec: str) -> str:
        name, version = parse_spec(spec)
        entry = catalog.find(name, version)
        data = self._checked(catalog, entry)
        digest = sha256(data)
        self._check_pin(name, entry, digest)
        lock = self.lock()
        pin = lock["recipes"].get(name)
        if pin and pin["version"] == entry["version"]:
            return f"{name} {entry['version']} is already installed"
        if pin:
            raise InstallError(f"{name} {pin['version']} is installed; `tendril recipe update {name}` shows "
                               f"what {entry['version']} changes first")
        path = self.path(name)
        if path.exists():
            raise InstallError(f"{path} exists and is not from a catalog; move it or fork under a new name")
        self._write(path, data)
        lock["recipes"][name] = {"version": entry["version"], "source": catalog.source, "path": entry["path"],
                                 "sha256": digest}
        self._save_lock(lock)
        return f"installed {name} {entry['version']} from {catalog.source} into {path}"

    def plan_update(self, catalog: Catalog, name: str) -> Update | None:
        """What updating ``name`` to the catalog's newest version would change; None if current."""
        parse_spec(name)
        pin = self.lock()["recipes"].get(name)
        if pin is None:
            raise InstallError(f"{name} was not installed from a catalog; `tendril recipe install {name}`")
        entry = catalog.find(name)
        data = self._checked(catalog, entry)
        self._check_pin(name, entry, sha256(data))
        if entry["version"] == pin["version"]:
            return None
        path = self.path(name)
        if path.is_file() and sha256(read_capped(path)) != pin["sha256"]:
            raise InstallError(f"{path} was changed since it was installed; fork it "
                               f"(`tendril recipe fork {name} NEW`) to keep your changes, then update")
        changes = diff(self.read(name), parse(data, entry["path"]))
        return Update(name, pin["version"], entry["version"], changes, data, entry, catalog.source)

    def apply(self, update: Update) -> None:
        self._write(self.path(update.name), update.data)
        lock = self.lock()
        lock["recipes"][update.name] = {"version": update.new_version, "source": update.source,
                                        "path": update.entry["path"], "sha256": sha256(update.data)}
        self._save_lock(lock)

    def fork(self, source_text: str, new: str, author: str) -> Path:
        """Write ``source_text`` as recipe ``new`` (version 0.1.0) with derived_from and author set.
        Comments and layout are kept (tomlkit)."""
        import tomlkit
        parse_spec(new)
        path = self.path(new)
        if path.exists():
            raise InstallError(f"{path} already exists")
        old = parse(source_text)
        doc = tomlkit.parse(source_text)
        meta = doc["recipe"]
        meta["name"] = new
        meta["version"] = "0.1.0"
        meta["derived_from"] = f"{old.meta.name}@{old.meta.version}"
        meta["author"] = author
        if "image_name" in meta:
            del meta["image_name"]
        text = tomlkit.dumps(doc)
        parse(text, path.name)  # what we write must read back
        self._write(path, text.encode("utf-8"))
        return path
