"""Every host request and its one reply (docs/protocol.md), for tdfw.app.App.

``handle(app, outcome)`` answers the frame the decoder just finished: ACK, NACK or the data asked
for, with the request's seq. Config transfers stage into storage and only a valid, CRC-checked image
read back from storage replaces the running one.
"""

from . import msg, scan
from .const import (
    ACK_DETAIL_ALREADY_ACTIVE,
    ACTUATOR_STATE_BIT_CAPPED,
    ACTUATOR_STATE_BIT_LEASED,
    ACTUATOR_STATE_BIT_ON,
    ACTUATOR_STATE_BIT_LOCKED,
    ACTUATOR_STATE_BIT_RESTING,
    B_MAX_IMAGE,
    B_I2C_SDA,
    B_I2C_SCL,
    B_PIN_CAPS,
    CONFIG_CHUNK_MAX,
    CONFIG_OUTCOME_APPLIED,
    CONFIG_OUTCOME_REJECTED,
    ERROR_CODE_STORAGE_VERIFY,
    ERROR_CODE_STORAGE_WRITE,
    EVENT_KIND_CONFIG,
    EVENT_KIND_ERROR,
    EVENT_KIND_MODE,
    FRAME_HEADER_TYPE,
    I2C_READ_MAX,
    I2C_STATUS_TIMEOUT,
    I2C_WRITE_MAX,
    IMAGE_HEADER_RECIPE_HASH,
    MAX_PAYLOAD,
    MODE_CHANGE_SAFE_MODE_CLEARED,
    MSG_ACK,
    MSG_COMMAND,
    MSG_CONFIG_BEGIN,
    MSG_CONFIG_CHUNK,
    MSG_CONFIG_COMMIT,
    MSG_CONFIG_DATA,
    MSG_CONFIG_READ,
    MSG_I2C_DATA,
    MSG_I2C_SCAN,
    MSG_NACK,
    MSG_PARAMS,
    MSG_PING,
    MSG_PONG,
    MSG_ROM_CODES,
    MSG_STATUS,
    NACK_BAD_CRC,
    NACK_BAD_INDEX,
    NACK_BAD_LENGTH,
    NACK_BAD_OFFSET,
    NACK_BAD_VALUE,
    NACK_BAD_VERSION,
    NACK_IMAGE_INVALID,
    NACK_NO_CONFIG,
    NACK_NO_TRANSFER,
    NACK_PIN_IN_USE,
    NACK_SAFE_MODE,
    NACK_STALE_GENERATION,
    NACK_STORAGE,
    NACK_TOO_LARGE,
    NACK_UNKNOWN_OP,
    NEVER_MS,
    NO_INDEX,
    OFF_REASON_RECONFIG,
    OP_CLEAR_SAFE_MODE,
    OP_GET_PARAMS,
    OP_HELLO,
    OP_I2C_READ,
    OP_LEASE,
    OP_OFF,
    OP_PAUSE,
    OP_RESUME,
    OP_SCAN_I2C,
    OP_SCAN_ONEWIRE,
    OP_SET_PARAM,
    OP_STATUS,
    OP_TELEMETRY_MODE,
    OWNER_LEASE,
    PARAMS_MAX_VALUES,
    PROTOCOL_VERSION,
    ROM_CODES_MAX,
    RULE_STATE_COOLING,
    RULE_STATE_HOLDING,
    RULE_STATE_IDLE,
    RULE_STATE_LOCKED,
    RULE_STATE_PAUSED,
    RULE_STATE_READY,
    RULE_STATE_RUNNING,
    STATUS_ACTUATOR_SIZE,
    STATUS_RULE_SIZE,
    STATUS_SECTION_ACTUATORS,
    STATUS_SECTION_RULES,
    TELEMETRY_FLAG_RAW,
)
from .engine import _el
from .frame import VERSION
from .image import generation, image_crc, recipe_hash, validate
from .store import BOOT_PAUSED, BOOT_SAFE

NONE = NO_INDEX
HALF = 0x80000000


class Transfer:
    """A CONFIG_BEGIN .. CONFIG_COMMIT in progress."""

    def __init__(self):
        self.active = False
        self.length = self.crc = self.gen = self.staged = 0
        self.last_off = self.last_len = -1


def handle(app, outcome):
    dec = app.dec
    t, seq = dec.raw[FRAME_HEADER_TYPE], dec.seq()
    if t >= 0x80:
        return  # a device message echoed back: not a request, nothing to answer
    if outcome == VERSION:
        return _nack(app, t, seq, NACK_BAD_VERSION, PROTOCOL_VERSION)
    code, f = msg.parse_request(t, dec.payload())
    if code:
        return _nack(app, t, seq, code, f)
    if t == MSG_PING:
        return app.send(MSG_PONG, seq, msg.data(app.enc.raw, f[0]))
    if t == MSG_COMMAND:
        return _command(app, seq, f)
    if t == MSG_CONFIG_READ:
        if app.img is None:
            return _nack(app, t, seq, NACK_NO_CONFIG, 0)
        if not 1 <= f[1] <= CONFIG_CHUNK_MAX:
            return _nack(app, t, seq, NACK_BAD_VALUE, 0)
        img = app.img
        return app.send(MSG_CONFIG_DATA, seq,
                        msg.config_data(app.enc.raw, f[0], len(img), memoryview(img)[f[0] : f[0] + f[1]]))
    try:
        if t == MSG_CONFIG_BEGIN:
            return _begin(app, seq, *f)
        if t == MSG_CONFIG_CHUNK:
            return _chunk(app, seq, f[0], f[1])
        if t == MSG_CONFIG_COMMIT:
            return _commit(app, seq)
    except OSError as exc:
        app.transfer.active = False
        _nack(app, t, seq, NACK_STORAGE, 0)
        app.emit(app.hal.millis(), EVENT_KIND_ERROR, NONE, ERROR_CODE_STORAGE_WRITE, NONE,
                 exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0)
        return
    app.store.stage_abort()  # CONFIG_ABORT
    app.transfer.active = False
    _ack(app, t, seq, 0)


def _ack(app, t, seq, value, detail=0):
    app.send(MSG_ACK, seq, msg.ack(app.enc.raw, t, detail, value & 0xFFFFFFFF))


def _nack(app, t, seq, code, detail):
    app.send(MSG_NACK, seq, msg.nack(app.enc.raw, t, code, detail))


# --- config transfer ----------------------------------------------------------------------------


def _begin(app, seq, length, crc, rhash, gen):
    tr = app.transfer
    t = MSG_CONFIG_BEGIN
    if tr.active:
        app.store.stage_abort()
        tr.active = False
    img = app.img
    if img is not None and bytes(recipe_hash(img)) == bytes(rhash):
        return _ack(app, t, seq, 0, ACK_DETAIL_ALREADY_ACTIVE)
    if length > app.board[B_MAX_IMAGE]:
        return _nack(app, t, seq, NACK_TOO_LARGE, app.board[B_MAX_IMAGE])
    newer = (gen - generation(img)) & 0xFFFFFFFF if img is not None else 1
    if newer == 0 or newer >= HALF:  # not newer in serial-number order
        return _nack(app, t, seq, NACK_STALE_GENERATION, generation(img) & 0xFFFF)
    app.store.stage_begin()
    tr.active = True
    tr.length, tr.crc, tr.gen, tr.staged = length, crc, gen, 0
    tr.last_off = tr.last_len = -1
    _ack(app, t, seq, 0)


def _chunk(app, seq, offset, data):
    tr = app.transfer
    t = MSG_CONFIG_CHUNK
    if not tr.active:
        return _nack(app, t, seq, NACK_NO_TRANSFER, 0)
    if offset == tr.last_off and len(data) == tr.last_len and offset + len(data) == tr.staged:
        return _ack(app, t, seq, tr.staged)  # a resend of the last chunk: already written
    if offset != tr.staged:
        return _nack(app, t, seq, NACK_BAD_OFFSET, tr.staged)
    if tr.staged + len(data) > tr.length:
        return _nack(app, t, seq, NACK_BAD_LENGTH, 0)
    app.store.stage_write(data)
    tr.staged += len(data)
    tr.last_off, tr.last_len = offset, len(data)
    _ack(app, t, seq, tr.staged)


def _commit(app, seq):
    tr = app.transfer
    t = MSG_CONFIG_COMMIT
    if not tr.active:
        return _nack(app, t, seq, NACK_NO_TRANSFER, 0)
    if tr.staged != tr.length:  # refused, and said so as every refused commit (as the C firmware)
        _nack(app, t, seq, NACK_BAD_LENGTH, tr.staged)
        app.emit(app.hal.millis(), EVENT_KIND_CONFIG, NONE, CONFIG_OUTCOME_REJECTED, NONE, tr.staged)
        return
    tr.active = False
    img = app.store.stage_read()
    code = detail = 0
    if img is None or len(img) != tr.length:
        app.store.stage_abort()
        app.emit(app.hal.millis(), EVENT_KIND_ERROR, NONE, ERROR_CODE_STORAGE_VERIFY, NONE, 0)
        _nack(app, t, seq, NACK_STORAGE, 0)
        app.emit(app.hal.millis(), EVENT_KIND_CONFIG, NONE, CONFIG_OUTCOME_REJECTED, NONE, 0)
        return
    # CONFIG_BEGIN's CRC-32 covers what the image header's own does (as the C firmware); the
    # generation field ends where the recipe hash starts.
    if len(img) < IMAGE_HEADER_RECIPE_HASH or image_crc(img) != tr.crc:
        code = NACK_BAD_CRC
    elif generation(img) != tr.gen:  # not the image CONFIG_BEGIN announced (and checked as newer)
        code = NACK_STALE_GENERATION
        detail = generation(app.img) & 0xFFFF if app.img is not None else 0
    else:
        err, index = validate(img, app.board)
        if err:
            code, detail = NACK_IMAGE_INVALID, (err << 8) | index
    if code:
        app.store.stage_abort()
        _nack(app, t, seq, code, detail)
        app.emit(app.hal.millis(), EVENT_KIND_CONFIG, NONE, CONFIG_OUTCOME_REJECTED, NONE, detail)
        return
    slot = 1 if app.slot == 0 else 0
    app.store.stage_commit(slot)
    app.slot = slot
    # In the order it happens (as the C firmware): the old engine stops, the reply, the new config.
    app.stop_engine(OFF_REASON_RECONFIG)
    app.apply(img)
    _ack(app, t, seq, tr.gen)
    app.emit(app.hal.millis(), EVENT_KIND_CONFIG, NONE, CONFIG_OUTCOME_APPLIED, NONE, tr.gen)


# --- COMMAND ------------------------------------------------------------------------------------


def _command(app, seq, f):
    op = f[0]
    t = MSG_COMMAND
    eng = app.engine
    now = app.hal.millis()
    if op == OP_HELLO:
        return app.send_hello(seq)
    if op == OP_TELEMETRY_MODE:
        app.raw_telemetry = bool(f[1] & TELEMETRY_FLAG_RAW)
        return _ack(app, t, seq, 0)
    if op == OP_CLEAR_SAFE_MODE:
        if app.safe:
            app.safe = False
            app.wd_resets = 0
            app.store.flags &= ~BOOT_SAFE
            app.store.save_boot(app.device_id, app.boot_count, 0)
            app.emit(now, EVENT_KIND_MODE, NONE, MODE_CHANGE_SAFE_MODE_CLEARED, NONE, 0)
            if app.img is not None:
                app.apply(app.img)
        return _ack(app, t, seq, 0)
    if op == OP_STATUS:
        return _status(app, seq, f[1], f[2], now)
    if op == OP_SCAN_ONEWIRE:
        return _scan(app, seq, f[1], f[2])
    if op == OP_SCAN_I2C or op == OP_I2C_READ:
        return _i2c(app, seq, f)
    if op == OP_GET_PARAMS:
        params = eng.params if eng is not None else ()
        first = f[1]
        count = max(0, min(len(params) - first, PARAMS_MAX_VALUES))
        return app.send(MSG_PARAMS, seq, msg.params(app.enc.raw, first, len(params), params, count))
    if app.safe:
        return _nack(app, t, seq, NACK_SAFE_MODE, 0)
    if eng is None:
        return _nack(app, t, seq, NACK_NO_CONFIG, 0)
    if op == OP_LEASE:
        code = eng.cmd_lease(f[1], f[2], f[3], now)
    elif op == OP_OFF:
        code = eng.cmd_off(f[1], now)
    elif op == OP_PAUSE or op == OP_RESUME:
        code = eng.cmd_pause(now) if op == OP_PAUSE else eng.cmd_resume(now)
        # Kept in the boot record, so a reboot keeps the board paused (as the C firmware does).
        app.store.flags = app.store.flags & ~BOOT_PAUSED | (BOOT_PAUSED if op == OP_PAUSE else 0)
        app.store.save_boot(app.device_id, app.boot_count, app.wd_resets)
    else:  # OP_SET_PARAM
        code = eng.cmd_set_param(f[1], f[2], now)
    if code:
        return _nack(app, t, seq, code, eng.detail)
    if op == OP_SET_PARAM:
        app.store.save_params(generation(app.img), eng.params)
    _ack(app, t, seq, eng.detail)


def _scan(app, seq, pin, first):
    """A 1-Wire bus search on a free pin, or a DS18B20's (req.c's cmd_scan_onewire)."""
    if not scan.pin_ok(app.board[B_PIN_CAPS], pin):
        return _nack(app, MSG_COMMAND, seq, NACK_BAD_INDEX, pin)
    if scan.pin_in_use(app.img, pin):
        return _nack(app, MSG_COMMAND, seq, NACK_PIN_IN_USE, pin)
    result, codes, total = scan.search(app.hal.onewire(pin)[0], first, ROM_CODES_MAX)
    app.send(MSG_ROM_CODES, seq, msg.rom_codes(app.enc.raw, pin, result, first, total, codes))


def _i2c(app, seq, f):
    """SCAN_I2C and I2C_READ on the board's bus (req.c's cmd_i2c)."""
    op, sda, scl = f[0], app.board[B_I2C_SDA], app.board[B_I2C_SCL]
    if sda == NONE:
        return _nack(app, MSG_COMMAND, seq, NACK_UNKNOWN_OP, op)
    if op == OP_I2C_READ and (f[1] > 0x7F or f[2] > I2C_WRITE_MAX or not 1 <= f[5] <= I2C_READ_MAX):
        return _nack(app, MSG_COMMAND, seq, NACK_BAD_VALUE, 0)
    for pin in (sda, scl):
        if scan.pin_in_use(app.img, pin, True):
            return _nack(app, MSG_COMMAND, seq, NACK_PIN_IN_USE, pin)
    m = app.hal.m
    try:  # made for each request (a new I2C frees a stuck bus, as hal_i2c_begin does), at the sensors' speed
        bus = m.I2C(0, sda=m.Pin(sda), scl=m.Pin(scl), freq=app.hal.i2c_hz)
    except OSError:
        bus = None
    if op == OP_SCAN_I2C:
        st, found = scan.i2c_scan(bus, f[1]) if bus is not None else (I2C_STATUS_TIMEOUT, [])
        return app.send(MSG_I2C_SCAN, seq, msg.i2c(app.enc.raw, st, len(found), found))
    try:
        from time import sleep_ms
    except ImportError:  # CPython: the virtual board's time stands still in a request
        sleep_ms = None
    write = bytes((f[3], f[4]))[: f[2]]
    st, got = scan.i2c_read(bus, f[1], write, f[5], sleep_ms) if bus is not None else (I2C_STATUS_TIMEOUT, b"")
    app.send(MSG_I2C_DATA, seq, msg.i2c(app.enc.raw, st, f[1], got))


def _status(app, seq, section, first, now):
    eng = app.engine
    raw = app.enc.raw
    if section not in (STATUS_SECTION_ACTUATORS, STATUS_SECTION_RULES):
        return _nack(app, MSG_COMMAND, seq, NACK_BAD_VALUE, 0)
    acts = section == STATUS_SECTION_ACTUATORS
    total = 0 if eng is None else (eng.na if acts else eng.nr)
    at = msg.status_head(raw, now, app.flags(), section, first, total)
    i = first
    while i < total and at + (STATUS_ACTUATOR_SIZE if acts else STATUS_RULE_SIZE) <= MAX_PAYLOAD:
        if acts:
            at = msg.status_actuator(raw, at, *_actuator_entry(eng, i, eng.last_tick))
        else:
            since = _el(eng.last_tick, eng.last_fired[i]) if eng.fired[i] else NEVER_MS
            at = msg.status_rule(raw, at, _rule_state(eng, i), eng.last_skip[i], since)
        i += 1
    app.send(MSG_STATUS, seq, at)


def _actuator_entry(eng, a, now):
    """(state, level, owner, ms_left, today_on_ms) as the reference engine's actuator_status."""
    owner, ms_left = NONE, 0
    if eng.lease[a]:
        owner, ms_left = OWNER_LEASE, max(0, eng.lease_ms[a] - _el(now, eng.lease_start[a]))
    else:
        for r in range(eng.nr):
            if eng.running[r] and eng.r_act[r] == a:
                owner = r
                if eng.r_pulse[r]:
                    ms_left = max(0, eng.dur[r] - _el(now, eng.run_start[r]))
                break
    if not (eng.on[a] or eng.lease[a]):
        owner = NONE
    state = (ACTUATOR_STATE_BIT_ON if eng.on[a] else 0) | (ACTUATOR_STATE_BIT_LEASED if eng.lease[a] else 0)
    if eng.today[a] >= eng.cap[a]:
        state |= ACTUATOR_STATE_BIT_CAPPED
    if eng.resting[a] and _el(now, eng.off_since[a]) < eng.min_off[a]:
        state |= ACTUATOR_STATE_BIT_RESTING
    if eng.lock_rule[a] != NONE:
        state |= ACTUATOR_STATE_BIT_LOCKED
    return state, eng.level[a], owner, ms_left, eng.today[a]


def _rule_state(eng, r):
    if eng.r_guard[r]:  # a guard watches whatever automation does
        if eng.lock_rule[eng.r_act[r]] == r:
            return RULE_STATE_LOCKED
        return RULE_STATE_HOLDING if eng.active[r] else RULE_STATE_IDLE
    if eng.running[r]:
        return RULE_STATE_RUNNING
    if not eng.automation:
        return RULE_STATE_PAUSED
    if eng.cooling[r]:
        return RULE_STATE_COOLING
    if eng.r_thresh[r] and eng.held[r]:
        return RULE_STATE_READY
    if eng.r_thresh[r] and eng.active[r]:
        return RULE_STATE_HOLDING
    return RULE_STATE_IDLE

