"""Config image (format 3): encode, decode, validate (docs/config-image.md). Pure: no I/O."""

from .calib import two_point
from .codec import crc32, decode, encode, image_size, recipe_hash, with_generation
from .dur import dur16_to_ms, dur16_valid, fmt_ms, ms_to_dur16
from .model import Actuator, Channel, Image, Param, Rule, Sensor
from .validate import validate

__all__ = [
    "Actuator",
    "Channel",
    "Image",
    "Param",
    "Rule",
    "crc32",
    "decode",
    "dur16_to_ms",
    "dur16_valid",
    "encode",
    "fmt_ms",
    "image_size",
    "Sensor",
    "ms_to_dur16",
    "recipe_hash",
    "two_point",
    "validate",
    "with_generation",
]
