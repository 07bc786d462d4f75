"""Write (or check) the shared vector files from the case lists beside this file.

    python tests/vectors/generate.py          # rewrite every vector file
    python tests/vectors/generate.py --check  # exit 1 if a committed file differs

Each ``cases_*.py`` module here has ``build() -> dict[str, object]``: vector file paths relative to
this folder, mapped to their JSON content. The generator only serialises; the case modules compute
expected results from the contract (never from the code under test where that can be avoided).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def render(content: object) -> str:
    return json.dumps(content, indent=1, ensure_ascii=False) + "\n"


def collect() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for module_path in sorted(HERE.glob("cases_*.py")):
        spec = importlib.util.spec_from_file_location(module_path.stem, module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for rel, content in module.build().items():
            path = HERE / rel
            if path in files:
                raise SystemExit(f"{module_path.name}: {rel} is written by another case module too")
            files[path] = render(content)
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for path, text in collect().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(path.relative_to(HERE))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE)}")
    if stale:
        print("stale vector files (run python tests/vectors/generate.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
