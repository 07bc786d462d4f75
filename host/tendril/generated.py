"""Writing (or checking) generated files: the one routine behind contract_gen and mpy_gen."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(files: dict[Path, str], root: Path, check: bool, command: str) -> int:
    """Write each changed file, or with ``check`` only list the stale ones; 1 if any is stale."""
    stale = []
    for path, text in files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(str(path.relative_to(root)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(root)}")
    if stale:
        print(f"stale generated files (run {command}):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0
