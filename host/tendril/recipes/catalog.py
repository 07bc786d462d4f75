"""Catalogs: a directory or a git repository of recipes with an index.json (the edge: files, git).

`tendril recipe index DIR` writes the index: one entry per recipe file with its name, version,
summary, tags, boards and the SHA-256 of its bytes. Installs check the bytes they fetch against it.
Git catalogs are cloned (shallow) into a cache folder with the `git` command.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import TendrilError
from . import read_capped
from .issues import RecipeError
from .parse import parse
from .schema import LIMITS, RECIPE_NAME_PATTERN, SEMVER_PATTERN

INDEX = "index.json"
INDEX_FORMAT = 1
INDEX_MAX_BYTES = 4 * 1024 * 1024
DEFAULT = Path(__file__).resolve().parents[3] / "boards" / "recipes"
_GIT_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)|\.git/?$")


class CatalogError(TendrilError):
    """A catalog that cannot be read, or an entry that does not match its index."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_key(version: str) -> tuple:
    """Semantic-version order: 1.2.0 < 1.10.0; a pre-release sorts before its release."""
    core, _, rest = version.partition("+")[0].partition("-")
    nums = tuple(int(x) for x in core.split("."))
    pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in rest.split(".")) if rest else ()
    return nums, 0 if pre else 1, pre


def build_index(root: Path) -> dict:
    """The index of every *.toml recipe under ``root``. Raises RecipeError if one is invalid."""
    root = root.resolve()
    entries, issues = [], []
    for path in sorted(root.rglob("*.toml")):
        if path.is_symlink() or not path.resolve().is_relative_to(root):
            continue  # nothing outside the catalog gets in
        data = read_capped(path)
        rel = path.relative_to(root).as_posix()
        try:
            recipe = parse(data, rel)
        except RecipeError as exc:
            issues += exc.issues
            continue
        m = recipe.meta
        entries.append({"name": m.name, "version": m.version, "summary": m.summary, "tags": list(m.tags),
                        "boards": list(m.boards), "author": m.author, "license": m.license,
                        "path": rel, "sha256": sha256(data)})
    if issues:
        raise RecipeError(issues)
    seen = set()
    for e in entries:
        if (e["name"], e["version"]) in seen:
            raise CatalogError(f"{e['path']}: {e['name']} {e['version']} is in the catalog twice")
        seen.add((e["name"], e["version"]))
    entries.sort(key=lambda e: (e["name"], version_key(e["version"])))
    return {"format": INDEX_FORMAT, "recipes": entries}


def write_index(root: Path) -> Path:
    path = root / INDEX
    path.write_text(json.dumps(build_index(root), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@dataclass
class Catalog:
    root: Path
    source: str  # what the user named: a folder or a git URL
    entries: list[dict]

    def search(self, text: str) -> list[dict]:
        words = text.lower().split()
        def hay(e: dict) -> str:
            return " ".join([e["name"], e["summary"], " ".join(e["tags"]), " ".join(e["boards"])]).lower()
        return [e for e in self.entries if all(w in hay(e) for w in words)]

    def find(self, name: str, version: str | None = None) -> dict:
        matches = [e for e in self.entries if e["name"] == name]
        if not matches:
            raise CatalogError(f"no recipe {name!r} in {self.source}; try `tendril recipe search`")
        if version is None:
            return max(matches, key=lambda e: version_key(e["version"]))
        for e in matches:
            if e["version"] == version:
                return e
        have = ", ".join(e["version"] for e in matches)
        raise CatalogError(f"{name} has no version {version} in {self.source} (it has {have})")

    def fetch(self, entry: dict) -> bytes:
        """The recipe's bytes, checked against the index's SHA-256."""
        rel = entry["path"]
        path = (self.root / rel).resolve()
        if Path(rel).is_absolute() or ".." in Path(rel).parts or not path.is_relative_to(self.root.resolve()):
            raise CatalogError(f"{self.source}: index entry {rel!r} points outside the catalog")
        data = read_capped(path)
        if len(data) > LIMITS["file_bytes"]:
            raise CatalogError(f"{self.source}: {rel} is above the recipe size limit")
        if sha256(data) != entry["sha256"]:
            raise CatalogError(f"{self.source}: {rel} does not match its index (sha256 {sha256(data)[:12]}…, "
                               f"index says {entry['sha256'][:12]}…); the catalog's maintainer must re-run "
                               "`tendril recipe index`")
        return data


def _entries(index, source: str) -> list[dict]:
    if not isinstance(index, dict) or index.get("format") != INDEX_FORMAT or not isinstance(index.get("recipes"), list):
        raise CatalogError(f"{source}: {INDEX} is not a tendril catalog index (format {INDEX_FORMAT})")
    out = []
    for e in index["recipes"]:
        ok = (isinstance(e, dict) and all(isinstance(e.get(k), str) for k in ("name", "version", "summary", "path", "sha256"))
              and re.fullmatch(RECIPE_NAME_PATTERN, e["name"]) and re.fullmatch(SEMVER_PATTERN, e["version"])
              and re.fullmatch(r"[0-9a-f]{64}", e["sha256"]))
        if not ok:
            raise CatalogError(f"{source}: {INDEX} has a malformed entry: {str(e)[:80]}")
        e.setdefault("tags", [])
        e.setdefault("boards", [])
        out.append(e)
    return out


def is_git(spec: str) -> bool:
    """A URL, or a bare repository on disk; a checked-out folder is read as a plain folder."""
    path = Path(spec)
    if path.is_dir():
        return (path / "HEAD").is_file() and (path / "objects").is_dir()
    return bool(_GIT_URL.search(spec))


def _git(*args: str, cwd: Path | None = None) -> None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise CatalogError("git catalogs need the `git` command; install git") from None
    except subprocess.CalledProcessError as exc:
        raise CatalogError(f"git {args[0]} failed: {(exc.stderr or '').strip().splitlines()[-1:] or ['?']}") from None
    except subprocess.TimeoutExpired:
        raise CatalogError(f"git {args[0]} took longer than 120 s") from None


def open_catalog(spec: str | None, cache: Path) -> Catalog:
    """The catalog ``spec`` names: None for the shipped one, a folder, or a git URL / repository."""
    if spec is None:
        root, source = DEFAULT, "the shipped catalog"
    elif is_git(spec):
        if spec.startswith("-"):
            raise CatalogError(f"{spec!r} is not a git URL")
        root, source = cache / "catalogs" / sha256(spec.encode())[:16], spec
        if (root / ".git").is_dir():
            _git("fetch", "--depth", "1", "origin", cwd=root)
            _git("reset", "--hard", "FETCH_HEAD", cwd=root)
        else:
            root.parent.mkdir(parents=True, exist_ok=True)
            _git("clone", "--depth", "1", "--no-recurse-submodules", "--", spec, str(root))
    else:
        root, source = Path(spec), spec
        if not root.is_dir():
            raise CatalogError(f"catalog {spec} is not a folder or a git URL")
    index = root / INDEX
    if not index.is_file():
        raise CatalogError(f"{source} has no {INDEX}; its maintainer runs `tendril recipe index`")
    raw = read_capped(index, INDEX_MAX_BYTES)
    if len(raw) > INDEX_MAX_BYTES:
        raise CatalogError(f"{source}: {INDEX} is above {INDEX_MAX_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise CatalogError(f"{source}: {INDEX} is not valid JSON") from None
    return Catalog(root.resolve(), source, _entries(data, source))
