"""Text a board prints outside frames (a boot loader, a sketch's Serial.println) as lines.

Only text that starts a delimiter-separated segment counts: every encoded frame has the version
byte 0x01 as its second byte, so a frame is never mistaken for a line of text."""

from __future__ import annotations

_PRINTABLE = frozenset(range(0x20, 0x7F)) | {0x09, 0x0D}
MAX_LINE = 256


class TextScanner:
    def __init__(self) -> None:
        self._seg = bytearray()
        self._blocked = False  # this segment started with something that is not text

    def feed(self, data: bytes) -> list[str]:
        lines: list[str] = []
        parts = data.split(b"\x00")
        for i, part in enumerate(parts):
            if i:  # a delimiter: a new segment starts
                self._seg.clear()
                self._blocked = False
            if self._blocked:
                continue
            self._seg += part
            while (nl := self._seg.find(b"\n")) >= 0:
                line = bytes(self._seg[:nl])
                if not all(b in _PRINTABLE for b in line):
                    self._blocked = True
                    self._seg.clear()
                    break
                del self._seg[: nl + 1]
                text = line.decode("ascii").rstrip("\r")
                if text:  # a bare newline says nothing (and may be a broken frame's tail)
                    lines.append(text)
            if not self._blocked and (len(self._seg) > MAX_LINE or
                                      not all(b in _PRINTABLE for b in self._seg)):
                self._blocked = True
                self._seg.clear()
        return lines
