"""Who made a recipe and what it was forked from: reading ``author`` and ``derived_from``, the words
`recipe show` prints, and the values a fork writes. Pure.

A recipe's ``author`` lists its authors oldest first; ``derived_from`` lists the versions it was
forked from, oldest first, each with who made it, where it was taken from and its SHA-256. A fork
keeps both and appends: the original authors keep their credit and the chain stays checkable.
"""

from __future__ import annotations

from dataclasses import asdict

from .model import Meta, Origin
from .reader import Reader, type_name
from .schema import (DERIVED_PATTERN, LIMITS, LINE_PATTERN, RECIPE_NAME_PATTERN, SEMVER_PATTERN, SHA256_PATTERN,
                     SOURCE_PATTERN)


class ChainTooLong(ValueError):
    pass


def maker(meta: Meta) -> str:
    """Who made this version: the last author of a fork, else all its authors."""
    if meta.lineage and meta.authors:
        return meta.authors[-1]
    return ", ".join(meta.authors)


def lineage_words(meta: Meta) -> str:
    """"by A; forked by B from A's plant-waterer 1.0.0 (sha256 ..., from URL)"; unknown makers are
    left out rather than guessed (an old-style ``derived_from = "name@version"`` names none)."""
    if not meta.lineage:
        return f"by {meta.author or 'unknown'}"
    first = meta.lineage[0]
    root = first.author or (meta.authors[0] if len(meta.authors) > len(meta.lineage) else "")
    parts = [f"by {root}"] if root else []
    for i, o in enumerate(meta.lineage):
        forker = meta.lineage[i + 1].author if i + 1 < len(meta.lineage) else maker(meta)
        where = [f"sha256 {o.sha256}"] if o.sha256 else []
        where += [f"from {o.source}"] if o.source else []
        whose = f"{o.author}'s " if o.author else (f"{root}'s " if i == 0 and root else "")
        parts.append(f"forked by {forker or 'unknown'} from {whose}{o.name} {o.version}"
                     + (f" ({', '.join(where)})" if where else ""))
    return "; ".join(parts)


def origin_values(origin: Origin) -> dict:
    """An origin as the inline table a recipe file holds (empty fields left out)."""
    return {k: v for k, v in asdict(origin).items() if v}


def forked(meta: Meta, author: str, sha256: str, source: str) -> tuple[list[str], list[dict]]:
    """The ``author`` and ``derived_from`` values of a fork of ``meta`` made by ``author`` from the
    bytes with ``sha256``, taken from ``source`` ("" if unknown). Raises ChainTooLong."""
    authors = list(meta.authors)
    if author not in authors:
        authors.append(author)
    if len(authors) > LIMITS["authors"]:
        authors = authors[:1] + authors[-(LIMITS["authors"] - 1):]  # the first author keeps the credit
    if len(meta.lineage) >= LIMITS["lineage"]:
        raise ChainTooLong(f"{meta.name} is already {len(meta.lineage)} forks deep, the most a recipe records")
    parent = Origin(meta.name, meta.version, maker(meta), source, sha256)
    return authors, [origin_values(o) for o in (*meta.lineage, parent)]


def read_authors(r: Reader, path, value) -> tuple[str, ...] | None:
    """``author``: one name, or a list of them (a fork's: the original authors first)."""
    if isinstance(value, str):
        one = r.text(path, value, LIMITS["short_text"], LINE_PATTERN, "one line of text")
        return None if one is None else (one,) if one else ()
    if not isinstance(value, list) or not value:
        r.err(path, f"expected a name or a list of names, not {type_name(value) if value != [] else 'an empty list'}")
        return None
    if len(value) > LIMITS["authors"]:
        r.err(path, f"{len(value)} authors is above the limit of {LIMITS['authors']}")
        return None
    names = [r.text(path + (i,), v, LIMITS["short_text"], LINE_PATTERN, "one line of text") for i, v in enumerate(value)]
    return None if None in names else tuple(names)


def read_lineage(r: Reader, path, value) -> tuple[Origin, ...] | None:
    """``derived_from``: "name@version", or a list of origins, oldest first."""
    if isinstance(value, str):
        text = r.text(path, value, 100, DERIVED_PATTERN, "write it as name@version, like \"plant-waterer@1.0.0\"")
        if text is None:
            return None
        name, _, version = text.partition("@")
        return (Origin(name, version),)
    if not isinstance(value, list):
        r.err(path, f"expected name@version or a list of {{ name, version, author, source, sha256 }}, not {type_name(value)}")
        return None
    if len(value) > LIMITS["lineage"]:
        r.err(path, f"{len(value)} origins is above the limit of {LIMITS['lineage']}")
        return None
    out = []
    for i, raw in enumerate(value):
        p = path + (i,)
        o = r.table(p, raw, "origin")
        if o is None:
            return None
        fields = {"name": r.text(p + ("name",), o["name"], 40, RECIPE_NAME_PATTERN, "a recipe name"),
                  "version": r.text(p + ("version",), o["version"], 64, SEMVER_PATTERN, "a version like \"1.0.0\"")}
        for key, limit, pattern, example in (("author", LIMITS["short_text"], LINE_PATTERN, "one line of text"),
                                             ("source", 300, SOURCE_PATTERN, "one line of text"),
                                             ("sha256", 64, SHA256_PATTERN, "64 lowercase hex digits")):
            if key in o:
                fields[key] = r.text(p + (key,), o[key], limit, pattern, example)
        if None in fields.values():
            return None
        out.append(Origin(**fields))
    return tuple(out)
