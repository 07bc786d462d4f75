"""The committed vector files against what their cases_*.py module builds (pytest's twin of
`python tests/vectors/generate.py --check`, which `make test` runs for every module)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def stale_vectors(cases: str, paths: list[Path]) -> list[str]:
    """What is wrong with the files ``paths`` of ``cases`` (e.g. "cases_device"): a file the module
    does not build, one it builds that is missing, or one whose content differs. Empty when current."""
    spec = importlib.util.spec_from_file_location(cases, VECTORS / f"{cases}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    have = {str(p.relative_to(VECTORS)) for p in paths}
    problems = [f"{rel} is not built by {cases}.py" for rel in sorted(have - set(built))]
    for rel, content in sorted(built.items()):
        if rel not in have or json.loads((VECTORS / rel).read_text(encoding="utf-8")) != content:
            problems.append(f"{rel} is stale or missing: run python tests/vectors/generate.py")
    return problems
