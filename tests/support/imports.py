"""What importing modules pulls in, seen from a fresh Python (the layering tests: a pure core
imports no database, serial port, UI or plotting library)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence


def loaded_by(modules: Sequence[str], watched: Sequence[str]) -> list[str]:
    """The packages of ``watched`` that importing ``modules`` in a fresh interpreter loaded."""
    code = (f"import sys, json\nfor m in {list(modules)!r}: __import__(m)\n"
            f"print(json.dumps(sorted({{n.split('.')[0] for n in sys.modules}} & set({list(watched)!r}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)
