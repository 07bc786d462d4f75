"""Catalogs: a directory or a git repository of recipes with an index.json (the edge: files, git).

`tendril recipe index DIR` writes the index: one entry per recipe file with its name, version,
summary, tags, boards, authors, what it was forked from and the SHA-256 of its bytes, after checking
that each recipe compiles for every board it names. Installs check the bytes they fetch against it.
Git catalogs are cloned (shallow) into a cache folder with the `git` command. ``index_schema()`` is
the index format as JSON Schema (shipped as docs/index.schema.json).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .. import resources
from ..errors import TendrilError
from . import read_capped
from .issues import RecipeError
from .model import Recipe
from .parse import parse
from .provenance import origin_values
from .schema import (BOARD_PATTERN, LIMITS, LINE_PATTERN, RECIPE_NAME_PATTERN, SEMVER_PATTERN, SHA256_PATTERN, TAG_PATTERN,
                     _object)

INDEX = "index.json"
INDEX_FORMAT = 1
INDEX_MAX_BYTES = 4 * 1024 * 1024
INDEX_MAX_ENTRIES = 10_000
_GIT_REASON = re.compile(r"rejected|denied|fatal:|not found|does not appear|could not", re.IGNORECASE)
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


def problem(data: bytes, file: str) -> tuple[Recipe | None, str | None]:
    """The recipe in ``data`` and None, or None and one line saying what is wrong with it: the
    first problem of its format, else the first board it names that it does not compile for."""
    from . import compile_recipe
    try:
        recipe = parse(data, file)
    except RecipeError as exc:
        first = exc.issues[0]
        return None, f"{first.file}:{first.line}: not a valid recipe: {first.path}: {first.message}{_more(exc)}"
    for board in recipe.meta.boards:
        try:
            compile_recipe(recipe, board)
        except RecipeError as exc:
            first = exc.issues[0]
            return None, (f"{first.file}:{first.line}: {recipe.meta.name} {recipe.meta.version} does not compile "
                          f"for {board}: {first.path}: {first.message}{_more(exc)}")
    return recipe, None


def _more(exc: RecipeError) -> str:
    n = len(exc.issues) - 1
    return f" (and {n} more; `tendril recipe validate` lists them)" if n else ""


def checked(data: bytes, file: str) -> Recipe:
    """The recipe in ``data`` if it reads and compiles for every board it names; else CatalogError."""
    recipe, why = problem(data, file)
    if why:
        raise CatalogError(why)
    return recipe


class IndexProblems(CatalogError):
    """Recipes that keep a catalog from being indexed: ``lines`` holds one line per recipe."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def entry_of(recipe: Recipe, path: str, data: bytes) -> dict:
    m = recipe.meta
    return {"name": m.name, "version": m.version, "summary": m.summary, "tags": list(m.tags),
            "boards": list(m.boards), "authors": list(m.authors), "license": m.license,
            "derived_from": [origin_values(o) for o in m.lineage], "path": path, "sha256": sha256(data)}


def build_index(root: Path) -> dict:
    """The index of every *.toml recipe under ``root``. Raises IndexProblems (one line per recipe
    that does not read or does not compile for a board it names) or CatalogError."""
    root = root.resolve()
    entries, problems = [], []
    for path in sorted(root.rglob("*.toml")):
        if path.is_symlink() or not path.resolve().is_relative_to(root):
            continue  # nothing outside the catalog gets in
        data = read_capped(path)
        rel = path.relative_to(root).as_posix()
        recipe, why = problem(data, rel)
        if why:
            problems.append(why)
        else:
            entries.append(entry_of(recipe, rel, data))
    if problems:
        raise IndexProblems(problems)
    seen = set()
    for e in entries:
        if (e["name"], e["version"]) in seen:
            raise CatalogError(f"{e['path']}: {e['name']} {e['version']} is in the catalog twice")
        seen.add((e["name"], e["version"]))
    entries.sort(key=lambda e: (e["name"], version_key(e["version"])))
    return {"format": INDEX_FORMAT, "recipes": entries}


def index_text(index: dict) -> str:
    return json.dumps(index, indent=2, ensure_ascii=False) + "\n"


def write_index(root: Path) -> Path:
    path = root / INDEX
    path.write_text(index_text(build_index(root)), encoding="utf-8")
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


def index_schema() -> dict:
    """The index format as JSON Schema (2020-12): what `tendril recipe index` writes and installs accept."""
    text = lambda n, pattern=None: {"type": "string", "maxLength": n, **({"pattern": pattern} if pattern else {})}
    names = lambda n, pattern, limit: {"type": "array", "maxItems": limit, "uniqueItems": True, "items": text(n, pattern)}
    entry = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "version", "summary", "path", "sha256"],
        "properties": {
            "name": text(40, RECIPE_NAME_PATTERN),
            "version": text(64, SEMVER_PATTERN),
            "summary": text(LIMITS["summary"]),
            "tags": names(32, TAG_PATTERN, LIMITS["tags"]),
            "boards": names(32, BOARD_PATTERN, LIMITS["boards"]),
            "authors": {"type": "array", "maxItems": LIMITS["authors"], "items": text(LIMITS["short_text"], LINE_PATTERN)},
            "license": text(LIMITS["short_text"]),
            "derived_from": {"type": "array", "maxItems": LIMITS["lineage"], "items": {"$ref": "#/$defs/origin"}},
            "path": {**text(300, _PATH_PATTERN), "description": "the recipe file, relative to the index, with /"},
            "sha256": text(64, SHA256_PATTERN),
        },
    }
    origin = _object("origin")  # the same table a recipe's derived_from holds
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://tendril.invalid/schema/catalog-index-1.json",
        "title": "tendril catalog index",
        "description": "index.json of a tendril recipe catalog (docs/recipes.md, Sharing), written by `tendril recipe index`.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "recipes"],
        "properties": {"format": {"const": INDEX_FORMAT},
                       "recipes": {"type": "array", "maxItems": INDEX_MAX_ENTRIES, "items": {"$ref": "#/$defs/entry"}}},
        "$defs": {"entry": entry, "origin": origin},
    }


# A relative path of plain names: no leading /, no .., no backslashes, no control characters.
_PATH_PATTERN = r"^(?!.*(?:^|/)\.\.?(?:/|$))[^/\\\x00-\x1f\x7f][^\\\x00-\x1f\x7f]*$"


@functools.cache
def _schema() -> dict:
    return index_schema()


def _valid_entry(e) -> bool:
    """The same rules as index_schema()'s entry (a test holds the two together), checked by hand
    because jsonschema is only a development dependency."""
    schema = _schema()
    props, origin = schema["$defs"]["entry"]["properties"], schema["$defs"]["origin"]

    def ok(value, spec) -> bool:
        if spec.get("type") == "string":
            return (isinstance(value, str) and len(value) <= spec["maxLength"]
                    and ("pattern" not in spec or re.search(spec["pattern"], value) is not None))
        if spec.get("type") == "array":
            if not isinstance(value, list) or len(value) > spec["maxItems"]:
                return False
            if spec.get("uniqueItems") and len(set(map(str, value))) != len(value):
                return False
            return all(ok(v, spec["items"]) for v in value)
        if spec.get("$ref") == "#/$defs/origin":
            return (isinstance(value, dict) and set(origin["required"]) <= set(value)
                    and set(value) <= set(origin["properties"])
                    and all(ok(v, origin["properties"][k]) for k, v in value.items()))
        return False
    return (isinstance(e, dict) and all(k in e for k in ("name", "version", "summary", "path", "sha256"))
            and set(e) <= set(props) and all(ok(v, props[k]) for k, v in e.items()))


def _entries(index, source: str) -> list[dict]:
    if (not isinstance(index, dict) or set(index) != {"format", "recipes"} or index["format"] != INDEX_FORMAT
            or not isinstance(index["recipes"], list) or len(index["recipes"]) > INDEX_MAX_ENTRIES):
        raise CatalogError(f"{source}: {INDEX} is not a tendril catalog index (format {INDEX_FORMAT})")
    out = []
    for e in index["recipes"]:
        if not _valid_entry(e):
            raise CatalogError(f"{source}: {INDEX} has a malformed entry: {str(e)[:80]!r}")
        for key in ("tags", "boards", "authors", "derived_from"):
            e.setdefault(key, [])
        out.append(e)
    return out


def is_git(spec: str) -> bool:
    """A URL, or a bare repository on disk; a checked-out folder is read as a plain folder."""
    path = Path(spec)
    if path.is_dir():
        return (path / "HEAD").is_file() and (path / "objects").is_dir()
    return bool(_GIT_URL.search(spec))


def git(*args: str, cwd: Path | None = None, env: dict | None = None) -> str:
    """Run the `git` command (never prompting); its output, else CatalogError with git's last line."""
    # Only plain transports: a catalog URL can never make git run a command (ext::, remote helpers).
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": "file:git:http:https:ssh", **(env or {})}
    try:
        done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True,
                              timeout=120)
    except FileNotFoundError:
        raise CatalogError("git catalogs need the `git` command; install git") from None
    except subprocess.CalledProcessError as exc:
        lines = [line.strip() for line in (exc.stderr or exc.stdout or "").splitlines() if line.strip()]
        telling = [line for line in lines if _GIT_REASON.search(line)]  # not "failed to push some refs"
        why = (telling or lines or [f"exit status {exc.returncode}"])[0 if telling else -1]
        raise CatalogError(f"git {args[0]} failed: {why}") from None
    except subprocess.TimeoutExpired:
        raise CatalogError(f"git {args[0]} took longer than 120 s") from None
    return done.stdout


_git = git


def open_catalog(spec: str | None, cache: Path, as_git: bool | None = None) -> Catalog:
    """The catalog ``spec`` names: None for the shipped one, a folder, or a git URL / repository
    (``as_git``: say which, instead of guessing from ``spec``)."""
    if spec is None:
        root, source = resources.recipes(), "the shipped catalog"
    elif as_git or (as_git is None and is_git(spec)):
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
