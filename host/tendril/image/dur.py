"""dur16: the two-byte duration code of config images (docs/config-image.md)."""

from __future__ import annotations

from ..contract import DUR_COUNT_MAX, DUR_MAX_MS, DUR_UNIT_MS, DurUnit


def dur16_valid(code: int) -> bool:
    return (code >> 14) in DUR_UNIT_MS


def dur16_to_ms(code: int) -> int:
    """Milliseconds of a valid dur16 code. Raises ValueError for the reserved unit."""
    unit = code >> 14
    if unit not in DUR_UNIT_MS:
        raise ValueError(f"dur16 0x{code:04x} uses the reserved unit")
    return (code & DUR_COUNT_MAX) * DUR_UNIT_MS[DurUnit(unit)]


def ms_to_dur16(ms: int) -> int:
    """The dur16 code of ``ms`` in the finest unit that holds it exactly.

    Raises ValueError, saying which nearby durations would fit, when none does.
    """
    if ms < 0 or ms > DUR_MAX_MS:
        raise ValueError(f"{ms} ms is outside 0 .. {DUR_MAX_MS} ms")
    for unit in (DurUnit.MS, DurUnit.S, DurUnit.MIN):
        size = DUR_UNIT_MS[unit]
        if ms % size == 0 and ms // size <= DUR_COUNT_MAX:
            return (unit << 14) | (ms // size)
    for unit in (DurUnit.S, DurUnit.MIN):
        size = DUR_UNIT_MS[unit]
        if ms // size <= DUR_COUNT_MAX:
            lo, hi = ms // size * size, (ms // size + 1) * size
            raise ValueError(
                f"{ms} ms cannot be stored exactly; {fmt_ms(lo)} or {fmt_ms(hi)} can"
            )
    raise ValueError(f"{ms} ms cannot be stored exactly")  # pragma: no cover - unreachable


def fmt_ms(ms: int) -> str:
    """A duration in the largest unit that shows it exactly: 1500 -> '1500 ms', 90000 -> '90 s'."""
    for size, name in ((3_600_000, "h"), (60_000, "min"), (1000, "s")):
        if ms and ms % size == 0:
            return f"{ms // size} {name}"
    return f"{ms} ms"
