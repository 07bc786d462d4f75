"""Where each key of a TOML document sits: key path -> line number.

tomllib gives values but no positions, so this scanner walks the source once and records the line
of every table header, key, inline-table key and array element. It runs before tomllib, so it
must survive any input: it never recurses deeper than ``max_depth`` (hostile nesting is reported
instead of overflowing Python's stack) and stops quietly on text that is not TOML (tomllib then
reports the syntax error with its own line).
"""

from __future__ import annotations

from .issues import Path


class TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Stop(Exception):
    pass


class Locator:
    def __init__(self, text: str, max_depth: int = 8) -> None:
        self.text = text
        self.max_depth = max_depth
        self.lines: dict[Path, int] = {}
        self._arrays: dict[Path, int] = {}  # array-of-tables path -> index of its last element
        self.i = 0
        self.line = 1
        try:
            self._document()
        except (_Stop, IndexError):
            pass

    def __call__(self, path: Path) -> int:
        """The line of ``path``, else of its longest recorded prefix, else 1."""
        for n in range(len(path), 0, -1):
            if tuple(path[:n]) in self.lines:
                return self.lines[tuple(path[:n])]
        return 1

    # --- scanning ---------------------------------------------------------------------------------

    def _peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.text[j] if j < len(self.text) else ""

    def _advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i < len(self.text) and self.text[self.i] == "\n":
                self.line += 1
            self.i += 1

    def _skip_space(self, newlines: bool) -> None:
        while self.i < len(self.text):
            c = self.text[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self._advance()
            elif c == "#":
                while self.i < len(self.text) and self.text[self.i] != "\n":
                    self.i += 1
            else:
                return

    def _record(self, path: Path) -> None:
        self.lines.setdefault(path, self.line)

    def _document(self) -> None:
        table: Path = ()
        while True:
            self._skip_space(newlines=True)
            if self.i >= len(self.text):
                return
            if self._peek() == "[":
                table = self._header()
            else:
                key = self._key()
                self._skip_space(False)
                if self._peek() != "=":
                    raise _Stop
                self._advance()
                self._skip_space(False)
                self._value(table + key, 0)
            self._skip_space(False)
            if self.i < len(self.text) and self._peek() != "\n":
                raise _Stop

    def _header(self) -> Path:
        is_array = self._peek(1) == "["
        self._advance(2 if is_array else 1)
        self._skip_space(False)
        raw = self._key()
        self._skip_space(False)
        self._advance(2 if is_array else 1)
        path: Path = ()
        for n, part in enumerate(raw):
            path += (part,)
            if path in self._arrays and not (is_array and n == len(raw) - 1):
                path += (self._arrays[path],)
        self._record(path)
        if is_array:
            index = self._arrays.get(path, -1) + 1
            self._arrays[path] = index
            path += (index,)
            self._record(path)
        return path

    def _key(self) -> Path:
        parts: list[str] = []
        while True:
            self._skip_space(False)
            c = self._peek()
            if c in "\"'":
                parts.append(self._string())
            else:
                start = self.i
                while self._peek() and (self._peek().isalnum() or self._peek() in "_-"):
                    self._advance()
                if self.i == start:
                    raise _Stop
                parts.append(self.text[start : self.i])
            self._skip_space(False)
            if self._peek() != ".":
                return tuple(parts)
            self._advance()

    def _string(self) -> str:
        quote = self._peek()
        if self.text.startswith(quote * 3, self.i):
            end = self.text.find(quote * 3, self.i + 3)
            while quote == '"' and end > 0 and self._escaped(end):
                end = self.text.find(quote * 3, end + 1)
            if end < 0:
                raise _Stop
            while self.text.startswith(quote, end + 3):  # up to two quotes may close it
                end += 1
            body = self.text[self.i + 3 : end]
            self._advance(end + 3 - self.i)
            return body
        self._advance()
        start = self.i
        while self._peek() and self._peek() != quote and self._peek() != "\n":
            if quote == '"' and self._peek() == "\\":
                self._advance()
            self._advance()
        body = self.text[start : self.i]
        self._advance()
        return body

    def _escaped(self, j: int) -> bool:
        n = 0
        while j - 1 - n >= 0 and self.text[j - 1 - n] == "\\":
            n += 1
        return n % 2 == 1

    def _value(self, path: Path, depth: int) -> None:
        if depth > self.max_depth:
            raise TooDeep(self.line)
        self._record(path)
        c = self._peek()
        if c in "\"'":
            self._string()
        elif c == "{":
            self._advance()
            while True:
                self._skip_space(False)
                if self._peek() == "}":
                    self._advance()
                    return
                key = self._key()
                self._skip_space(False)
                if self._peek() != "=":
                    raise _Stop
                self._advance()
                self._skip_space(False)
                self._value(path + key, depth + 1)
                self._skip_space(False)
                if self._peek() == ",":
                    self._advance()
                elif self._peek() != "}":
                    raise _Stop
        elif c == "[":
            self._advance()
            index = 0
            while True:
                self._skip_space(True)
                if self._peek() == "]":
                    self._advance()
                    return
                self._value(path + (index,), depth + 1)
                index += 1
                self._skip_space(True)
                if self._peek() == ",":
                    self._advance()
                elif self._peek() != "]":
                    raise _Stop
        else:
            start = self.i
            while self._peek() and self._peek() not in ",]}\n#":
                self._advance()
            if self.i == start:
                raise _Stop
