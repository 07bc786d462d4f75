"""Parameters tuned on a board (tendril set) against a recipe about to replace its config: which
can be set again after the push, in words. Pure: no I/O."""

from __future__ import annotations

from ..image import decode
from . import model as m
from .describe import param_format


def _shown(value: int, p) -> str:
    return param_format(p)(value)


def tuned_plan(old: m.Recipe, old_image: bytes, values: list[int],
               new: m.Recipe, keep_tuned: bool = True) -> tuple[list[tuple[int, int]], list[str]]:
    """Parameters tuned on the board (value differs from its image's default), matched by name in
    the new recipe: the (new index, value) pairs to set again after a push (none unless
    ``keep_tuned``), and a line in words for each tuned value."""
    defaults = [p.default for p in decode(old_image).params]
    by_name = {p.name: (i, p) for i, p in enumerate(new.params)}
    keep: list[tuple[int, int]] = []
    lines: list[str] = []
    for i, value in enumerate(values[:len(defaults)]):
        if value == defaults[i] or i >= len(old.params):
            continue
        name = old.params[i].name
        was = f"{name}: tuned to {_shown(value, old.params[i])} on the board"
        if name not in by_name:
            lines.append(f"{was}; the new recipe has no {name}: dropped")
            continue
        j, p = by_name[name]
        if not p.min <= value <= p.max:
            lines.append(f"{was}, outside the new recipe's {_shown(p.min, p)} .. {_shown(p.max, p)}: "
                         f"the recipe's {_shown(p.default, p)} applies")
        elif value == p.default:
            lines.append(f"{was}, the new recipe's default")
        elif keep_tuned:
            keep.append((j, value))
            lines.append(f"{was}: kept (the recipe says {_shown(p.default, p)})")
        else:
            lines.append(f"{was}: reset to the recipe's {_shown(p.default, p)}")
    return keep, lines
