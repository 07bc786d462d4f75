"""Checked access to the values of a parsed TOML document, reporting problems with their lines."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal

from .issues import Path, Reporter
from .model import ParamRef
from .schema import ONE_OF, PARAM_REF_PATTERN, TABLES
from .units import UnitError, duration_ms, quantity

_TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer", Decimal: "a number",
               dict: "a table", list: "a list"}


def type_name(value) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class Reader(Reporter):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self._meant: dict[Path, set[str]] = {}  # by table path: the keys its typos stood for

    def meant(self, path: Path) -> set[str]:
        """The keys that ``table`` took the table at ``path``'s misspelt keys to mean (already
        reported as typos: a later "missing key" for one of them would say it twice)."""
        return self._meant.get(path, set())

    def table(self, path: Path, value, table: str) -> dict | None:
        """``value`` as a table with only the keys ``TABLES[table]`` allows and all it requires."""
        keys = TABLES[table]
        if not isinstance(value, dict):
            self.err(path, f"expected a table with keys {', '.join(keys)}, not {type_name(value)}")
            return None
        ok = True
        meant = set()  # keys a typo stands for: not reported missing a second time
        for key in value:  # reported, then the rest is still checked so every problem shows at once
            if key in keys:
                continue
            absent = [k for k in keys if k not in value and k not in meant]
            close = difflib.get_close_matches(str(key), absent, n=1, cutoff=0.6)
            if close:
                meant.add(close[0])
                self.err(path + (key,), f"unknown key; did you mean {close[0]}?")
            else:
                self.err(path + (key,), f"unknown key; valid keys here: {', '.join(keys)}")
        if meant:
            self._meant[path] = meant
        for key, spec in keys.items():
            if spec.required and key not in value:
                if key not in meant:
                    self.err(path, f"missing key {key!r} ({spec.doc})")
                ok = False
        group = ONE_OF.get(table)
        if group:
            present = [k for k in group if k in value]
            if len(present) != 1:
                if not (not present and meant & set(group)):
                    what = "both" if present else "neither"
                    self.err(path, f"give exactly one of {' or '.join(group)} (found {what})")
                ok = False
        return value if ok else None

    def text(self, path: Path, value, limit: int, pattern: str | None = None, example: str = "") -> str | None:
        if not isinstance(value, str):
            self.err(path, f"expected a string, not {type_name(value)}")
            return None
        if len(value) > limit:
            self.err(path, f"{len(value)} characters is above the limit of {limit}")
            return None
        if pattern and not re.fullmatch(pattern, value):
            self.err(path, f"{value[:60]!r} is not valid here{'; ' + example if example else ''}")
            return None
        return value

    def boolean(self, path: Path, value) -> bool | None:
        if not isinstance(value, bool):
            self.err(path, f"expected true or false, not {type_name(value)}")
            return None
        return value

    def integer(self, path: Path, value, lo: int, hi: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(path, f"expected a whole number {lo} .. {hi}, not {type_name(value)}")
            return None
        if not lo <= value <= hi:
            self.err(path, f"{value} is outside {lo} .. {hi}")
            return None
        return value

    def duration(self, path: Path, value, exact: bool = True) -> int | None:
        try:
            return duration_ms(value, exact)
        except UnitError as exc:
            self.err(path, str(exc))
            return None

    def quantity(self, path: Path, value, unit) -> int | None:
        try:
            return quantity(value, unit)
        except UnitError as exc:
            self.err(path, str(exc))
            return None

    def param_ref(self, path: Path, value) -> ParamRef | None:
        """``"$name"`` -> ParamRef; anything else -> None (a literal)."""
        if isinstance(value, str) and value.strip().startswith("$"):
            if not re.fullmatch(PARAM_REF_PATTERN, value.strip()):
                self.err(path, f"{value!r} is not a parameter reference like \"$dry_threshold\"")
                return ParamRef("")
            return ParamRef(value.strip()[1:])
        return None
