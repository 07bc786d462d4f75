"""The whole firmware behind the HAL (mirrors firmware/core/app.h): ``boot()`` once, then ``poll()``.

boot drives every actuator it can find in storage to its safe state before anything else, counts
the boot, detects boot loops (safe mode), loads the newest valid config and says HELLO, in the order
and with the rules of the C firmware (docs/firmware.md, "Boot sequence", "Safe mode"). poll is one
main-loop pass: receive and answer requests, sample the due channels, tick the engine, drive the
outputs, stream TELEMETRY and EVENTs, feed the watchdog.
"""

from . import msg, requests
from .boardtab import BOARDS
from .const import (
    ACTUATOR_FLAG_ACTIVE_LOW,
    ACTUATOR_FLAG_PWM,
    ACTUATOR_FLAG_SERVO,
    B_ADC_BITS,
    B_BOARD_CLASS,
    B_MAX_IMAGE,
    B_PIN_CAPS,
    CAPABILITY_CONFIG_STORE,
    CAPABILITY_PARAM_STORE,
    CAPABILITY_PWM,
    CAPABILITY_RAW_TELEMETRY,
    CAPABILITY_SIMULATED,
    CAPABILITY_WATCHDOG,
    ERROR_CODE_STORED_CONFIG_INVALID,
    EVENT_KIND_ACT_OFF,
    EVENT_KIND_ERROR,
    EVENT_KIND_MODE,
    HELLO_FLAG_HAS_CONFIG,
    HELLO_FLAG_PAUSED,
    HELLO_FLAG_RAW_TELEMETRY,
    HELLO_FLAG_SAFE_MODE,
    LOG_LEVEL_INFO,
    LOG_LEVEL_WARNING,
    MODE_CHANGE_SAFE_MODE_ENTERED,
    MSG_EVENT,
    MSG_HELLO,
    MSG_LOG,
    MSG_TELEMETRY,
    NO_INDEX,
    PIN_CAP_DIGITAL_OUT,
    PIN_CAP_RESERVED,
    PIN_CAP_SERVO,
    SERVO_MAX_DEG,
    SERVO_PULSE_MAX_US,
    SERVO_PULSE_MIN_US,
    RECIPE_HASH_SIZE,
    RESET_CAUSE_WATCHDOG,
    TELEMETRY_MAX_VALUES,
)
from .drivers import DRIVERS, Sensors, sensor_kinds_built
from .engine import Engine, _el
from .frame import COBS, FRAME, VERSION, Decoder, Encoder
from .hal import Hal
from .image import generation, recipe_hash, telemetry_ms
from .store import BOOT_PAUSED, BOOT_SAFE, Files, Store


def servo_pulse_us(deg):
    """A servo's pulse for ``deg`` degrees (docs/config-image.md, "Actuator"), as the C core has it."""
    return SERVO_PULSE_MIN_US + deg * (SERVO_PULSE_MAX_US - SERVO_PULSE_MIN_US) // SERVO_MAX_DEG

FW_VERSION = (0, 1, 0)
FW_NAME = b"tendril-mpy"
SAFE_MODE_RESETS = 3  # watchdog resets in a row, each before STABLE_MS of uptime: safe mode
STABLE_MS = 30000  # this long up without a reset: the watchdog-reset count starts over
REPL_ESCAPE = b"tendril-repl"  # a chunk that is never a frame: stop and hand the REPL back
NONE = NO_INDEX


class App:
    def __init__(self, board_name, hal=None, files=None, simulated=False, drivers=DRIVERS):
        self.board_name = board_name
        self.drivers = drivers  # by DriverId (drivers.py)
        self.board = BOARDS[board_name]
        self.hal = hal or Hal(self.board[B_ADC_BITS])
        self.store = Store(files or Files(""))
        self.simulated = simulated
        self.dec = Decoder()
        self.enc = Encoder()
        self.seq = 0
        self.engine = None
        self.sensors = None
        self.img = None
        self.slot = -1
        self.safe = False
        self.running = False  # a config runs (not in safe mode): sample, tick, drive, TELEMETRY
        self.raw_telemetry = False
        self.tele_ms = 0
        self.last_tele = 0
        self.driven = []  # level last written to each actuator; -1 unknown
        self.transfer = requests.Transfer()
        self.stable = False

    # --- boot ---------------------------------------------------------------------------------

    def boot(self):
        hal, store = self.hal, self.store
        for slot in (0, 1):  # safe state first, for every actuator either stored config names
            for pin, flags, safe in store.actuator_pins(slot):
                self.drive_safe(pin, flags, safe)
        self.reset_cause = hal.reset_cause()
        rec = store.load_boot()
        if rec is None:
            rec = (hal.entropy(), 0, 0)
        self.device_id, boots, wd_resets = rec
        self.boot_count = (boots + 1) & 0xFFFFFFFF
        entered = False
        if self.reset_cause == RESET_CAUSE_WATCHDOG:  # a hang or a crash (main() lets the watchdog reset)
            wd_resets = min(wd_resets + 1, 255)
            if wd_resets >= SAFE_MODE_RESETS and not store.flags & BOOT_SAFE:
                store.flags |= BOOT_SAFE  # kept until CLEAR_SAFE_MODE, across power cycles
                entered = True
        else:
            wd_resets = 0  # a power cycle or the reset button is not a boot loop
        self.wd_resets = wd_resets
        self.safe = bool(store.flags & BOOT_SAFE)
        store.save_boot(self.device_id, self.boot_count, wd_resets)
        self.slot, img, bad = store.best(self.board)
        hal.watchdog_start()
        if img is not None:
            self.apply(img)
        self.boot_ms = hal.millis()
        self.send_hello(self.next_seq())
        self.log(LOG_LEVEL_INFO, b"boot")
        if bad:
            self.log(LOG_LEVEL_WARNING, b"stored config invalid: ignored")
            self.emit(self.boot_ms, EVENT_KIND_ERROR, NONE, ERROR_CODE_STORED_CONFIG_INVALID, NONE, bad)
        if self.safe:
            self.log(LOG_LEVEL_WARNING, b"safe mode: boot loop; automation off until CLEAR_SAFE_MODE")
            if entered:
                self.emit(self.boot_ms, EVENT_KIND_MODE, NONE, MODE_CHANGE_SAFE_MODE_ENTERED, NONE, 0)

    def drive_safe(self, pin, flags, safe):
        caps = self.board[B_PIN_CAPS]
        if pin >= len(caps) or caps[pin] & PIN_CAP_RESERVED or not caps[pin] & PIN_CAP_DIGITAL_OUT:
            return  # never drive a pin a garbled file names
        if flags & ACTUATOR_FLAG_SERVO:
            if caps[pin] & PIN_CAP_SERVO:
                self.hal.servo(pin, servo_pulse_us(min(safe, SERVO_MAX_DEG)))
        elif flags & ACTUATOR_FLAG_PWM:
            self.hal.pwm(pin, 255 if flags & ACTUATOR_FLAG_ACTIVE_LOW else 0)
        else:
            self.hal.output(pin, 1 if flags & ACTUATOR_FLAG_ACTIVE_LOW else 0)

    def apply(self, img):
        """Run config ``img`` (already valid): old actuators off and safe, a fresh engine. In safe
        mode the engine is set up (STATUS and GET_PARAMS read it) but never ticked."""
        self.stop_engine()
        self.img = img
        self.tele_ms = telemetry_ms(img)
        self.running = not self.safe
        eng = self.engine = Engine(img, self.emit)
        eng.automation = not self.store.flags & BOOT_PAUSED  # a pause outlives a reboot
        tuned = self.store.load_params(generation(img), len(eng.params))
        if tuned:  # each within its range, else the image's default stays
            for i, v in enumerate(tuned):
                if eng.p_min[i] <= v <= eng.p_max[i]:
                    eng.params[i] = v
            eng.resolve()
        self.sensors = Sensors(eng, self.hal, self.drivers, img)  # every channel's and sensor's pin set up
        self.driven = [-1] * eng.na
        for a in range(eng.na):
            self.drive_safe(eng.a_pin[a], eng.a_flags[a], eng.a_safe[a])
            self.driven[a] = 0

    def stop_engine(self, reason=0):
        """Drive every actuator of the running engine safe; with a reason, report those that were on."""
        eng = self.engine
        if eng is None:
            return
        now = self.hal.millis()
        for a in range(eng.na):
            if reason and eng.on[a]:
                self.emit(now, EVENT_KIND_ACT_OFF, a, reason, NONE, _el(now, eng.on_since[a]))
            self.drive_safe(eng.a_pin[a], eng.a_flags[a], eng.a_safe[a])
        self.engine = None
        self.running = False

    # --- the main loop --------------------------------------------------------------------------

    def poll(self):
        hal, dec = self.hal, self.dec
        n = hal.read()
        rx = hal.rx
        for i in range(n):
            out = dec.push(rx[i])
            if out == FRAME or out == VERSION:
                requests.handle(self, out)
            elif out == COBS and dec.size == 0 and bytes(dec.chunk[: len(REPL_ESCAPE)]) == REPL_ESCAPE:
                self.stop_engine()
                raise SystemExit("tendril: REPL requested")
        now = hal.millis()
        eng = self.engine
        if eng is not None and self.running:
            self.sensors.poll(eng, now)
            eng.tick(now)
            self.write_outputs(eng)
            self.telemetry(now)
        if not self.stable and _el(now, self.boot_ms) >= STABLE_MS:
            self.stable = True
            if self.wd_resets:
                self.wd_resets = 0
                self.store.save_boot(self.device_id, self.boot_count, 0)
        hal.watchdog_feed()

    def write_outputs(self, eng):
        driven = self.driven
        for a in range(eng.na):
            level = eng.level[a]
            if level != driven[a]:
                driven[a] = level
                flags, pin = eng.a_flags[a], eng.a_pin[a]
                if not level:
                    self.drive_safe(pin, flags, eng.a_safe[a])
                elif flags & ACTUATOR_FLAG_SERVO:  # level: degrees, inside its limits (the engine)
                    self.hal.servo(pin, servo_pulse_us(level))
                elif flags & ACTUATOR_FLAG_PWM:
                    self.hal.pwm(pin, 255 - level if flags & ACTUATOR_FLAG_ACTIVE_LOW else level)
                else:
                    self.hal.output(pin, 0 if flags & ACTUATOR_FLAG_ACTIVE_LOW else 1)

    # --- sending ------------------------------------------------------------------------------

    def next_seq(self):
        s = self.seq
        self.seq = (s + 1) & 0xFFFF
        return s

    def send(self, msg_type, seq, plen):
        self.hal.write(self.enc.finish(msg_type, seq, plen))

    def emit(self, t, kind, a, b, c, value):
        """The engine's (and the app's) events go straight out as EVENT frames."""
        self.send(MSG_EVENT, self.next_seq(), msg.event(self.enc.raw, t, kind, a, b, c, value))

    def log(self, level, text):
        self.send(MSG_LOG, self.next_seq(), msg.log(self.enc.raw, level, text))

    def telemetry(self, now):
        """Keep the cadence: the next frame is due one period after this one was due, not after the
        pass that got here, so a late pass does not stretch the period; after a stall of a whole
        period, start afresh (as the C firmware)."""
        period = self.tele_ms
        late = _el(now, self.last_tele)
        if not period or late < period:
            return
        self.last_tele = now if late - period >= period else (self.last_tele + period) & 0xFFFFFFFF
        self.send_telemetry(now)

    def send_telemetry(self, now):
        eng = self.engine
        values = eng.raw if self.raw_telemetry else eng.value
        flags = 1 if self.raw_telemetry else 0
        first = 0
        while first < eng.nc:
            count = min(eng.nc - first, TELEMETRY_MAX_VALUES)
            plen = msg.telemetry(self.enc.raw, now, first, flags, values, first, count, eng.valid)
            self.send(MSG_TELEMETRY, self.next_seq(), plen)
            first += count

    def flags(self):
        f = HELLO_FLAG_SAFE_MODE if self.safe else 0
        if self.running and not self.engine.automation:
            f |= HELLO_FLAG_PAUSED
        if self.img is not None:
            f |= HELLO_FLAG_HAS_CONFIG
        if self.raw_telemetry:
            f |= HELLO_FLAG_RAW_TELEMETRY
        return f

    def send_hello(self, seq):
        caps = CAPABILITY_CONFIG_STORE | CAPABILITY_PARAM_STORE | CAPABILITY_PWM | CAPABILITY_RAW_TELEMETRY
        if self.hal.wdt is not None:
            caps |= CAPABILITY_WATCHDOG
        if self.simulated:
            caps |= CAPABILITY_SIMULATED
        img = self.img
        gen = generation(img) if img else 0
        rhash = recipe_hash(img) if img else bytes(RECIPE_HASH_SIZE)
        plen = msg.hello(self.enc.raw, self.board[B_BOARD_CLASS], FW_VERSION, self.reset_cause, self.flags(),
                         self.device_id, self.boot_count, caps, gen, rhash,
                         self.board[B_MAX_IMAGE], FW_NAME, sensor_kinds_built(self.hal))
        self.send(MSG_HELLO, seq, plen)


def main(board_name=None, **kw):
    """Boot and run forever (main.py calls this on the board)."""
    import sys

    if board_name is None:
        board_name = {"rp2": "pico", "esp32": "esp32-devkit"}.get(sys.platform, "pico")
    app = App(board_name, **kw)
    app.boot()
    try:
        while True:
            app.poll()
    except SystemExit:
        _repl_back()
    except BaseException:
        app.stop_engine()
        if sys.platform in ("rp2", "esp32"):
            # A crash is a hang: the watchdog resets the board, and watchdog resets in a row
            # are what safe mode counts (machine.reset() reports another cause on the ESP32).
            while app.hal.wdt is not None:
                pass
            app.hal.reset()
        raise


def _repl_back():
    try:
        import micropython

        micropython.kbd_intr(3)
    except (ImportError, AttributeError):
        pass
