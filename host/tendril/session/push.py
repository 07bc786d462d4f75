"""The config transfer (docs/protocol.md, *CONFIG transfer*) and the read-back of the active image."""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import CONFIG_CHUNK_MAX, AckDetail, Nack
from ..errors import DeviceError, TransportError
from ..image import crc32, recipe_hash, with_generation
from ..image.needs import check_sensor_kinds
from ..protocol import (
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    ConfigData,
    ConfigRead,
    Hello,
    GetParams,
    NackMsg,
    Params,
)
from .nacks import device_error
from .session import Session


@dataclass
class PushResult:
    before: Hello
    after: Hello
    image: bytes  # as pushed (with its generation) or as found active
    already_active: bool


def read_config(session: Session) -> bytes:
    """The board's active image, by CONFIG_READ chunks. DeviceError NO_CONFIG when there is none."""
    out = bytearray()
    total = None
    while total is None or len(out) < total:
        reply = session.call(ConfigRead(len(out), CONFIG_CHUNK_MAX), f"CONFIG_READ at {len(out)}",
                             expect=ConfigData)
        total = reply.total_length
        if reply.offset != len(out) or (not reply.data and len(out) < total):
            raise TransportError(f"{session.port}: CONFIG_READ answered offset {reply.offset} "
                                 f"with {len(reply.data)} bytes at {len(out)} of {total}")
        out += reply.data
    return bytes(out)


def read_params(session: Session) -> list[int]:
    """Every parameter's value as the board runs it now (tuned or the image's default), by
    GET_PARAMS pages."""
    values: list[int] = []
    while True:
        page = session.call(GetParams(len(values)), "GET_PARAMS", expect=Params)
        values += page.values
        if not page.values or len(values) >= page.total:
            return values


def push(session: Session, image: bytes) -> PushResult:
    """Push ``image`` (generation = the board's + 1), then verify by HELLO's recipe hash and a
    CONFIG_READ read-back. ALREADY_ACTIVE: nothing is written. Raises DeviceError on a refusal, and
    ImageRefused (BAD_SENSOR), sending nothing, for a sensor whose kind the board's HELLO lacks."""
    before = session.handshake()
    if len(image) > before.max_image:
        raise device_error("the config", Nack.TOO_LARGE, before.max_image)
    check_sensor_kinds(image, before.sensor_kinds)  # before a byte is sent
    generation = (before.config_generation + 1) & 0xFFFFFFFF
    data = with_generation(image, generation)
    want = recipe_hash(data)
    begin = session.call(ConfigBegin(len(data), crc32(data), want, generation), "CONFIG_BEGIN")
    already = begin.detail == AckDetail.ALREADY_ACTIVE
    if not already:
        for offset in range(0, len(data), CONFIG_CHUNK_MAX):
            session.call(ConfigChunk(offset, data[offset:offset + CONFIG_CHUNK_MAX]),
                         f"CONFIG_CHUNK at {offset}")
        reply = session.request(ConfigCommit())
        # A lost ACK to a COMMIT that worked makes the retry answer NO_TRANSFER: HELLO tells.
        if isinstance(reply, NackMsg) and reply.code != Nack.NO_TRANSFER:
            raise device_error("CONFIG_COMMIT", reply.code, reply.detail)
    after = session.handshake()
    if after.recipe_hash != want:
        raise DeviceError(Nack.STORAGE, 0,
                          f"after the push the board runs recipe {after.recipe_hash.hex()}, "
                          f"not {want.hex()}: the push did not take")
    active = read_config(session)
    expected = data if not already else with_generation(image, after.config_generation)
    if recipe_hash(active) != want or (not already and active != expected):
        raise DeviceError(Nack.STORAGE, 0, "the image read back from the board differs from the one "
                          "pushed: its storage may be failing")
    return PushResult(before, after, active, already)
