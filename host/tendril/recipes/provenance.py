"""Who made a recipe and what it was forked from: the words `recipe show` prints, and the values a
fork writes. Pure.

A recipe's ``author`` lists its authors oldest first; ``derived_from`` lists the versions it was
forked from, oldest first, each with who made it, where it was taken from and its SHA-256. A fork
keeps both and appends: the original authors keep their credit and the chain stays checkable.
"""

from __future__ import annotations

from dataclasses import asdict

from .model import Meta, Origin
from .schema import LIMITS


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
