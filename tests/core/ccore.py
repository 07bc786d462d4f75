"""ctypes bindings to the C core (firmware/build/host/libtendril_core.so), shaped like the vectors.

The structures mirror the C headers field for field (fixed-width types, natural alignment); the
vector tests would fail on any drift. They are the C library's decoded structs (td_hello_t,
td_channel_t, ...), not the contract's byte layouts: those are contract.RECORDS, which the C core
reads through the generated tendril_records.h. Every helper takes and returns plain Python values.
"""

from __future__ import annotations

import ctypes as C
from pathlib import Path

from tendril.contract import (
    IMAGE_NAME_SIZE,
    MAX_PAYLOAD,
    NO_READING,
    RECIPE_HASH_SIZE,
    CommandOp,
    MsgType,
    StatusSection,
)

ROOT = Path(__file__).resolve().parents[2]
LIB_PATH = ROOT / "firmware" / "build" / "host" / "libtendril_core.so"

u8, u16, u32, i32 = C.c_uint8, C.c_uint16, C.c_uint32, C.c_int32
P8 = C.POINTER(u8)

OUTCOMES = ["none", "frame", "empty", "cobs", "short", "crc", "version", "oversize"]
MSG_STATUS = ["ok", "bad_length", "unknown_type", "unknown_op", "no_room", "bad_value"]
COBS_STATUS = ["ok", "bad", "no_room"]


class FrameDec(C.Structure):
    _fields_ = [
        ("buf", u8 * 70),
        ("len", u8),
        ("enc_len", u8),
        ("frame_len", u8),
        ("left", u8),
    ]


class Frame(C.Structure):
    _fields_ = [("version", u8), ("type", u8), ("seq", u16), ("payload_len", u8), ("payload", P8)]


def _s(*fields):
    return type("S", (C.Structure,), {"_fields_": list(fields)})


class RequestUnion(C.Union):
    _fields_ = [
        ("ping", _s(("data", P8), ("len", u8))),
        (
            "config_begin",
            _s(("length", u16), ("crc32", u32), ("recipe_hash", u8 * RECIPE_HASH_SIZE),
               ("generation", u32)),
        ),
        ("config_chunk", _s(("offset", u16), ("data", P8), ("len", u8))),
        ("config_read", _s(("offset", u16), ("count", u8))),
        ("lease", _s(("actuator", u8), ("duration_ms", u32), ("level", u8))),
        ("off", _s(("actuator", u8))),
        ("set_param", _s(("index", u8), ("value", i32))),
        ("get_params", _s(("first", u8))),
        ("status", _s(("section", u8), ("first", u8))),
        ("telemetry_mode", _s(("flags", u8))),
        ("scan_onewire", _s(("pin", u8), ("first", u8))),
        ("scan_i2c", _s(("first", u8))),
        ("i2c_read", _s(("address", u8), ("nwrite", u8), ("w0", u8), ("w1", u8), ("nread", u8))),
    ]


class Request(C.Structure):
    _fields_ = [("type", u8), ("op", u8), ("u", RequestUnion)]


class Hello(C.Structure):
    _fields_ = [
        ("protocol_version", u8), ("board_class", u8), ("fw_major", u8), ("fw_minor", u8),
        ("fw_patch", u8), ("reset_cause", u8), ("flags", u8),
        ("device_id", u32), ("boot_count", u32), ("capabilities", u32), ("config_generation", u32),
        ("recipe_hash", u8 * RECIPE_HASH_SIZE), ("max_payload", u16), ("max_image", u16), ("sensor_kinds", u32),
        ("name", C.c_char_p), ("name_len", u8),
    ]  # fmt: skip


class Event(C.Structure):
    _fields_ = [("time_ms", u32), ("kind", u8), ("a", u8), ("b", u8), ("c", u8), ("value", i32)]


class ActStatus(C.Structure):
    _fields_ = [("state", u8), ("level", u8), ("owner", u8), ("ms_left", u32), ("today_on_ms", u32)]


class RuleStatus(C.Structure):
    _fields_ = [("state", u8), ("last_skip", u8), ("since_fired_ms", u32)]


READ_FN = C.CFUNCTYPE(u8, C.c_void_p, u16)


class Src(C.Structure):
    _fields_ = [("read", READ_FN), ("ctx", C.c_void_p), ("len", u16)]


class Board(C.Structure):
    _fields_ = [
        ("pin_caps", P8), ("ceiling_max_on_ms", u32), ("ceiling_daily_cap_ms", u32),
        ("max_image", u16), ("min_sample_ms", u16), ("min_telemetry_ms", u16),
        ("board_class", u8), ("adc_bits", u8), ("max_channels", u8), ("max_actuators", u8),
        ("max_rules", u8), ("max_params", u8), ("n_pins", u8),
    ]  # fmt: skip


class ImgHeader(C.Structure):
    _fields_ = [
        ("crc32", u32), ("generation", u32), ("telemetry_ms", u32), ("length", u16),
        ("format", u8), ("board_class", u8), ("n_channels", u8), ("n_actuators", u8),
        ("n_rules", u8), ("n_params", u8), ("n_sensors", u8), ("recipe_hash", u8 * RECIPE_HASH_SIZE),
        ("name", C.c_char * (IMAGE_NAME_SIZE + 1)),
    ]  # fmt: skip


class Sensor(C.Structure):
    _fields_ = [
        ("period_ms", u32), ("kind", u8), ("pin", u8), ("pin2", u8), ("options", u8 * 3), ("rom", u8 * 8),
    ]  # fmt: skip


class Param(C.Structure):
    _fields_ = [("default", i32), ("min", i32), ("max", i32)]


class Channel(C.Structure):
    _fields_ = [
        ("gain", i32), ("offset", i32), ("period_ms", u32),
        ("pin", u8), ("kind", u8), ("smoothing", u8), ("unit", u8), ("quantity", u8),
    ]  # fmt: skip


class Actuator(C.Structure):
    _fields_ = [
        ("max_on_ms", u32),
        ("min_off_ms", u32),
        ("daily_cap_ms", u32),
        ("pin", u8),
        ("flags", u8),
        ("servo_min", u8),
        ("servo_max", u8),
        ("servo_safe", u8),
    ]


RULE_FIELDS = ("kind", "actuator", "action", "level", "channel", "flags", "interlock", "operands")


class Rule(C.Structure):
    _fields_ = [
        ("threshold", i32), ("hysteresis", i32), ("il_threshold", i32),
        ("hold", u32), ("duration", u32), ("period", u32),
    ] + [(name, u8) for name in RULE_FIELDS]  # fmt: skip


_SIGNATURES = {
    "crc16": (u16, [C.c_char_p, C.c_size_t]),
    "crc16_update": (u16, [u16, u8]),
    "crc32": (u32, [C.c_char_p, C.c_size_t]),
    "crc32_begin": (u32, []),
    "crc32_update": (u32, [u32, u8]),
    "crc32_update_buf": (u32, [u32, C.c_char_p, C.c_size_t]),
    "crc32_end": (u32, [u32]),
    "cobs_encode": (C.c_int, [C.c_char_p, C.c_size_t, P8, C.c_size_t, C.POINTER(C.c_size_t)]),
    "cobs_decode": (C.c_int, [C.c_char_p, C.c_size_t, P8, C.c_size_t, C.POINTER(C.c_size_t)]),
    "frame_dec_init": (None, [C.POINTER(FrameDec)]),
    "frame_feed": (C.c_int, [C.POINTER(FrameDec), u8]),
    "frame_get": (C.c_bool, [C.POINTER(FrameDec), C.POINTER(Frame)]),
    "frame_encode": (C.c_bool, [u8, u8, u16, C.c_char_p, u8, P8, u8, P8]),
    "msg_decode_request": (C.c_int, [u8, C.c_char_p, u8, C.POINTER(Request)]),
    "msg_encode_hello": (C.c_int, [C.POINTER(Hello), P8, u8, P8]),
    "msg_encode_pong": (C.c_int, [C.c_char_p, u8, P8, u8, P8]),
    "msg_encode_ack": (C.c_int, [u8, u8, u32, P8, u8, P8]),
    "msg_encode_nack": (C.c_int, [u8, u8, u16, P8, u8, P8]),
    "msg_encode_telemetry": (C.c_int, [u32, u8, u8, C.POINTER(i32), u8, P8, u8, P8]),
    "msg_encode_event": (C.c_int, [C.POINTER(Event), P8, u8, P8]),
    "msg_encode_log": (C.c_int, [u8, C.c_char_p, u8, P8, u8, P8]),
    "msg_encode_config_data": (C.c_int, [u16, u16, C.c_char_p, u8, P8, u8, P8]),
    "msg_encode_params": (C.c_int, [u8, u8, C.POINTER(i32), u8, P8, u8, P8]),
    "msg_append_i32": (C.c_int, [i32, P8, u8, P8]),
    "msg_encode_status": (C.c_int, [u32, u8, u8, u8, u8, P8, u8, P8]),
    "msg_encode_rom_codes": (C.c_int, [u8, u8, u8, u8, C.c_char_p, u8, P8, u8, P8]),
    "msg_encode_i2c": (C.c_int, [u8, u8, u8, P8, u8, P8]),
    "msg_status_add_actuator": (C.c_int, [C.POINTER(ActStatus), P8, u8, P8]),
    "msg_status_add_rule": (C.c_int, [C.POINTER(RuleStatus), P8, u8, P8]),
    "board_find": (C.POINTER(Board), [C.c_char_p]),
    "board_pin_caps": (u8, [C.POINTER(Board), u8]),
    "image_src_ram": (None, [C.POINTER(Src), C.c_char_p, u16]),
    "image_validate": (C.c_int, [C.POINTER(Src), C.POINTER(Board), P8]),
    "image_header": (C.c_bool, [C.POINTER(Src), C.POINTER(ImgHeader)]),
    "image_param": (C.c_bool, [C.POINTER(Src), u8, C.POINTER(Param)]),
    "image_channel": (C.c_bool, [C.POINTER(Src), u8, C.POINTER(Channel)]),
    "image_actuator": (C.c_bool, [C.POINTER(Src), u8, C.POINTER(Actuator)]),
    "image_rule": (C.c_bool, [C.POINTER(Src), u8, C.POINTER(Rule)]),
    "image_sensor": (C.c_bool, [C.POINTER(Src), u8, C.POINTER(Sensor)]),
    "dur16_valid": (C.c_bool, [u16]),
    "dur16_ms": (u32, [u16]),
    "calib_apply": (i32, [i32, i32, i32]),
}


def _fields(struct: C.Structure) -> dict:
    """A record's fields; a byte array (a sensor's options and ROM code) as hex, as in the vectors."""
    out = {}
    for name, _ in struct._fields_:
        value = getattr(struct, name)
        out[name] = bytes(value).hex() if isinstance(value, C.Array) else value
    return out


class CCore:
    def __init__(self, path: Path = LIB_PATH) -> None:
        self.lib = C.CDLL(str(path))
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(self.lib, name)
            fn.restype, fn.argtypes = restype, argtypes

    # --- frames ---------------------------------------------------------------------------------
    def new_decoder(self) -> FrameDec:
        dec = FrameDec()
        self.lib.frame_dec_init(C.byref(dec))
        return dec

    def feed(self, dec: FrameDec, data: bytes) -> list[dict]:
        """Feed ``data`` one byte at a time; one dict per reported outcome, as stream.json has them."""
        reports = []
        for byte in data:
            outcome = OUTCOMES[self.lib.frame_feed(C.byref(dec), byte)]
            frame = Frame()
            got = self.lib.frame_get(C.byref(dec), C.byref(frame))
            assert got == (outcome == "frame"), "frame_get must agree with the outcome"
            if outcome == "none":
                continue
            report = {"outcome": outcome}
            if outcome == "frame":
                report.update(
                    version=frame.version,
                    type=frame.type,
                    seq=frame.seq,
                    payload=C.string_at(frame.payload, frame.payload_len).hex(),
                )
            reports.append(report)
        return reports

    def frame_encode(
        self, version: int, msg_type: int, seq: int, payload: bytes, cap: int = 72
    ) -> bytes | None:
        out = (u8 * max(cap, 1))()
        n = u8(0)
        if not self.lib.frame_encode(
            version, msg_type, seq, payload, len(payload), out, cap, C.byref(n)
        ):
            assert n.value == 0
            return None
        return bytes(out[: n.value])

    # --- messages -------------------------------------------------------------------------------
    def decode_request(self, msg_type: int, payload: bytes) -> tuple[str, dict]:
        req = Request()
        status = MSG_STATUS[
            self.lib.msg_decode_request(msg_type, payload, len(payload), C.byref(req))
        ]
        if status != "ok":
            return status, {"op": req.op} if msg_type == MsgType.COMMAND else {}
        return status, _request_fields(req)

    def _encode(self, fn, *args, cap: int = MAX_PAYLOAD) -> tuple[str, bytes]:
        out = (u8 * max(cap, 1))()
        n = u8(0)
        status = MSG_STATUS[fn(*args, out, cap, C.byref(n))]
        return status, bytes(out[: n.value])

    def _encode_in_place(self, fn, body: bytes, *args, cap: int = MAX_PAYLOAD) -> tuple[str, bytes]:
        """An encoder whose variable bytes are already in out, after the 2-byte head (msg_encode_i2c)."""
        out = (u8 * max(cap, 2 + len(body)))()
        out[2 : 2 + len(body)] = list(body)
        n = u8(0)
        status = MSG_STATUS[fn(*args, out, cap, C.byref(n))]
        return status, bytes(out[: n.value])

    def encode_message(self, msg_type: int, m: dict, cap: int = MAX_PAYLOAD) -> tuple[str, bytes]:
        """Encode a device -> host message from its vector fields; (status, payload)."""
        lib, t = self.lib, MsgType(msg_type)
        if t == MsgType.HELLO:
            name = m["text"].encode("ascii")
            hello = Hello(
                **{k: m[k] for k, _ in Hello._fields_ if k in m and k not in ("recipe_hash",)}
            )
            hello.recipe_hash[:] = list(bytes.fromhex(m["recipe_hash"]))
            hello.name, hello.name_len = name, len(name)
            return self._encode(lib.msg_encode_hello, C.byref(hello), cap=cap)
        if t == MsgType.PONG:
            data = bytes.fromhex(m["data"])
            return self._encode(lib.msg_encode_pong, data, len(data), cap=cap)
        if t == MsgType.ACK:
            return self._encode(
                lib.msg_encode_ack, m["request_type"], m["detail"], m["value"], cap=cap
            )
        if t == MsgType.NACK:
            return self._encode(
                lib.msg_encode_nack, m["request_type"], m["code"], m["detail"], cap=cap
            )
        if t == MsgType.TELEMETRY:
            # None is a channel with no reading: the firmware puts the marker in (app.c)
            marked = [NO_READING if v is None else v for v in m["values"]]
            vals = (i32 * max(len(marked), 1))(*marked)
            args = (m["time_ms"], m["first_channel"], m["flags"], vals, len(m["values"]))
            return self._encode(lib.msg_encode_telemetry, *args, cap=cap)
        if t == MsgType.EVENT:
            return self._encode(lib.msg_encode_event, C.byref(Event(**m)), cap=cap)
        if t == MsgType.LOG:
            text = m["text"].encode("ascii")
            return self._encode(lib.msg_encode_log, m["level"], text, len(text), cap=cap)
        if t == MsgType.CONFIG_DATA:
            data = bytes.fromhex(m["data"])
            return self._encode(
                lib.msg_encode_config_data, m["offset"], m["total_length"], data, len(data), cap=cap
            )
        if t == MsgType.PARAMS:
            # None is a channel with no reading: the firmware puts the marker in (app.c)
            marked = [NO_READING if v is None else v for v in m["values"]]
            vals = (i32 * max(len(marked), 1))(*marked)
            return self._encode(
                lib.msg_encode_params, m["first"], m["total"], vals, len(m["values"]), cap=cap
            )
        if t == MsgType.STATUS:
            return self._encode_status(m, cap)
        if t == MsgType.ROM_CODES:
            codes = b"".join(bytes.fromhex(c) for c in m["codes"])
            args = (m["pin"], m["result"], m["first"], m["total"], codes, len(m["codes"]))
            return self._encode(lib.msg_encode_rom_codes, *args, cap=cap)
        if t in (MsgType.I2C_SCAN, MsgType.I2C_DATA):  # the bytes at their place first, as req.c has them
            body = bytes(m["addresses"]) if t == MsgType.I2C_SCAN else bytes.fromhex(m["data"])
            second = len(body) if t == MsgType.I2C_SCAN else m["address"]
            return self._encode_in_place(lib.msg_encode_i2c, body, m["status"], second, len(body), cap=cap)
        raise ValueError(f"{t.name} is not a device message")

    def encode_values_appended(
        self, msg_type: int, m: dict, cap: int = MAX_PAYLOAD
    ) -> tuple[str, bytes]:
        """TELEMETRY or PARAMS as the firmware builds it: the head with no values, then each value
        appended with msg_append_i32 (stops at the first append that does not fit)."""
        head = dict(m, values=[])
        status, payload = self.encode_message(msg_type, head, cap)
        out = (u8 * max(cap, 1))(*payload)
        n = u8(len(payload))
        for v in m["values"]:
            if status != "ok":
                break
            v = NO_READING if v is None else v  # app.c appends the marker for no reading
            status = MSG_STATUS[self.lib.msg_append_i32(v, out, cap, C.byref(n))]
        return status, bytes(out[: n.value])

    def _encode_status(self, m: dict, cap: int) -> tuple[str, bytes]:
        out = (u8 * cap)()
        n = u8(0)
        head = (m["time_ms"], m["flags"], m["section"], m["first"], m["total"])
        status = MSG_STATUS[self.lib.msg_encode_status(*head, out, cap, C.byref(n))]
        for entry in m["entries"]:
            if status != "ok":
                break
            if m["section"] == StatusSection.ACTUATORS:
                status = MSG_STATUS[
                    self.lib.msg_status_add_actuator(
                        C.byref(ActStatus(**entry)), out, cap, C.byref(n)
                    )
                ]
            else:
                status = MSG_STATUS[
                    self.lib.msg_status_add_rule(C.byref(RuleStatus(**entry)), out, cap, C.byref(n))
                ]
        return status, bytes(out[: n.value])

    # --- config images --------------------------------------------------------------------------
    def board(self, name: str):
        ptr = self.lib.board_find(name.encode())
        if not ptr:
            raise KeyError(name)
        return ptr

    def src(self, image: bytes) -> tuple[Src, bytes]:
        """A RAM source over ``image``; keep the returned bytes alive while the source is used."""
        if len(image) > 0xFFFF:
            raise ValueError("an image source holds at most 65535 bytes")
        buf = bytes(image)
        src = Src()
        self.lib.image_src_ram(C.byref(src), buf, len(buf))
        return src, buf

    def validate(self, image: bytes, board: str) -> tuple[int, int]:
        src, _keep = self.src(image)
        index = u8(0xAA)
        code = self.lib.image_validate(C.byref(src), self.board(board), C.byref(index))
        return code, index.value

    def decoded(self, image: bytes) -> dict:
        """The image's fields through the record accessors, shaped like images.json "decoded"."""
        src, _keep = self.src(image)
        h = ImgHeader()
        assert self.lib.image_header(C.byref(src), C.byref(h))
        out = {
            "name": h.name.decode("ascii"),
            "board_class": h.board_class,
            "telemetry_ms": h.telemetry_ms,
            "generation": h.generation,
            "recipe_hash": bytes(h.recipe_hash).hex(),
        }
        for key, count, struct, fn in (
            ("params", h.n_params, Param, self.lib.image_param),
            ("channels", h.n_channels, Channel, self.lib.image_channel),
            ("actuators", h.n_actuators, Actuator, self.lib.image_actuator),
            ("rules", h.n_rules, Rule, self.lib.image_rule),
            ("sensors", h.n_sensors, Sensor, self.lib.image_sensor),
        ):
            records = []
            for i in range(count):
                rec = struct()
                assert fn(C.byref(src), i, C.byref(rec)), f"{key}[{i}] unreadable"
                records.append(_fields(rec))
            assert not fn(C.byref(src), count, C.byref(struct())), (
                f"{key}[{count}] is past the count"
            )
            out[key] = records
        return out

    # --- small pieces ---------------------------------------------------------------------------
    def cobs_encode(self, data: bytes, cap: int | None = None) -> tuple[str, bytes]:
        cap = len(data) + len(data) // 254 + 2 if cap is None else cap
        out = (u8 * max(cap, 1))()
        n = C.c_size_t(0)
        status = COBS_STATUS[self.lib.cobs_encode(data, len(data), out, cap, C.byref(n))]
        return status, bytes(out[: n.value]) if status == "ok" else b""

    def cobs_decode(self, data: bytes, cap: int | None = None) -> tuple[str, bytes]:
        cap = len(data) if cap is None else cap
        out = (u8 * max(cap, 1))()
        n = C.c_size_t(0)
        status = COBS_STATUS[self.lib.cobs_decode(data, len(data), out, cap, C.byref(n))]
        return status, bytes(out[: n.value]) if status == "ok" else b""


def _request_fields(req: Request) -> dict:
    t, u = req.type, req.u
    if t == MsgType.PING:
        return {"data": C.string_at(u.ping.data, u.ping.len).hex() if u.ping.len else ""}
    if t == MsgType.CONFIG_BEGIN:
        b = u.config_begin
        return {
            "length": b.length,
            "crc32": b.crc32,
            "recipe_hash": bytes(b.recipe_hash).hex(),
            "generation": b.generation,
        }
    if t == MsgType.CONFIG_CHUNK:
        c = u.config_chunk
        return {"offset": c.offset, "data": C.string_at(c.data, c.len).hex()}
    if t == MsgType.CONFIG_READ:
        return {"offset": u.config_read.offset, "count": u.config_read.count}
    if t in (MsgType.CONFIG_COMMIT, MsgType.CONFIG_ABORT):
        return {}
    assert t == MsgType.COMMAND
    args = {
        CommandOp.LEASE: ("lease", ("actuator", "duration_ms", "level")),
        CommandOp.OFF: ("off", ("actuator",)),
        CommandOp.SET_PARAM: ("set_param", ("index", "value")),
        CommandOp.GET_PARAMS: ("get_params", ("first",)),
        CommandOp.STATUS: ("status", ("section", "first")),
        CommandOp.SCAN_ONEWIRE: ("scan_onewire", ("pin", "first")),
        CommandOp.SCAN_I2C: ("scan_i2c", ("first",)),
        CommandOp.I2C_READ: ("i2c_read", ("address", "nwrite", "w0", "w1", "nread")),
        CommandOp.TELEMETRY_MODE: ("telemetry_mode", ("flags",)),
    }
    fields = {"op": req.op}
    if req.op in args:
        member, names = args[req.op]
        fields.update({name: getattr(getattr(u, member), name) for name in names})
    return fields
