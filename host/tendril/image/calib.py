"""Two-point calibration in the image's terms (docs/config-image.md): value = offset + ((raw *
gain) >> 16), gain in Q16.16 and offset and value in thousandths of the channel's unit."""

from __future__ import annotations

from fractions import Fraction


def two_point(raw_a: int | Fraction, value_a: int, raw_b: int | Fraction,
              value_b: int) -> tuple[int, int]:
    """The Q16.16 gain and the offset that map ``raw_a`` to ``value_a`` and ``raw_b`` to
    ``value_b`` (raws may be fractions of a count, from volts). ``raw_a != raw_b``."""
    gain = round(Fraction(value_b - value_a) * 65536 / (Fraction(raw_b) - Fraction(raw_a)))
    scaled = Fraction(raw_a) * gain / 65536
    return gain, value_a - scaled.numerator // scaled.denominator
