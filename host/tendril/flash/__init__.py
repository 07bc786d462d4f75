"""Putting tendril's firmware on a board: ``tendril flash``.

- ``tendril.flash.avr``: uno, nano, mega2560. make builds the AVR firmware (in a checkout) and
  avrdude uploads it, or a built file, through the board's boot loader.
- ``tendril.flash.micropython``: pico, esp32-devkit. mpy-cross compiles the MicroPython firmware and
  mpremote copies it, and optionally a config image, onto the board.

Both fail with one FlashError line (or a TransportError for a port that cannot be used).
"""

from __future__ import annotations

from ..errors import TendrilError


class FlashError(TendrilError):
    """Building, compiling or uploading the firmware failed."""
