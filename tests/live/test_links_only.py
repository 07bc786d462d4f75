"""tendril.live keeps to links (issue 16, "Shape"): its views carry structure (the contract's enums,
the recipe's units, owners as indexes, events as the EVENT), and the words for people come from
tendril.words on the UIs' side. So nothing in live/ imports tendril.words (or Textual), and no code
that reads a board's state tests its bits by value: ActuatorStateBit, HelloFlag and TelemetryFlag
are named."""

from __future__ import annotations

import ast
import re

from ..conftest import ROOT

LIVE = ROOT / "host" / "tendril" / "live"
# Where a board's state bits are read for people or for views.
STATE_READERS = ("host/tendril/live", "host/tendril/tui", "host/tendril/words.py", "host/tendril/cli",
                 "host/tendril/recipes/describe.py", "host/tendril/sim/demo.py")
# ``e.state & 1``, ``hello.flags & 0x04``, ``flags & (1 << 2)``: a state bit tested by its value.
BIT_BY_VALUE = re.compile(r"\b(state|flags)\s*&\s*\(?\s*(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)\b")


def imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` imports, relative imports resolved against ``package``."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.add(name)
            out |= {f"{name}.{a.name}" for a in node.names}
    return out


def _words_or_screens(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "tendril.words" or m.startswith(("tendril.words.", "textual", "tendril.tui"))}


def test_live_imports_neither_words_nor_screens():
    hits = []
    for path in sorted(LIVE.glob("*.py")):
        bad = _words_or_screens(imported_modules(path.read_text(encoding="utf-8"), "tendril.live"))
        hits += [f"live/{path.name}: {m}" for m in sorted(bad)]
    assert hits == [], "live/ hands structure; tendril.words is the UIs':\n" + "\n".join(hits)


def test_no_state_bit_is_tested_by_value():
    hits = []
    for top in STATE_READERS:
        root = ROOT / top
        for path in sorted([root] if root.is_file() else root.rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if BIT_BY_VALUE.search(line.split("#")[0]):
                    hits.append(f"{path.relative_to(ROOT).as_posix()}:{n}: {line.strip()}")
    assert hits == [], "name the bit (ActuatorStateBit.ON, HelloFlag.PAUSED):\n" + "\n".join(hits)


def test_the_checks_find_what_they_look_for():
    assert _words_or_screens(imported_modules("from ..words import event_text", "tendril.live"))
    assert _words_or_screens(imported_modules("from tendril import words", "tendril.live"))
    assert _words_or_screens(imported_modules("import textual.app", "tendril.live"))
    assert not _words_or_screens(imported_modules("from ..contract import RuleState", "tendril.live"))
    assert BIT_BY_VALUE.search("on = bool(e.state & 1)")
    assert BIT_BY_VALUE.search("if hello.flags & 0x04:")
    assert BIT_BY_VALUE.search("paused = flags & (2)")
    assert not BIT_BY_VALUE.search("on = bool(e.state & ActuatorStateBit.ON)")
