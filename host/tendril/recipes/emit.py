"""Values -> TOML text, for decompiled recipes and scaffolds. Pure.

Top-level tables and their named items become headers (``[recipe]``, ``[channels.soil]``); anything
deeper is written inline, the way people write recipes by hand.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from .units import fmt_number

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def key(name: str) -> str:
    return name if _BARE.match(name) else string(name)


def string(text: str) -> str:
    # JSON's escapes are all valid TOML escapes; TOML also forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return fmt_number(v)
    if isinstance(v, str):
        if "\n" in v and '"""' not in v and "\\" not in v and all(c >= " " or c in "\n\t" for c in v) and "\x7f" not in v:
            return '"""\n' + v + '"""'
        return string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def dumps(doc: dict, comments: dict[str, str] | None = None) -> str:
    """``doc``: {table: {key: value}} or {section: {item: {key: value}}}. ``comments`` go above
    the header they are keyed by (e.g. "recipe")."""
    comments = comments or {}
    out: list[str] = []
    for top, body in doc.items():
        scalars = {k: v for k, v in body.items() if not isinstance(v, dict) or top == "recipe"}
        tables = {k: v for k, v in body.items() if k not in scalars}
        if scalars or not tables:
            out.append("".join(f"# {line}\n" for line in comments.get(top, "").splitlines()) + f"[{key(top)}]")
            out.extend(f"{key(k)} = {value(v)}" for k, v in scalars.items())
            out.append("")
        for name, item in tables.items():
            out.append(f"[{key(top)}.{key(name)}]")
            out.extend(f"{key(k)} = {value(v)}" for k, v in item.items())
            out.append("")
    return "\n".join(out)
