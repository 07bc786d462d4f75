"""The firmware's request handling (firmware/core/req.c) with no HAL: request payloads in, the
replies the device writes out, over the real store on an EEPROM in memory (see device_lib.py)."""

from __future__ import annotations

import pytest
from tendril.contract import (
    CONFIG_CHUNK_MAX,
    CommandOp,
    ConfigOutcome,
    EventKind,
    HelloFlag,
    ModeChange,
    MsgType,
    Nack,
    StatusSection,
)
from tendril.image import recipe_hash, with_generation
from tendril.protocol import (
    Ack,
    ClearSafeMode,
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    ConfigData,
    ConfigRead,
    GetParams,
    Hello,
    Lease,
    NackMsg,
    Params,
    Pause,
    Pong,
    Resume,
    RequestHello,
    RequestStatus,
    SetParam,
    Status,
    TelemetryMode,
    encode_message,
)
from tendril.sim.story import plant_waterer_image

from .device_lib import Device


@pytest.fixture
def device(device_lib) -> Device:
    return Device(device_lib)


def image(generation: int = 1) -> bytes:
    return with_generation(plant_waterer_image("uno"), generation)


def push(device: Device, data: bytes, generation: int = 1) -> list:
    """CONFIG_BEGIN, every chunk, CONFIG_COMMIT: each chunk ACKed with the bytes staged so far;
    returns what COMMIT wrote."""
    crc = int.from_bytes(data[2:6], "little")
    [ack] = device.request(ConfigBegin(len(data), crc, recipe_hash(data), generation))
    assert isinstance(ack, Ack) and ack.request_type == MsgType.CONFIG_BEGIN
    for offset in range(0, len(data), CONFIG_CHUNK_MAX):
        [ack] = device.request(ConfigChunk(offset, data[offset : offset + CONFIG_CHUNK_MAX]))
        assert ack == Ack(MsgType.CONFIG_CHUNK, 0, min(offset + CONFIG_CHUNK_MAX, len(data)))
    return device.request(ConfigCommit())


def test_ping_is_answered_with_its_payload_and_seq(device):
    [(seq, pong)] = device.raw(MsgType.PING, bytes(range(32)), seq=0x1234)
    assert (seq, pong) == (0x1234, Pong(bytes(range(32))))


@pytest.mark.parametrize(
    "msg_type, payload, code, detail",
    [
        (0x05, b"", Nack.UNKNOWN_TYPE, 0),
        (MsgType.COMMAND, b"", Nack.BAD_LENGTH, 0),
        (MsgType.COMMAND, bytes([CommandOp.LEASE, 0, 1, 2, 3, 4]), Nack.BAD_LENGTH, 0),
        (MsgType.COMMAND, bytes([0x30]), Nack.UNKNOWN_OP, 0x30),
        (MsgType.COMMAND, bytes([0]), Nack.UNKNOWN_OP, 0),
        (MsgType.CONFIG_READ, b"\x00\x00", Nack.BAD_LENGTH, 0),
        (MsgType.CONFIG_CHUNK, b"\x00\x00", Nack.BAD_LENGTH, 0),
    ],
)
def test_malformed_requests_get_the_nack_the_contract_names(
    device, msg_type, payload, code, detail
):
    [(seq, nack)] = device.raw(msg_type, payload, seq=7)
    assert (seq, nack) == (7, NackMsg(msg_type, code, detail))


def test_without_a_config_engine_commands_are_refused_and_reports_are_empty(device):
    assert device.request(Lease(0, 1_000, 255)) == [NackMsg(MsgType.COMMAND, Nack.NO_CONFIG)]
    assert device.request(Pause()) == [NackMsg(MsgType.COMMAND, Nack.NO_CONFIG)]
    assert device.request(ConfigRead(0, 8)) == [NackMsg(MsgType.CONFIG_READ, Nack.NO_CONFIG)]
    assert device.request(GetParams(0)) == [Params(0, 0, ())]
    [status] = device.request(RequestStatus(StatusSection.RULES, 0), now=5)
    assert status == Status(5, 0, StatusSection.RULES, 0, 0, ())
    [hello] = device.request(RequestHello())
    assert isinstance(hello, Hello)
    assert (hello.flags, hello.config_generation, hello.recipe_hash) == (0, 0, bytes(8))
    assert (hello.device_id, hello.boot_count, hello.text) == (0x5EED1234, 1, "tendril-avr")


def test_a_pushed_image_is_stored_applied_and_then_commands_act_on_it(device_lib):
    device = Device(device_lib)
    data = image(generation=1)
    ack, applied = push(device, data)
    assert ack == Ack(MsgType.CONFIG_COMMIT, 0, 1)
    assert (applied.kind, applied.b, applied.value) == (EventKind.CONFIG, ConfigOutcome.APPLIED, 1)
    assert device.pin_setups == 1  # the new config's pins were set up through the port
    [hello] = device.request(RequestHello())
    assert hello.flags == HelloFlag.HAS_CONFIG and hello.recipe_hash == recipe_hash(data)
    [chunk] = device.request(ConfigRead(0, CONFIG_CHUNK_MAX))
    assert chunk == ConfigData(0, len(data), data[:CONFIG_CHUNK_MAX])

    replies = device.request(Lease(0, 2_000, 255), now=100)
    assert replies[-1] == Ack(MsgType.COMMAND, 0, 2_000)
    [status] = device.request(RequestStatus(StatusSection.ACTUATORS, 0), now=600)
    assert status.total >= 1 and status.entries[0].ms_left == 1_500

    replies = device.request(SetParam(0, 30_000), now=700)
    assert replies[-1] == Ack(MsgType.COMMAND, 0, 30_000)
    assert device.request(GetParams(0))[0].values[0] == 30_000

    # A reboot over the same EEPROM: the image and the parameter override are still there.
    again = Device(device_lib, eeprom=device.eeprom)
    assert again.pin_setups == 1
    [params] = again.request(GetParams(0))
    assert params.values[0] == 30_000


def test_a_corrupt_image_is_refused_at_commit_and_the_old_config_stays(device):
    assert push(device, image(generation=1))[0] == Ack(MsgType.CONFIG_COMMIT, 0, 1)
    bad = bytearray(image(generation=2))
    bad[-1] ^= 0xFF  # the CRC in the header no longer matches
    nack, rejected = push(device, bytes(bad), generation=2)
    assert nack == NackMsg(MsgType.CONFIG_COMMIT, Nack.BAD_CRC)
    assert (rejected.kind, rejected.b) == (EventKind.CONFIG, ConfigOutcome.REJECTED)
    [hello] = device.request(RequestHello())
    assert hello.config_generation == 1


def test_safe_mode_refuses_engine_commands_until_cleared(device_lib):
    first = Device(device_lib)
    push(first, image(generation=1))
    device = Device(device_lib, eeprom=first.eeprom, watchdog_resets=3)
    assert device.safe_mode_entered
    [hello] = device.request(RequestHello())
    assert hello.flags == HelloFlag.SAFE_MODE | HelloFlag.HAS_CONFIG
    assert device.request(Lease(0, 1_000, 255)) == [NackMsg(MsgType.COMMAND, Nack.SAFE_MODE)]
    cleared, ack = device.request(ClearSafeMode())
    assert (cleared.kind, cleared.b) == (EventKind.MODE, ModeChange.SAFE_MODE_CLEARED)
    assert ack == Ack(MsgType.COMMAND, 0, 0)
    assert device.request(Lease(0, 1_000, 255))[-1] == Ack(MsgType.COMMAND, 0, 1_000)
    # Cleared in the EEPROM too: the next boot comes up running.
    [hello] = Device(device_lib, eeprom=device.eeprom).request(RequestHello())
    assert hello.flags == HelloFlag.HAS_CONFIG


def test_a_request_in_a_newer_protocol_version_is_refused_with_ours(device):
    [(seq, nack)] = device.refuse_version(MsgType.COMMAND, 0x0102)
    assert (seq, nack) == (0x0102, NackMsg(MsgType.COMMAND, Nack.BAD_VERSION, 1))


def test_replies_echo_the_request_seq_and_own_messages_count_from_zero(device_lib):
    device = Device(device_lib)
    data = image(generation=1)
    crc = int.from_bytes(data[2:6], "little")
    begin = ConfigBegin(len(data), crc, recipe_hash(data), 1)
    [(seq, _)] = device.raw(*encode_message(begin), seq=40)
    assert seq == 40
    for offset in range(0, len(data), CONFIG_CHUNK_MAX):
        device.request(ConfigChunk(offset, data[offset : offset + CONFIG_CHUNK_MAX]))
    (reply_seq, ack), (event_seq, event) = device.raw(*encode_message(ConfigCommit()), seq=41)
    assert (reply_seq, ack) == (41, Ack(MsgType.CONFIG_COMMIT, 0, 1))
    assert (event_seq, event.kind) == (0, EventKind.CONFIG)  # the device's first own message
    [(seq, _), (next_seq, _)] = device.raw(*encode_message(SetParam(0, 30_000)), seq=42)
    assert (seq, next_seq) == (1, 42)  # the PARAM event (own seq 1), then the ACK


def test_pause_and_raw_telemetry_show_in_hello_and_a_pause_outlives_a_reboot(device_lib):
    first = Device(device_lib)
    push(first, image(generation=1))
    assert first.request(Pause())[-1] == Ack(MsgType.COMMAND, 0, 0)
    assert first.request(TelemetryMode(1)) == [Ack(MsgType.COMMAND, 0, 0)]
    [hello] = first.request(RequestHello())
    assert hello.flags == HelloFlag.HAS_CONFIG | HelloFlag.PAUSED | HelloFlag.RAW_TELEMETRY
    again = Device(device_lib, eeprom=first.eeprom)
    [hello] = again.request(RequestHello())
    assert hello.flags == HelloFlag.HAS_CONFIG | HelloFlag.PAUSED  # raw telemetry is per boot
    assert again.request(Resume())[-1] == Ack(MsgType.COMMAND, 0, 0)
    [hello] = Device(device_lib, eeprom=again.eeprom).request(RequestHello())
    assert hello.flags == HelloFlag.HAS_CONFIG
