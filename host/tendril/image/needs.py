"""What an image needs of a board's firmware beyond its board class: today, its sensor kinds.

HELLO's ``sensor_kinds`` says which sensor kinds a firmware was built with (docs/protocol.md); the
host checks an image against it before it sends a byte (docs/config-image.md, "Sensor"). Pure.
"""

from __future__ import annotations

from ..contract import ImageError, sensor_kind
from ..errors import ImageRefused
from .codec import decode


def kind_words(code: int) -> str:
    spec = sensor_kind(code)
    return f"a {spec.words} ({spec.name})" if spec else f"sensor kind {code}, which this tendril does not know"


def built_words(sensor_kinds: int) -> str:
    names = [sensor_kind(b).name if sensor_kind(b) else str(b) for b in range(32) if sensor_kinds >> b & 1]
    return "sensor kinds " + ", ".join(names) if names else "no sensor kinds"


def check_sensor_kinds(image: bytes, sensor_kinds: int) -> None:
    """Raise ImageRefused(BAD_SENSOR, index) for the first sensor of ``image`` whose kind is not in
    the ``sensor_kinds`` bitmap of the board's HELLO, with words that say which and what the board
    has. An image that does not decode is left to the board's own validation."""
    try:
        sensors = decode(image).sensors
    except ImageRefused:
        return
    for i, sensor in enumerate(sensors):
        if not (sensor.kind < 32 and sensor_kinds >> sensor.kind & 1):
            raise ImageRefused(
                ImageError.BAD_SENSOR,
                i,
                f"the recipe's sensor {i} is {kind_words(sensor.kind)}, and this board's firmware "
                f"was built with {built_words(sensor_kinds)}: flash a firmware that has it, or "
                "change the recipe",
            )
