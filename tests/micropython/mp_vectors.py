"""The shared vectors against the firmware's portable modules (tdfw). Runs unchanged on CPython and on
real MicroPython: test_vectors.py imports it directly, and runs it in MicroPython under Node.js.

Each ``check_*`` returns a list of failure strings (empty: all cases pass) and the number of cases.
Scenarios are driven from a *plan* made by tests/support/scenario_runner.py on the CPython side, and
the transcript goes back there for ``compare``: the driving and judging code is the shared one.
"""

import binascii
import json

from tdfw import frame, image, msg
from tdfw.boardtab import BOARDS
from tdfw.const import EVENT_KIND_SENSOR
from tdfw.drivers import DRIVERS, Sensors
from tdfw.engine import Engine

KINDS = {1: "ACT_ON", 2: "ACT_OFF", 3: "RULE_SKIP", 4: "MODE", 5: "PARAM", 6: "CONFIG", 7: "ERROR", 8: "SENSOR", 9: "GUARD"}
NACKS = {16: "LIMIT_MAX_ON", 17: "LIMIT_MIN_OFF", 18: "LIMIT_DAILY_CAP", 5: "BAD_INDEX",
         6: "BAD_VALUE", 7: "OUT_OF_RANGE", 8: "NO_CONFIG"}


def unhex(s):
    return bytes.fromhex(s)


def hx(b):
    """Hex text of bytes (MicroPython's bytes.hex() gives b'' for empty input)."""
    return binascii.hexlify(bytes(b)).decode()


def load(path):
    with open(path) as f:
        return json.load(f)["cases"]


def check_stream(path):
    fails = []
    cases = load(path)
    for case in cases:
        wire = unhex(case["wire"])
        dec = frame.Decoder()
        got = []
        for b in wire:
            out = dec.push(b)
            if out:
                item = {"outcome": frame.NAMES[out]}
                if out == frame.FRAME:
                    item.update(version=dec.raw[0], type=dec.raw[1], seq=dec.seq(),
                                payload=hx(dec.payload()))
                got.append(item)
        if got != case["outcomes"]:
            fails.append("stream %s: got %s" % (case["name"], got))
    return fails, len(cases)


def _device_payload(case, raw):
    m, t = case["message"], case["type"]
    if t == 0x80:
        return msg.hello(raw, m["board_class"], (m["fw_major"], m["fw_minor"], m["fw_patch"]),
                         m["reset_cause"], m["flags"], m["device_id"], m["boot_count"],
                         m["capabilities"], m["config_generation"], unhex(m["recipe_hash"]),
                         m["max_image"], m["text"].encode(), m["sensor_kinds"])
    if t == 0x81:
        return msg.data(raw, unhex(m["data"]))
    if t == 0x82:
        return msg.ack(raw, m["request_type"], m["detail"], m["value"])
    if t == 0x83:
        return msg.nack(raw, m["request_type"], m["code"], m["detail"])
    if t == 0x84:
        v = m["values"]
        valid = [x is not None for x in v]
        return msg.telemetry(raw, m["time_ms"], m["first_channel"], m["flags"], v, 0, len(v), valid)
    if t == 0x85:
        return msg.event(raw, m["time_ms"], m["kind"], m["a"], m["b"], m["c"], m["value"])
    if t == 0x86:
        return msg.log(raw, m["level"], m["text"].encode())
    if t == 0x87:
        return msg.config_data(raw, m["offset"], m["total_length"], unhex(m["data"]))
    if t == 0x88:
        v = [0] * m["first"] + m["values"]
        return msg.params(raw, m["first"], m["total"], v, len(m["values"]))
    if t == 0x89:
        n = msg.status_head(raw, m["time_ms"], m["flags"], m["section"], m["first"], m["total"])
        at = n - 0
        for e in m["entries"]:
            if m["section"] == 0:
                at = msg.status_actuator(raw, at, e["state"], e["level"], e["owner"], e["ms_left"],
                                         e["today_on_ms"])
            else:
                at = msg.status_rule(raw, at, e["state"], e["last_skip"], e["since_fired_ms"])
        return at
    if t in (0x8B, 0x8C):
        data = m["addresses"] if t == 0x8B else unhex(m["data"])
        return msg.i2c(raw, m["status"], len(data) if t == 0x8B else m["address"], data)
    if t == 0x8A:
        codes = [unhex(c) for c in m["codes"]]
        return msg.rom_codes(raw, m["pin"], m["result"], m["first"], m["total"], codes)
    raise ValueError("no encoder for type %d" % t)


_REQUEST_FIELDS = {
    0x01: ("data",), 0x10: ("length", "crc32", "recipe_hash", "generation"),
    0x11: ("offset", "data"), 0x12: (), 0x13: (), 0x14: ("offset", "count"),
}
_OP_FIELDS = {1: ("actuator", "duration_ms", "level"), 2: ("actuator",), 5: ("index", "value"),
              6: ("first",), 8: ("section", "first"), 10: ("flags",), 11: ("pin", "first"),
              12: ("first",), 13: ("address", "nwrite", "w0", "w1", "nread")}


def check_messages(path):
    fails = []
    cases = load(path)
    enc = frame.Encoder()
    for case in cases:
        t, name = case["type"], case["name"]
        payload = unhex(case["payload"])
        if t < 0x80:  # a request: decode it the way the device does
            code, fields = msg.parse_request(t, memoryview(payload))
            if code:
                fails.append("%s: refused with NACK %d" % (name, code))
                continue
            if t == 0x20:
                names = ("op",) + _OP_FIELDS.get(fields[0], ())
            else:
                names = _REQUEST_FIELDS[t]
            got = {}
            for k, v in zip(names, fields):
                got[k] = hx(v) if isinstance(v, memoryview) else v
            if got != case["message"]:
                fails.append("%s: decoded %s" % (name, got))
            wire = _frame(enc, t, case["seq"], payload)
        else:
            n = _device_payload(case, enc.raw)
            got = bytes(enc.raw[4 : 4 + n])
            if got != payload:
                fails.append("%s: payload %s" % (name, hx(got)))
                continue
            wire = bytes(enc.finish(t, case["seq"], n))
        if hx(wire) != case["wire"]:
            fails.append("%s: wire %s" % (name, hx(wire)))
    return fails, len(cases)


def _frame(enc, t, seq, payload):
    enc.raw[4 : 4 + len(payload)] = payload
    return bytes(enc.finish(t, seq, len(payload)))


def check_images(path):
    fails = []
    cases = load(path)
    for case in cases:
        err, index = image.validate(memoryview(unhex(case["image"])), BOARDS[case["board"]])
        want = case["expect"]
        ok = want["ok"] and err == 0 or not want["ok"] and (err, index) == (want["code"], want["index"])
        if not ok:
            fails.append("image %s: got (%d, %d), want %s" % (case["name"], err, index, want))
    return fails, len(cases)


def run_plan(plan):
    """Run one scenario plan (see test_vectors.scenario_plan); return its transcript as a dict."""
    img = unhex(plan["image"])
    err, index = image.validate(img, BOARDS[plan["board"]])
    if err:
        raise ValueError("scenario image refused: %d %d" % (err, index))
    events = []

    def emit(t, kind, a, b, c, value):
        events.append([t, KINDS[kind], a, b, c, value])

    eng = Engine(img, emit)
    replies, values = [], {}
    start, step, count = plan["times"]
    for k in range(count):
        now = (start + k * step) & 0xFFFFFFFF
        key = str(k)
        for ch, raw, fault in plan["inputs"].get(key, ()):
            eng.fault[ch] = fault  # 0: a good reading, raw
            if not fault:
                eng.raw[ch] = raw
        for op, args in plan["commands"].get(key, ()):
            code = _command(eng, op, args, now)
            replies.append({"ack": True} if code == 0 else {"ack": False, "nack": NACKS[code]})
        eng.tick(now)
        for ch in plan["checks"].get(key, ()):
            values["%d:%d" % (k, ch)] = eng.value[ch] if eng.valid[ch] else None
    return {"events": events, "replies": replies, "values": values}


class _Scripted:
    """A driver of the test's own: at each poll, the next [status, raw, wait] of its script."""

    def __init__(self, script):
        self.script, self.polls = list(script), []

    def setup(self, hal, ch, pin, mode):
        pass

    def poll(self, hal, ch, pin, now, out):
        self.polls.append(now)
        status, out[0], out[1] = self.script.pop(0) if self.script else (0, 0, 0)
        return status


def run_sensor_story(plan):
    """One sensor story (tests/support/sensor_stories.py) through tdfw's seam, channel 0's driver
    scripted: the times it was polled and channel 0's engine value after each checked pass."""
    driver = _Scripted(plan["script"])
    drivers = list(DRIVERS)
    drivers[plan["driver"]] = driver
    events = []

    def emit(t, kind, a, b, c, value):
        if kind == EVENT_KIND_SENSOR and a == 0:
            events.append([t, b, value])

    eng = Engine(unhex(plan["image"]), emit)
    sensors = Sensors(eng, None, drivers)
    values = {}
    for now in range(0, plan["until"] + 1, plan["step"]):
        sensors.poll(eng, now)
        eng.tick(now)
        if now in plan["checks"]:
            values[str(now)] = eng.value[0] if eng.valid[0] else None
    return {"polls": driver.polls, "values": values, "events": events}


def _command(eng, op, args, now):
    if op == "LEASE":
        return eng.cmd_lease(args[0], args[1], args[2], now)
    if op == "OFF":
        return eng.cmd_off(args[0], now)
    if op == "PAUSE":
        return eng.cmd_pause(now)
    if op == "RESUME":
        return eng.cmd_resume(now)
    return eng.cmd_set_param(args[0], args[1], now)


def main(vectors, plans_path):
    """MicroPython entry point: print one JSON line per check."""
    for kind, fn, rel in (("stream", check_stream, "frames/stream.json"),
                          ("messages", check_messages, "frames/messages.json"),
                          ("images", check_images, "images/images.json")):
        fails, n = fn(vectors + "/" + rel)
        print(json.dumps({"check": kind, "cases": n, "fails": fails}))
    with open(plans_path) as f:
        plans = json.load(f)
    for name in sorted(plans):
        if name.startswith("sensor:"):
            print(json.dumps({"check": "sensor", "name": name[7:], "got": run_sensor_story(plans[name])}))
        else:
            print(json.dumps({"check": "scenario", "name": name, "transcript": run_plan(plans[name])}))
    print(json.dumps({"check": "done"}))
