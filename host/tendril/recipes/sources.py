"""Where a recipe comes from (the edge: files, HTTP, git): a catalog (the shipped one, a folder, a
git repository), one recipe file, or one recipe at an http(s) URL.

``parse_source`` reads what the user typed for `tendril recipe install`; a ``Source`` is what the
lock file remembers so `tendril recipe update NAME` goes back to the same place: folders and files
as absolute paths, URLs as given. Every fetch is capped at the recipe size limit.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import read_capped
from .catalog import Catalog, CatalogError, is_git, open_catalog
from .schema import LIMITS

SHIPPED = "the shipped catalog"
_URL = re.compile(r"^https?://", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
TIMEOUT_S = 30


@dataclass(frozen=True)
class Source:
    kind: str  # "shipped" | "folder" | "git" | "file" | "url"
    location: str = ""  # absolute path, or URL; "" for the shipped catalog

    @property
    def label(self) -> str:
        """How messages and the lock file name it."""
        return SHIPPED if self.kind == "shipped" else self.location

    @property
    def is_catalog(self) -> bool:
        return self.kind in ("shipped", "folder", "git")

    def origin(self) -> str:
        """How a fork's derived_from names it: something another maker could fetch it from."""
        if self.kind == "shipped":
            return "tendril's shipped catalog"
        return f"git+{self.location}" if self.kind == "git" else self.location

    def lock_fields(self) -> dict:
        return {"kind": self.kind, "source": self.label}

    def open(self, cache: Path) -> Catalog:
        return open_catalog(None if self.kind == "shipped" else self.location, cache, self.kind == "git")

    def read(self) -> bytes:
        """A file or URL source's bytes (at most the size limit, else CatalogError)."""
        data = read_url(self.location) if self.kind == "url" else read_capped(Path(self.location))
        if len(data) > LIMITS["file_bytes"]:
            raise CatalogError(f"{self.location} is above the recipe size limit of {LIMITS['file_bytes']} bytes")
        return data


def catalog_source(spec: str | None) -> Source:
    """The catalog ``--catalog`` names: None for the shipped one, a folder, or a git URL/repository."""
    if spec is None:
        return Source("shipped")
    if spec.startswith("-"):
        raise CatalogError(f"{spec!r} is not a catalog")
    if is_git(spec):
        local = not _REMOTE.match(spec)
        return Source("git", str(Path(spec).resolve()) if local else spec)
    return Source("folder", str(Path(spec).resolve()))


def parse_source(spec: str, catalog: str | None) -> tuple[Source, str | None]:
    """What `recipe install SPEC` names: (source, "name[@version]" or None for a file or URL).

    ``git+URL#name[@version]``: that recipe in the git catalog at URL; ``http(s)://...``: one recipe
    file on the web; a path (with a / or ending in .toml): one recipe file; else a name in
    ``catalog`` (default: the shipped catalog)."""
    if spec.startswith("git+"):
        url, hash_, name = spec[4:].partition("#")
        if not hash_ or not name or not url:
            raise CatalogError(f"{spec[:80]!r}: write a git catalog's recipe as git+URL#NAME[@VERSION]")
        return catalog_source(url) if is_git(url) else Source("git", url), name
    if _URL.match(spec):
        return Source("url", spec), None
    if spec.startswith("file://"):
        spec = urllib.request.url2pathname(spec[len("file://"):])
    if "/" in spec or "\\" in spec or spec.endswith(".toml"):
        path = Path(spec)
        if not path.is_file():
            raise CatalogError(f"{spec} is not a recipe file")
        return Source("file", str(path.resolve())), None
    return catalog_source(catalog), spec


def from_lock(pin: dict) -> Source:
    """The source a lock entry remembers (entries written before kinds were recorded are catalogs)."""
    kind, where = pin.get("kind"), pin.get("source", "")
    if kind in ("shipped", "folder", "git", "file", "url"):
        return Source(kind, "" if kind == "shipped" else where)
    if where == SHIPPED:
        return Source("shipped")
    return Source("git", where) if is_git(where) else Source("folder", where)


def read_url(url: str) -> bytes:
    """At most the size limit + 1 bytes from an http(s) URL: enough to tell a recipe from a flood."""
    if not _URL.match(url):
        raise CatalogError(f"{url[:80]!r} is not an http(s) URL")
    limit = LIMITS["file_bytes"]
    request = urllib.request.Request(url, headers={"User-Agent": "tendril"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            if not _URL.match(response.geturl()):
                raise CatalogError(f"{url} redirected away from http(s)")
            size = response.headers.get("Content-Length")
            if size and size.isdigit() and int(size) > limit:
                raise CatalogError(f"{url} is {size} bytes, above the recipe size limit of {limit} bytes")
            return response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise CatalogError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise CatalogError(f"cannot fetch {url}: {exc.reason}") from None
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot fetch {url}: {exc}") from None
