"""The user's recipe folder and its lock file (the edge: files only, in one folder).

Installed recipes are ``<folder>/<name>.toml``; ``tendril-lock.json`` pins each to the version,
SHA-256 and source it was installed from (a catalog, a file or a URL, absolute), so an update goes
back to the same place. An install or update whose bytes do not match the pin for the same version
is refused: a recipe that changes must change its version. Whatever is installed must read and
compile for every board it names. Names are checked against the recipe-name pattern (no
separators, no dots) and every write is checked to land in the folder, so nothing from a catalog
can write anywhere else. Files are written readable like any other (0644 less the umask).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import TendrilError
from . import read_capped
from .catalog import checked, sha256, version_key
from .describe import diff
from .issues import RecipeError
from .model import Recipe
from .parse import parse
from .provenance import ChainTooLong, forked
from .schema import RECIPE_NAME_PATTERN, SEMVER_PATTERN
from .sources import Source, from_lock

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
class Fetched:
    """One recipe's bytes as a source gave them, already checked."""
    recipe: Recipe
    data: bytes
    source: Source
    path: str | None  # inside a catalog; None for a file or URL

    @property
    def version(self) -> str:
        return self.recipe.meta.version


@dataclass
class Update:
    name: str
    old_version: str
    new_version: str
    changes: list[str]
    fetched: Fetched


def fetch(source: Source, spec: str | None, cache: Path, expect_sha256: str | None = None) -> Fetched:
    """The recipe ``spec`` ("name[@version]", or None for a file or URL source) names at ``source``,
    hash-checked (against the catalog's index, and ``expect_sha256`` if given), read and compiled
    for every board it names."""
    if source.is_catalog:
        if spec is None:
            raise InstallError(f"name the recipe to take from {source.label}")
        name, version = parse_spec(spec)
        catalog = source.open(cache)
        entry = catalog.find(name, version)
        data = catalog.fetch(entry)
        path = entry["path"]
    else:
        data, path = source.read(), None
    if expect_sha256 and sha256(data) != expect_sha256.lower():
        raise InstallError(f"{source.label}{'#' + spec if spec else ''} has sha256 {sha256(data)}, not the "
                           f"{expect_sha256} you asked for; not installed")
    recipe = checked(data, path or Path(source.location).name or "recipe.toml")
    if source.is_catalog and (recipe.meta.name, recipe.meta.version) != (entry["name"], entry["version"]):
        raise InstallError(f"{source.label}: {path} says {recipe.meta.name} {recipe.meta.version}, "
                           f"its index {entry['name']} {entry['version']}")
    return Fetched(recipe, data, source, path)


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def cache(self) -> Path:
        # Git catalogs are cloned inside the recipe folder: tendril writes nowhere else.
        return self.folder / ".cache"

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
            assert all(isinstance(p, dict) and isinstance(p.get("version"), str) and isinstance(p.get("sha256"), str)
                       for p in data["recipes"].values())
            return data
        except (ValueError, AssertionError, AttributeError):
            raise InstallError(f"{path} is damaged; move it away and reinstall") from None

    def _write(self, path: Path, data: bytes) -> None:
        write_file(path, data)

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

    # --- install / update / uninstall / fork -----------------------------------------------------

    def _check_pin(self, name: str, got: Fetched) -> None:
        pin = self.lock()["recipes"].get(name)
        digest = sha256(got.data)
        if pin and pin["version"] == got.version and pin["sha256"] != digest:
            raise InstallError(
                f"{name} {got.version} is pinned to sha256 {pin['sha256'][:12]}… (from {pin.get('source', '?')}), but "
                f"{got.source.label} now has {digest[:12]}…: the same version with different content. Refusing; "
                "ask its maintainer to publish it as a new version")

    def install(self, got: Fetched) -> str:
        name = got.recipe.meta.name
        self._check_pin(name, got)
        lock = self.lock()
        pin = lock["recipes"].get(name)
        if pin and pin["version"] == got.version:
            return f"{name} {got.version} is already installed"
        if pin and from_lock(pin) != got.source:
            raise InstallError(f"{name} {pin['version']} is installed from {pin.get('source', '?')}; "
                               f"`tendril recipe uninstall {name}` first to take it from {got.source.label}")
        if pin:
            raise InstallError(f"{name} {pin['version']} is installed; `tendril recipe update {name}` shows "
                               f"what {got.version} changes first")
        path = self.path(name)
        if path.exists():
            raise InstallError(f"{path} exists and was not installed by tendril; move it or fork under a new name")
        self._write(path, got.data)
        self._pin(lock, name, got)
        return f"installed {name} {got.version} from {got.source.label} into {path}"

    def _pin(self, lock: dict, name: str, got: Fetched) -> None:
        lock["recipes"][name] = {"version": got.version, "sha256": sha256(got.data), **got.source.lock_fields(),
                                 **({"path": got.path} if got.path else {})}
        self._save_lock(lock)

    def source_of(self, name: str) -> Source:
        """Where ``name`` was installed from, as its lock entry remembers."""
        parse_spec(name)
        pin = self.lock()["recipes"].get(name)
        if pin is None:
            raise InstallError(f"{name} was not installed from a catalog, file or URL; "
                               f"`tendril recipe install` it first")
        return from_lock(pin)

    def plan_update(self, got: Fetched) -> Update | None:
        """What replacing the installed recipe with ``got`` changes; None if ``got`` is not newer."""
        name = got.recipe.meta.name
        pin = self.lock()["recipes"].get(name)
        if pin is None:
            raise InstallError(f"{name} was not installed from a catalog, file or URL; `tendril recipe install` it")
        self._check_pin(name, got)
        if version_key(got.version) <= version_key(pin["version"]):
            return None
        path = self.path(name)
        if path.is_file() and sha256(read_capped(path)) != pin["sha256"]:
            raise InstallError(f"{path} was changed since it was installed; fork it "
                               f"(`tendril recipe fork {name} NEW`) to keep your changes, then update")
        changes = diff(self.read(name), got.recipe)
        return Update(name, pin["version"], got.version, changes, got)

    def apply(self, update: Update) -> None:
        self._write(self.path(update.name), update.fetched.data)
        self._pin(self.lock(), update.name, update.fetched)

    def uninstall(self, name: str, force: bool = False) -> str:
        path = self.path(name)
        lock = self.lock()
        pin = lock["recipes"].get(name)
        if not path.is_file() and pin is None:
            raise InstallError(f"{name} is not installed in {self.folder}")
        if path.is_file() and not force:
            if pin is None:
                raise InstallError(f"{path} is your own recipe, not an install; --force removes it")
            if sha256(read_capped(path)) != pin["sha256"]:
                raise InstallError(f"{path} was changed since it was installed; fork it to keep your changes, "
                                   "or --force to remove it anyway")
        path.unlink(missing_ok=True)
        if pin is not None:
            del lock["recipes"][name]
            self._save_lock(lock)
        return f"removed {name}" + (f" {pin['version']}" if pin else "") + f" from {self.folder}"

    def origin_of(self, name: str, data: bytes) -> str:
        """Where an installed recipe's bytes came from, for a fork's derived_from ("" if made here)."""
        pin = self.lock()["recipes"].get(name)
        if pin is None or pin["sha256"] != sha256(data):
            return ""
        return from_lock(pin).origin()

    def fork(self, data: bytes, new: str, author: str, source: str = "", file: str = "recipe.toml") -> Path:
        """Write recipe ``data`` as recipe ``new`` (version 0.1.0) whose ``author`` keeps the original
        authors and adds ``author``, and whose ``derived_from`` gains the original's name, version,
        maker, ``source`` and SHA-256. ``file`` names ``data`` in errors. Comments and layout are kept
        (tomlkit)."""
        import tomlkit
        parse_spec(new)
        path = self.path(new)
        if path.exists():
            raise InstallError(f"{path} already exists")
        try:
            old = parse(data, file)
        except RecipeError as exc:  # one line: the first problem; `recipe validate` lists them all
            more = f" (and {len(exc.issues) - 1} more)" if len(exc.issues) > 1 else ""
            raise InstallError(f"cannot fork a recipe that does not read: {exc.issues[0]}{more}") from None
        try:
            authors, lineage = forked(old.meta, author, sha256(data), source)
        except ChainTooLong as exc:
            raise InstallError(str(exc)) from None
        doc = tomlkit.parse(data.decode("utf-8"))
        meta = doc["recipe"]
        meta["name"] = new
        meta["version"] = "0.1.0"
        meta["author"] = authors[0] if len(authors) == 1 else authors
        chain = tomlkit.array()
        for origin in lineage:
            table = tomlkit.inline_table()
            table.update(origin)
            chain.append(table)
        meta["derived_from"] = chain.multiline(True)
        if "image_name" in meta:
            del meta["image_name"]
        text = tomlkit.dumps(doc)
        parse(text, path.name)  # what we write must read back
        self._write(path, text.encode("utf-8"))
        return path


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by all like an ordinary file: 0644 less the
    umask (a temporary file from mkstemp would stay 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{secrets.token_hex(8)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InstallError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
