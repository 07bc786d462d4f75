"""Device-level vectors: device/*.json (bytes into a whole device over board time, frames out).

Each vector is a story told to a fresh device (empty storage, power-on, clock held at 0): frames sent
at given board times, board time run, watchdog resets; after each step the frames the device must
send, in order, as decoded messages. What the device must send is written here from the contract
(docs/protocol.md, docs/firmware.md, docs/rules.md), by a small model of the outputs (own sequence
numbers, the telemetry cadence, the boot frames), never taken from a firmware. Requests are framed
with the reference framing of cases_frames.py, not with tendril.protocol.

The config images are built with tendril.image for each simulated board the runner plays (the pins
used exist on both; only the board class byte, and so the CRC, differ).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import struct
import zlib
from pathlib import Path

from tendril.contract import (
    ActuatorFlag,
    BoardClass,
    Capability,
    ChannelKind,
    CommandOp,
    ConfigOutcome,
    EventKind,
    ImageError,
    HelloFlag,
    ModeChange,
    MsgType,
    Nack,
    OffReason,
    Operand,
    ResetCause,
    RuleAction,
    RuleFlag,
    RuleKind,
    SensorKind,
    Source,
    Unit,
)
from tendril.image import Actuator, Channel, Image, Param, Rule, encode, with_generation

_spec = importlib.util.spec_from_file_location("cases_frames",
                                               Path(__file__).with_name("cases_frames.py"))
_frames = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_frames)
frame_wire = _frames.frame_wire

ANY = "*"
# What every tendril firmware offers (PWM depends on the board, SIMULATED on where it runs).
EVERY_FIRMWARE_HAS = (Capability.CONFIG_STORE | Capability.PARAM_STORE | Capability.RAW_TELEMETRY
                      | Capability.WATCHDOG)
NONE = 0xFF
PASS_MS = 10  # the simulated boards run one loop pass every 10 board ms while a `run` lasts
BOARDS = {"uno": BoardClass.AVR328, "pico": BoardClass.RP2040}  # the boards a runner plays
TELEMETRY_MS = 125  # not a multiple of PASS_MS: a firmware that drifts shows it
SAFE_RESETS = 3  # watchdog resets in a row that give safe mode (docs/firmware.md)
STABLE_MS = 30_000  # uptime after which the watchdog-reset count starts over

PARAM = Param(500, 0, 1000)
LEASE_MAX_ON_MS = 10_000
IMAGE = Image(
    name="devvec",
    board_class=BoardClass.AVR328,
    telemetry_ms=TELEMETRY_MS,
    params=(PARAM,),
    # A digital input nothing drives on either simulated board: it reads 0, calibrated 0.
    channels=(Channel(2, ChannelKind.DIGITAL, 0, Unit.BOOL, 50, 1000 << 16, 0),),
    actuators=(Actuator(7, ActuatorFlag(0), LEASE_MAX_ON_MS, 0, 600_000),
               Actuator(8, ActuatorFlag(0), 60_000, 0, 3_600_000)),
    # Follows the input on actuator 1 when it reads above 0.5: it never does, so the rule stays idle.
    rules=(Rule(RuleKind.THRESHOLD, 1, RuleAction.FOLLOW, 255, 0, RuleFlag.ABOVE, NONE, Operand(0),
                500, 100, 1000, 0, 0, 0),),
)
OTHER = dataclasses.replace(IMAGE, name="devvec-2")


def _images(image: Image, generation: int) -> dict[str, bytes]:
    return {b: with_generation(encode(dataclasses.replace(image, board_class=cls)), generation)
            for b, cls in BOARDS.items()}


def _hex(data: bytes) -> str:
    return data.hex()


IDLE = {"state": 0, "level": 0, "owner": 0xFF, "ms_left": 0, "today_on_ms": 0}  # a STATUS actuator entry


def reply(mtype: str, **fields) -> dict:
    """A reply (its seq is the request's: Device.send fills it in)."""
    return {"type": mtype, "seq": None, "fields": fields}


def params(total: int, values: list[int]) -> dict:
    return reply("PARAMS", first=0, total=total, values=values)


class Device:
    """The frames a device following the contract sends, step by step."""

    def __init__(self, name: str, description: str) -> None:
        self.vector = {"name": name, "description": description, "pass_ms": PASS_MS,
                       "boards": sorted(BOARDS), "steps": []}
        self.host_seq = 0
        self.boot_count = 0
        self.wd_resets = 0
        self.safe = False
        self.paused = False
        self.gen = 0
        self.rhash = bytes(8)
        self.image_len = 0
        self.raw = False
        self._boot("power_on")

    # --- what the device sends by itself --------------------------------------------------------

    def _own(self, mtype: MsgType, fields: dict) -> dict:
        seq, self.own = self.own, (self.own + 1) & 0xFFFF
        return {"type": mtype.name, "seq": seq, "fields": fields}

    def _event(self, t: int, kind: EventKind, a: int, b: int, c: int, value: int) -> dict:
        return self._own(MsgType.EVENT, {"time_ms": t, "kind": int(kind), "a": a, "b": b, "c": c,
                                         "value": value})

    def _flags(self) -> int:
        f = HelloFlag.SAFE_MODE if self.safe else 0
        if self.paused and self._running():
            f |= HelloFlag.PAUSED
        if self.gen:
            f |= HelloFlag.HAS_CONFIG
        if self.raw:
            f |= HelloFlag.RAW_TELEMETRY
        return int(f)

    def _hello_fields(self) -> dict:
        return {"protocol_version": 1, "board_class": ANY, "fw_major": ANY, "fw_minor": ANY,
                "fw_patch": ANY, "reset_cause": int(self.cause), "flags": self._flags(), "reserved": 0,
                "device_id": {"same": "device_id"}, "boot_count": self.boot_count,
                "capabilities": {"bits": int(EVERY_FIRMWARE_HAS)}, "config_generation": self.gen,
                "recipe_hash": _hex(self.rhash), "max_payload": 64, "max_image": ANY, "text": ANY,
                "sensor_kinds": {"bits": 1 << SensorKind.DS18B20}}  # every firmware has the DS18B20's driver
        # (at least: each firmware's sensor tests say which other kinds it has)

    def _boot(self, cause: str) -> None:
        self.t, self.own, self.tele_last, self.raw = 0, 0, 0, False
        self.cause = {"power_on": ResetCause.POWER_ON, "watchdog": ResetCause.WATCHDOG}[cause]
        self.boot_count += 1
        entered = False
        if cause == "watchdog":
            self.wd_resets += 1
            if self.wd_resets >= SAFE_RESETS and not self.safe:
                self.safe = entered = True
        else:
            self.wd_resets = 0
        out = [self._own(MsgType.HELLO, self._hello_fields()),
               self._own(MsgType.LOG, {"level": 1, "text": ANY})]
        if self.safe:
            out.append(self._own(MsgType.LOG, {"level": 2, "text": ANY}))
            if entered:
                out.append(self._event(0, EventKind.MODE, NONE, ModeChange.SAFE_MODE_ENTERED, NONE, 0))
        self.vector["steps"].append({"t": 0, "boot": cause, "expect": out})

    def _running(self) -> bool:
        return bool(self.gen) and not self.safe

    def _telemetry(self, now: int) -> list[dict]:
        """The cadence (docs/firmware.md): due one period after the last was due, not after the pass
        that sent it; after a stall of a whole period, start afresh."""
        late = now - self.tele_last
        if not self._running() or late < TELEMETRY_MS:
            return []
        self.tele_last = now if late - TELEMETRY_MS >= TELEMETRY_MS else self.tele_last + TELEMETRY_MS
        return [self._own(MsgType.TELEMETRY, {"time_ms": now, "first_channel": 0, "flags": int(self.raw),
                                              "values": [0]})]

    # --- steps ------------------------------------------------------------------------------------

    def run(self, ms: int, events: dict[int, list[tuple]] | None = None) -> None:
        """``ms`` of board time, one pass every PASS_MS; ``events``: board ms -> events of that tick."""
        events = events or {}
        out = []
        start, end = self.t, self.t + ms
        t = start
        while t < end:
            t = min(t + PASS_MS, end)
            for ev in events.get(t, ()):
                out.append(self._event(t, *ev))
            out += self._telemetry(t)
        if start < STABLE_MS <= end:  # up STABLE_MS: the watchdog-reset count starts over
            self.wd_resets = 0
        self.t = end
        self.vector["steps"].append({"t": start, "run": ms, "expect": out})

    def reset(self, cause: str) -> None:
        self._boot(cause)

    def send(self, what: dict, msg_type: MsgType, payload: bytes | dict[str, bytes], expect: list[dict],
             version: int = 1) -> None:
        """A request (``what`` names it for a reader); ``expect``: the frames it causes, in order,
        with the reply's seq filled in. The pass that answers it also ticks and sends TELEMETRY if
        one is due (a config applied late sends its first frame at once)."""
        self.host_seq += 1
        seq = self.host_seq
        if isinstance(payload, dict):
            wire = {b: _hex(frame_wire(msg_type, seq, p, version)) for b, p in payload.items()}
        else:
            wire = _hex(frame_wire(msg_type, seq, payload, version))
        for frame in expect:
            if frame["seq"] is None:
                frame["seq"] = seq
        expect = expect + self._telemetry(self.t)
        self.vector["steps"].append({"t": self.t, "send": {"request": what, "seq": seq, "wire": wire},
                                     "expect": expect})

    # --- replies (seq filled in by send) ------------------------------------------------------------

    @staticmethod
    def ack(request_type: int, detail: int = 0, value: int = 0) -> dict:
        return reply("ACK", request_type=int(request_type), detail=detail, value=value)

    @staticmethod
    def nack(request_type: int, code: Nack, detail: int = 0) -> dict:
        return reply("NACK", request_type=int(request_type), code=int(code), detail=detail)

    def command(self, op: CommandOp, args: bytes, expect: list[dict], **what) -> None:
        self.send({"command": op.name, **what}, MsgType.COMMAND, bytes([op]) + args, expect)

    def push(self, images: dict[str, bytes], gen: int, *, crc_ok: bool = True, invalid: int | None = None,
             stops: tuple = ()) -> None:
        """CONFIG_BEGIN, CHUNKs of 56, COMMIT (docs/protocol.md, CONFIG transfer). ``crc_ok``
        False: CONFIG_BEGIN names a wrong CRC-32; ``invalid``: the NACK IMAGE_INVALID detail the
        image earns; ``stops``: events of the running engine as the new config replaces it."""
        one = images["uno"]
        length = len(one)
        crcs = {b: zlib.crc32(img[6:]) & 0xFFFFFFFF ^ (0 if crc_ok else 1) for b, img in images.items()}
        rhash = one[14:22]
        begin = {b: struct.pack("<HI8sI", length, crcs[b], rhash, gen) for b in images}
        if gen <= self.gen:
            self.send({"request": "CONFIG_BEGIN", "generation": gen}, MsgType.CONFIG_BEGIN, begin,
                      [self.nack(MsgType.CONFIG_BEGIN, Nack.STALE_GENERATION, self.gen & 0xFFFF)])
            return
        self.send({"request": "CONFIG_BEGIN", "generation": gen}, MsgType.CONFIG_BEGIN, begin,
                  [self.ack(MsgType.CONFIG_BEGIN)])
        for off in range(0, length, 56):
            chunk = {b: struct.pack("<H", off) + img[off:off + 56] for b, img in images.items()}
            self.send({"request": "CONFIG_CHUNK", "offset": off}, MsgType.CONFIG_CHUNK, chunk,
                      [self.ack(MsgType.CONFIG_CHUNK, 0, min(off + 56, length))])
        if not crc_ok or invalid is not None:
            code, detail = (Nack.BAD_CRC, 0) if not crc_ok else (Nack.IMAGE_INVALID, invalid)
            self.send({"request": "CONFIG_COMMIT"}, MsgType.CONFIG_COMMIT, b"",
                      [self.nack(MsgType.CONFIG_COMMIT, code, detail),
                       self._event(self.t, EventKind.CONFIG, NONE, ConfigOutcome.REJECTED, NONE, detail)])
            return
        stopped = [self._event(self.t, *ev) for ev in stops]
        self.gen, self.rhash, self.image_len = gen, rhash, length
        self.send({"request": "CONFIG_COMMIT"}, MsgType.CONFIG_COMMIT, b"",
                  stopped + [self.ack(MsgType.CONFIG_COMMIT, 0, gen),
                             self._event(self.t, EventKind.CONFIG, NONE, ConfigOutcome.APPLIED, NONE, gen)])

    def hello_reply(self) -> dict:
        return {"type": "HELLO", "seq": None, "fields": self._hello_fields()}


# --- the stories -----------------------------------------------------------------------------------


def requests() -> dict:
    d = Device("requests", "Boot and HELLO, a config pushed, then every request kind and its reply "
                           "(held clock: no board time passes), refused pushes included.")
    main = _images(IMAGE, 1)
    d.send({"request": "PING", "data": "7464"}, MsgType.PING, b"td", [reply("PONG", data="7464")])
    d.command(CommandOp.LEASE, struct.pack("<BIB", 0, 1000, 255),
              [d.nack(MsgType.COMMAND, Nack.NO_CONFIG)], actuator=0, duration_ms=1000, level=255)
    d.push(main, 1)
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])
    d.send({"request": "CONFIG_READ", "offset": 22, "count": 16}, MsgType.CONFIG_READ,
           struct.pack("<HB", 22, 16),
           [reply("CONFIG_DATA", offset=22, total_length=d.image_len, data=_hex(main["uno"][22:38]))])
    d.command(CommandOp.GET_PARAMS, b"\x00", [params(1, [PARAM.default])], first=0)
    d.command(CommandOp.SET_PARAM, struct.pack("<Bi", 0, 700), [
        d._event(0, EventKind.PARAM, 0, 0, NONE, 700), d.ack(MsgType.COMMAND, 0, 700)], index=0, value=700)
    d.command(CommandOp.SET_PARAM, struct.pack("<Bi", 0, 1001),
              [d.nack(MsgType.COMMAND, Nack.OUT_OF_RANGE, 0)], index=0, value=1001)
    d.command(CommandOp.SET_PARAM, struct.pack("<Bi", 1, 5),
              [d.nack(MsgType.COMMAND, Nack.BAD_INDEX, 1)], index=1, value=5)
    d.command(CommandOp.GET_PARAMS, b"\x00", [params(1, [700])], first=0)
    d.command(CommandOp.LEASE, struct.pack("<BIB", 0, 2000, 255), [
        d.ack(MsgType.COMMAND, 0, 2000), d._event(0, EventKind.ACT_ON, 0, Source.LEASE, NONE, 255)],
        actuator=0, duration_ms=2000, level=255)
    d.command(CommandOp.LEASE, struct.pack("<BIB", 0, LEASE_MAX_ON_MS + 1, 255), [
        d.nack(MsgType.COMMAND, Nack.LIMIT_MAX_ON, LEASE_MAX_ON_MS // 1000)],
        actuator=0, duration_ms=LEASE_MAX_ON_MS + 1, level=255)
    leased = {"state": 0x03, "level": 255, "owner": 0xFE, "ms_left": 2000, "today_on_ms": 0}
    d.command(CommandOp.STATUS, b"\x00\x00", [reply("STATUS", time_ms=0, flags=d._flags(), section=0, first=0,
                                                    total=2, entries=[leased, IDLE])], section=0, first=0)
    rule = {"state": 0, "last_skip": 0, "since_fired_ms": 0xFFFFFFFF}
    d.command(CommandOp.STATUS, b"\x01\x00", [reply("STATUS", time_ms=0, flags=d._flags(), section=1, first=0,
                                                    total=1, entries=[rule])], section=1, first=0)
    d.command(CommandOp.STATUS, b"\x07\x00", [d.nack(MsgType.COMMAND, Nack.BAD_VALUE, 0)],
              section=7, first=0)
    d.command(CommandOp.OFF, b"\x00", [
        d.ack(MsgType.COMMAND), d._event(0, EventKind.ACT_OFF, 0, OffReason.MANUAL_OFF, NONE, 0)], actuator=0)
    d.command(CommandOp.OFF, b"\x05", [d.nack(MsgType.COMMAND, Nack.BAD_INDEX, 5)], actuator=5)
    d.command(CommandOp.PAUSE, b"", [
        d._event(0, EventKind.MODE, NONE, ModeChange.PAUSED, NONE, 0), d.ack(MsgType.COMMAND)])
    d.paused = True
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])
    d.command(CommandOp.RESUME, b"", [
        d._event(0, EventKind.MODE, NONE, ModeChange.RESUMED, NONE, 0), d.ack(MsgType.COMMAND)])
    d.paused = False
    d.command(CommandOp.TELEMETRY_MODE, b"\x01", [d.ack(MsgType.COMMAND)], flags=1)
    d.raw = True
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])
    d.command(CommandOp.TELEMETRY_MODE, b"\x00", [d.ack(MsgType.COMMAND)], flags=0)
    d.raw = False
    d.command(CommandOp.CLEAR_SAFE_MODE, b"", [d.ack(MsgType.COMMAND)])
    d.push(_images(OTHER, 1), 1)  # not newer than the active generation: refused at CONFIG_BEGIN
    d.push(_images(OTHER, 2), 2, crc_ok=False)  # CONFIG_BEGIN names the wrong CRC-32: refused at COMMIT
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])  # the first config still runs
    return d.vector


def telemetry_cadence() -> dict:
    d = Device("telemetry_cadence", f"A config with a {TELEMETRY_MS} ms telemetry period pushed 1 s after "
                                    "boot (its first frame at once), then 5 s of board time: one frame per "
                                    "period, each due one period after the last was due; raw readings "
                                    "after TELEMETRY_MODE raw; frames go on while automation is paused.")
    d.run(1000)  # no config: no telemetry
    d.push(_images(IMAGE, 1), 1)
    d.run(5000)
    d.command(CommandOp.TELEMETRY_MODE, b"\x01", [d.ack(MsgType.COMMAND)], flags=1)
    d.raw = True
    d.run(500)
    d.command(CommandOp.PAUSE, b"", [
        d._event(d.t, EventKind.MODE, NONE, ModeChange.PAUSED, NONE, 0), d.ack(MsgType.COMMAND)])
    d.run(500)
    return d.vector


def protocol_edges() -> dict:
    d = Device("protocol_edges", "Requests a device must refuse, each with its NACK, and nothing else "
                                 "changes: unknown type and op, bad lengths, a newer version, transfers out "
                                 "of order, reads without a config, bad lease arguments.")
    d.send({"request": "type 0x7E"}, 0x7E, b"", [d.nack(0x7E, Nack.UNKNOWN_TYPE)])
    d.send({"request": "PING", "version": 2}, MsgType.PING, b"",
           [d.nack(MsgType.PING, Nack.BAD_VERSION, 1)], version=2)
    d.send({"request": "PING", "data": "33 bytes"}, MsgType.PING, bytes(range(1, 34)),
           [d.nack(MsgType.PING, Nack.BAD_LENGTH)])
    d.send({"request": "CONFIG_READ"}, MsgType.CONFIG_READ, struct.pack("<HB", 0, 8),
           [d.nack(MsgType.CONFIG_READ, Nack.NO_CONFIG)])
    d.send({"request": "CONFIG_CHUNK", "offset": 0}, MsgType.CONFIG_CHUNK, b"\x00\x00ab",
           [d.nack(MsgType.CONFIG_CHUNK, Nack.NO_TRANSFER)])
    d.send({"request": "CONFIG_COMMIT"}, MsgType.CONFIG_COMMIT, b"",
           [d.nack(MsgType.CONFIG_COMMIT, Nack.NO_TRANSFER)])
    d.send({"request": "CONFIG_BEGIN", "length": 60000}, MsgType.CONFIG_BEGIN,
           struct.pack("<HI8sI", 60000, 0, bytes(8), 1),
           [d.nack(MsgType.CONFIG_BEGIN, Nack.TOO_LARGE, ANY)])  # detail: this board's max_image
    d.command(CommandOp.GET_PARAMS, b"\x00", [params(0, [])], first=0)
    d.command(CommandOp.STATUS, b"\x00\x00", [reply("STATUS", time_ms=0, flags=0, section=0, first=0, total=0,
                                                    entries=[])], section=0, first=0)
    d.push(_images(IMAGE, 1), 1)
    d.send({"request": "CONFIG_READ", "count": 0}, MsgType.CONFIG_READ, struct.pack("<HB", 0, 0),
           [d.nack(MsgType.CONFIG_READ, Nack.BAD_VALUE)])
    d.send({"request": "CONFIG_READ", "offset": 1000}, MsgType.CONFIG_READ, struct.pack("<HB", 1000, 8),
           [reply("CONFIG_DATA", offset=1000, total_length=d.image_len, data="")])
    d.send({"command": "op 0x3F"}, MsgType.COMMAND, b"\x3f",
           [d.nack(MsgType.COMMAND, Nack.UNKNOWN_OP, 0x3F)])
    d.send({"command": "LEASE", "payload": "too short"}, MsgType.COMMAND, bytes([CommandOp.LEASE, 0, 1]),
           [d.nack(MsgType.COMMAND, Nack.BAD_LENGTH)])
    d.command(CommandOp.LEASE, struct.pack("<BIB", 0, 0, 255), [d.nack(MsgType.COMMAND, Nack.BAD_VALUE)],
              actuator=0, duration_ms=0, level=255)
    d.command(CommandOp.LEASE, struct.pack("<BIB", 0, 1000, 0),
              [d.nack(MsgType.COMMAND, Nack.BAD_VALUE)], actuator=0, duration_ms=1000, level=0)
    d.command(CommandOp.LEASE, struct.pack("<BIB", 5, 1000, 255),
              [d.nack(MsgType.COMMAND, Nack.BAD_INDEX, 5)], actuator=5, duration_ms=1000, level=255)
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])  # nothing changed
    return d.vector


def lease_ends_with_host_silent() -> dict:
    d = Device("lease_ends_with_host_silent", "A 1.5 s lease, then the host says nothing for 3 s: the device "
                                              "ends the lease itself at 1,500 board ms.")
    d.push(_images(IMAGE, 1), 1)
    d.run(1000)
    d.command(CommandOp.LEASE, struct.pack("<BIB", 0, 1500, 255), [
        d.ack(MsgType.COMMAND, 0, 1500), d._event(1000, EventKind.ACT_ON, 0, Source.LEASE, NONE, 255)],
        actuator=0, duration_ms=1500, level=255)
    d.run(3000, {2500: [(EventKind.ACT_OFF, 0, OffReason.LEASE_END, NONE, 1500)]})
    return d.vector


def config_transfer() -> dict:
    d = Device("config_transfer", "The transfer's rules: the active recipe again is ALREADY_ACTIVE, a repeated "
                                  "chunk is acknowledged again, a chunk out of order or a commit too early is "
                                  "refused, ABORT ends it, an invalid image is refused at COMMIT, and a new "
                                  "config stops what the old one ran.")
    main = _images(IMAGE, 1)
    d.push(main, 1)
    d.command(CommandOp.LEASE, struct.pack("<BIB", 0, 5000, 255), [
        d.ack(MsgType.COMMAND, 0, 5000), d._event(0, EventKind.ACT_ON, 0, Source.LEASE, NONE, 255)],
        actuator=0, duration_ms=5000, level=255)
    same = {b: struct.pack("<HI8sI", len(img), zlib.crc32(img[6:]), img[14:22], 1) for b, img in main.items()}
    d.send({"request": "CONFIG_BEGIN", "recipe": "the active one"}, MsgType.CONFIG_BEGIN, same,
           [d.ack(MsgType.CONFIG_BEGIN, 1)])
    other = _images(OTHER, 2)
    begin = {b: struct.pack("<HI8sI", len(img), zlib.crc32(img[6:]), img[14:22], 2) for b, img in other.items()}
    d.send({"request": "CONFIG_BEGIN", "generation": 2}, MsgType.CONFIG_BEGIN, begin, [d.ack(MsgType.CONFIG_BEGIN)])
    first = {b: struct.pack("<H", 0) + img[:56] for b, img in other.items()}
    d.send({"request": "CONFIG_CHUNK", "offset": 0}, MsgType.CONFIG_CHUNK, first, [d.ack(MsgType.CONFIG_CHUNK, 0, 56)])
    d.send({"request": "CONFIG_CHUNK", "offset": 0, "again": True}, MsgType.CONFIG_CHUNK, first,
           [d.ack(MsgType.CONFIG_CHUNK, 0, 56)])
    later = {b: struct.pack("<H", 60) + img[60:] for b, img in other.items()}  # 4 bytes skipped
    d.send({"request": "CONFIG_CHUNK", "offset": 60}, MsgType.CONFIG_CHUNK, later,
           [d.nack(MsgType.CONFIG_CHUNK, Nack.BAD_OFFSET, 56)])
    d.send({"request": "CONFIG_COMMIT", "staged": 56}, MsgType.CONFIG_COMMIT, b"",
           [d.nack(MsgType.CONFIG_COMMIT, Nack.BAD_LENGTH, 56),
            d._event(0, EventKind.CONFIG, NONE, ConfigOutcome.REJECTED, NONE, 56)])
    rest = {b: struct.pack("<H", 56) + img[56:] for b, img in other.items()}  # the transfer is still open
    d.send({"request": "CONFIG_CHUNK", "offset": 56}, MsgType.CONFIG_CHUNK, rest,
           [d.ack(MsgType.CONFIG_CHUNK, 0, len(other["uno"]))])
    d.send({"request": "CONFIG_ABORT"}, MsgType.CONFIG_ABORT, b"", [d.ack(MsgType.CONFIG_ABORT)])
    d.send({"request": "CONFIG_COMMIT"}, MsgType.CONFIG_COMMIT, b"", [d.nack(MsgType.CONFIG_COMMIT, Nack.NO_TRANSFER)])
    d.push(_images(dataclasses.replace(IMAGE, name="too-fast", telemetry_ms=1), 3), 3,
           invalid=ImageError.BAD_TELEMETRY << 8 | 0)
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])  # generation 1 still runs, its lease too
    d.push(other, 2, stops=[(EventKind.ACT_OFF, 0, OffReason.RECONFIG, NONE, 0)])
    d.command(CommandOp.STATUS, b"\x00\x00", [reply("STATUS", time_ms=0, flags=d._flags(), section=0, first=0,
                                                    total=2, entries=[IDLE, IDLE])], section=0, first=0)
    return d.vector


def kept_across_a_power_cycle() -> dict:
    d = Device("kept_across_a_power_cycle", "A set parameter outlives a power cycle (the param-store "
                                            "capability) until a new config is committed; a pause outlives "
                                            "it (and a new config) until RESUME, with no MODE event at boot.")
    d.push(_images(IMAGE, 1), 1)
    d.command(CommandOp.SET_PARAM, struct.pack("<Bi", 0, 700), [
        d._event(0, EventKind.PARAM, 0, 0, NONE, 700), d.ack(MsgType.COMMAND, 0, 700)], index=0, value=700)
    d.command(CommandOp.PAUSE, b"", [
        d._event(0, EventKind.MODE, NONE, ModeChange.PAUSED, NONE, 0), d.ack(MsgType.COMMAND)])
    d.paused = True
    d.reset("power_on")
    d.command(CommandOp.GET_PARAMS, b"\x00", [params(1, [700])], first=0)
    d.push(_images(OTHER, 2), 2)
    d.command(CommandOp.GET_PARAMS, b"\x00", [params(1, [PARAM.default])], first=0)
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])  # still paused
    d.command(CommandOp.RESUME, b"", [
        d._event(0, EventKind.MODE, NONE, ModeChange.RESUMED, NONE, 0), d.ack(MsgType.COMMAND)])
    d.paused = False
    d.reset("power_on")
    return d.vector


def safe_mode() -> dict:
    d = Device("safe_mode", "Three watchdog resets, each less than 30 s after its boot: the third boot starts "
                            "in safe mode (commands on the engine refused, reads work, no telemetry), "
                            "a power cycle keeps it, CLEAR_SAFE_MODE leaves it.")
    d.push(_images(IMAGE, 1), 1)
    for _ in range(SAFE_RESETS):
        d.run(20_000)
        d.reset("watchdog")
    for op, args, what in ((CommandOp.LEASE, struct.pack("<BIB", 0, 1000, 255), {"actuator": 0}),
                           (CommandOp.OFF, b"\x00", {"actuator": 0}), (CommandOp.PAUSE, b"", {}),
                           (CommandOp.RESUME, b"", {}), (CommandOp.SET_PARAM, struct.pack("<Bi", 0, 600), {})):
        d.command(op, args, [d.nack(MsgType.COMMAND, Nack.SAFE_MODE)], **what)
    d.command(CommandOp.GET_PARAMS, b"\x00", [params(1, [PARAM.default])], first=0)
    d.command(CommandOp.STATUS, b"\x00\x00", [reply("STATUS", time_ms=0, flags=d._flags(), section=0, first=0,
                                                    total=2, entries=[IDLE, IDLE])], section=0, first=0)
    rule = {"state": 0, "last_skip": 0, "since_fired_ms": 0xFFFFFFFF}
    d.command(CommandOp.STATUS, b"\x01\x00", [reply("STATUS", time_ms=0, flags=d._flags(), section=1, first=0,
                                                    total=1, entries=[rule])], section=1, first=0)
    d.run(1000)  # automation is off: no telemetry
    d.push(_images(OTHER, 2), 2)  # pushes work in safe mode; the new config waits for CLEAR_SAFE_MODE
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])
    d.run(1000)
    d.reset("power_on")  # safe mode outlives a power cycle
    d.command(CommandOp.CLEAR_SAFE_MODE, b"", [
        d._event(0, EventKind.MODE, NONE, ModeChange.SAFE_MODE_CLEARED, NONE, 0), d.ack(MsgType.COMMAND)])
    d.safe = False
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])
    d.command(CommandOp.LEASE, struct.pack("<BIB", 0, 1000, 255), [
        d.ack(MsgType.COMMAND, 0, 1000), d._event(0, EventKind.ACT_ON, 0, Source.LEASE, NONE, 255)],
        actuator=0, duration_ms=1000, level=255)
    d.run(1000, {1000: [(EventKind.ACT_OFF, 0, OffReason.LEASE_END, NONE, 1000)]})
    return d.vector


def slow_resets() -> dict:
    d = Device("watchdog_resets_30s_apart", "Three watchdog resets, each 30 s after its boot: a board that "
                                            "ran 30 s was stable, so this is no boot loop (no config: no "
                                            "telemetry to list).")
    for _ in range(SAFE_RESETS):
        d.run(STABLE_MS)
        d.reset("watchdog")
    d.command(CommandOp.HELLO, b"", [d.hello_reply()])
    return d.vector


def build() -> dict[str, object]:
    stories = (requests(), telemetry_cadence(), protocol_edges(), config_transfer(), lease_ends_with_host_silent(),
               kept_across_a_power_cycle(), safe_mode(), slow_resets())
    return {f"device/{v['name']}.json": v for v in stories}
