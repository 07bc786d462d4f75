"""What each NACK code means to a person (docs/protocol.md, *ACK and NACK*)."""

from __future__ import annotations

from ..contract import ImageError, Nack
from ..errors import DeviceError

MEANING = {
    Nack.UNKNOWN_TYPE: "the board does not know this request (update its firmware?)",
    Nack.BAD_LENGTH: "the request's payload had the wrong length",
    Nack.BAD_VERSION: "the board speaks protocol version {detail}",
    Nack.UNKNOWN_OP: "the board does not know command op {detail}",
    Nack.BAD_INDEX: "there is no actuator or parameter number {detail} in the board's recipe",
    Nack.BAD_VALUE: "an argument is outside its domain (a zero duration or level?)",
    Nack.OUT_OF_RANGE: "the value is outside parameter {detail}'s min..max",
    Nack.NO_CONFIG: "the board has no recipe yet (push one first)",
    Nack.NO_TRANSFER: "no config transfer is in progress",
    Nack.BAD_OFFSET: "a chunk arrived out of order (the board expected offset {detail})",
    Nack.TOO_LARGE: "the image is too large; this board takes at most {detail} bytes",
    Nack.BAD_CRC: "the staged image's CRC-32 did not match (bytes were corrupted on the way)",
    Nack.IMAGE_INVALID: "the board's validation refused the image (error {hi}, record {lo})",
    Nack.STALE_GENERATION: "the generation is not newer than the active one ({detail})",
    Nack.STORAGE: "writing or verifying the board's storage failed",
    Nack.LIMIT_MAX_ON: "longer than the actuator's max_on ({detail} s)",
    Nack.LIMIT_MIN_OFF: "the actuator is resting in its min_off ({detail} s left)",
    Nack.LIMIT_DAILY_CAP: "the actuator has used its daily cap",
    Nack.SAFE_MODE: "the board is in safe mode (clear it first)",
    Nack.BUSY: "a config transfer from another host is in progress",
    Nack.PIN_IN_USE: "pin {detail} belongs to the board's recipe (an actuator, a channel, or a sensor "
    "that is not a DS18B20): a 1-Wire search would disturb it",
}


def explain(code: int, detail: int) -> str:
    try:
        code = Nack(code)
    except ValueError:
        return f"unknown NACK code {code} (detail {detail})"
    text = MEANING.get(code, "").format(detail=detail, hi=detail >> 8, lo=detail & 0xFF)
    if code == Nack.IMAGE_INVALID and detail >> 8 in IMAGE_WORDS:
        text = f"{text}: {IMAGE_WORDS[detail >> 8]}"
    return f"{code.name}: {text}"


# Image errors that say something about the board rather than the recipe (docs/config-image.md).
IMAGE_WORDS = {
    ImageError.BAD_FORMAT: "the board's firmware reads another config image format than this tendril "
    "writes (format 2 added sensors, format 3 servos): update the firmware, or the host, so they match, then push "
    "the recipe again",
    ImageError.BAD_SENSOR: "the board's firmware cannot run one of the recipe's sensors",
}


def device_error(what: str, code: int, detail: int) -> DeviceError:
    try:
        named = Nack(code)
    except ValueError:
        named = code
    return DeviceError(named, detail, f"the board refused {what}: {explain(code, detail)}")
