"""Recipe errors: every problem names the file, the line, the key path and what would be valid."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import TendrilError

Path = tuple[str | int, ...]
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def path_text(path: Path) -> str:
    """``("channels", "soil", "calibration", 0, "reading")`` -> ``channels.soil.calibration[0].reading``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _BARE.match(part) else '"' + part.replace('"', '\\"') + '"'
            out += ("." if out else "") + text
    return out or "(top)"


@dataclass(frozen=True)
class Issue:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.path}: {self.message}"


class RecipeError(TendrilError):
    """A recipe that cannot be read, or does not fit a board. ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class Reporter:
    """Collects issues for one source; turns key paths into lines with its locator."""

    def __init__(self, file: str, locate=None) -> None:
        self.file = file
        self.locate = locate or (lambda path: 1)
        self.issues: list[Issue] = []

    def err(self, path: Path, message: str, line: int | None = None) -> None:
        where = line if line is not None else self.locate(path)
        issue = Issue(self.file, where, path_text(path), message)
        if issue not in self.issues:
            self.issues.append(issue)

    def issue_at(self, path: Path, message: str, line: int) -> Issue:
        return Issue(self.file, line, path_text(path), message)

    def raise_if_any(self) -> None:
        if self.issues:
            raise RecipeError(self.issues)
