"""Boards that do not run tendril (docs/host.md, *Boards that do not run tendril*).

Two sources, one shape: ``open() -> SourceInfo``, ``read(timeout) -> list[SourceRow]``, ``close()``,
``stats``. A row is one moment's named values, as the board gave them:

- ``PlotterSource``: any sketch that prints Arduino Serial Plotter lines (``soil:41.2 light:512``);
  the text is parsed by ``PlotterParser``, a pure object (bytes in, rows out).
- ``FirmataSource``: a board running a Firmata firmware, through pyfirmata2: analog inputs as
  channels ``A0``, ``A1``, ... in raw ADC counts, digital outputs through ``digital_write``.

Both raise ``TransportError`` when the port cannot be opened or goes away.
"""

from __future__ import annotations

from .firmata import FirmataSource
from .plotter import PlotterParser, PlotterSource
from .rows import SourceInfo, SourceRow, device_key

__all__ = ["FirmataSource", "PlotterParser", "PlotterSource", "SourceInfo", "SourceRow",
           "device_key"]
