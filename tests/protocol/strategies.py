"""Hypothesis strategies for every message class, with fields inside their documented ranges."""

from __future__ import annotations

from hypothesis import strategies as st

from tendril.contract import (
    CONFIG_CHUNK_MAX,
    LOG_TEXT_MAX,
    PING_MAX,
    RECIPE_HASH_SIZE,
    TELEMETRY_MAX_VALUES,
)
from tendril.protocol import (
    COMMANDS,
    HELLO_TEXT_MAX,
    PARAMS_MAX_VALUES,
    Ack,
    ActuatorEntry,
    ClearSafeMode,
    ConfigAbort,
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    ConfigData,
    ConfigRead,
    Event,
    GetParams,
    Hello,
    Lease,
    Log,
    NackMsg,
    Off,
    Params,
    Pause,
    Ping,
    Pong,
    RequestHello,
    RequestStatus,
    Resume,
    I2cData,
    I2cRead,
    I2cScan,
    RomCodes,
    RuleEntry,
    ScanI2c,
    ScanOneWire,
    SetParam,
    Status,
    Telemetry,
    TelemetryMode,
    Unknown,
    UnknownCommand,
)

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFF_FFFF)
i32 = st.integers(-(2**31), 2**31 - 1)
# A TELEMETRY value: INT32_MIN is the wire's NO_READING marker, which decodes as None.
reading = st.one_of(st.none(), st.integers(-(2**31) + 1, 2**31 - 1))
hashes = st.binary(min_size=RECIPE_HASH_SIZE, max_size=RECIPE_HASH_SIZE)
ascii_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E))

requests = st.one_of(
    st.builds(Ping, st.binary(max_size=PING_MAX)),
    st.builds(ConfigBegin, u16, u32, hashes, u32),
    st.builds(ConfigChunk, u16, st.binary(min_size=1, max_size=CONFIG_CHUNK_MAX)),
    st.builds(ConfigCommit),
    st.builds(ConfigAbort),
    st.builds(ConfigRead, u16, u8),
    st.builds(Lease, u8, u32, u8),
    st.builds(Off, u8),
    st.builds(Pause),
    st.builds(Resume),
    st.builds(SetParam, u8, i32),
    st.builds(GetParams, u8),
    st.builds(RequestHello),
    st.builds(RequestStatus, u8, u8),
    st.builds(ClearSafeMode),
    st.builds(TelemetryMode, u8),
    st.builds(ScanOneWire, u8, u8),
    st.builds(ScanI2c, u8),
    st.builds(I2cRead, u8, u8, u8, u8, u8),
    st.builds(UnknownCommand, u8.filter(lambda op: op not in COMMANDS), st.binary(max_size=40)),
)

hellos = st.builds(
    Hello,
    protocol_version=u8,
    board_class=u8,
    fw_major=u8,
    fw_minor=u8,
    fw_patch=u8,
    reset_cause=u8,
    flags=u8,
    reserved=u8,
    device_id=u32,
    boot_count=u32,
    capabilities=u32,
    config_generation=u32,
    recipe_hash=hashes,
    max_payload=u16,
    max_image=u16,
    text=ascii_text.map(lambda t: t[:HELLO_TEXT_MAX]),
)
actuator_entries = st.builds(ActuatorEntry, u8, u8, u8, u32, u32)
rule_entries = st.builds(RuleEntry, u8, u8, u32)
statuses = st.one_of(
    st.builds(
        Status, u32, u8, st.just(0), u8, u8, st.lists(actuator_entries, max_size=5).map(tuple)
    ),
    st.builds(Status, u32, u8, st.just(1), u8, u8, st.lists(rule_entries, max_size=9).map(tuple)),
    st.builds(Status, u32, u8, st.integers(2, 255), u8, u8),
)

device_messages = st.one_of(
    hellos,
    st.builds(Pong, st.binary(max_size=PING_MAX)),
    st.builds(Ack, u8, u8, u32),
    st.builds(NackMsg, u8, u8, u16),
    st.builds(Telemetry, u32, u8, u8, st.lists(reading, max_size=TELEMETRY_MAX_VALUES).map(tuple)),
    st.builds(Event, u32, u8, u8, u8, u8, i32),
    st.builds(Log, u8, ascii_text.map(lambda t: t[:LOG_TEXT_MAX])),
    st.builds(ConfigData, u16, u16, st.binary(max_size=CONFIG_CHUNK_MAX)),
    st.builds(Params, u8, u8, st.lists(i32, max_size=PARAMS_MAX_VALUES).map(tuple)),
    statuses,
    st.builds(RomCodes, u8, u8, u8, u8, st.lists(st.binary(min_size=8, max_size=8), max_size=7).map(tuple)),
    st.builds(I2cScan, u8, st.lists(u8, max_size=16).map(tuple)),
    st.builds(I2cData, u8, u8, st.binary(max_size=8)),
    st.builds(Unknown, st.sampled_from([0x02, 0x7F, 0x8D, 0xC7, 0xFF]), st.binary(max_size=64)),
)


def messages():
    return st.one_of(requests, device_messages)
