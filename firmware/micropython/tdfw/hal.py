"""The hardware seam (mirrors firmware/core/hal.h): clock, pins, ADC, PWM, link, watchdog.

Everything the firmware touches on the board goes through one Hal object built over a ``machine``
module: the real one on a Pico or an ESP32, the virtual board's shim under CPython
(host/tendril/sim/mpy_board.py). The link is USB-CDC (stdin/stdout) unless a UART id is given.
"""

import sys

from .const import (
    RESET_CAUSE_EXTERNAL,
    RESET_CAUSE_POWER_ON,
    RESET_CAUSE_SOFTWARE,
    RESET_CAUSE_WATCHDOG,
    SERVO_PERIOD_US,
)

WRAP = 0x100000000
WATCHDOG_MS = 4000  # below every port's maximum (RP2040: 8.3 s)


class Hal:
    def __init__(self, adc_bits, machine=None, uart=None, baud=115200, watchdog=True, modules=None):
        if machine is None:
            import machine
        self.m = machine
        self.adc_shift = 16 - adc_bits
        try:
            from time import ticks_diff, ticks_ms
        except ImportError:  # CPython: the virtual board's shim keeps the clock
            ticks_ms, ticks_diff = machine.ticks_ms, machine.ticks_diff
        self._ticks_ms, self._ticks_diff = ticks_ms, ticks_diff
        self._t0 = ticks_ms()
        self._ms = 0
        self._pins = {}
        self._pwm = {}
        self._adc = {}
        self._ow = {}
        self._pulse = {}  # pin: [count, last counted fall (ticks_ms), debounce_ms, slot]
        self._dht = {}
        self._i2c = None  # the board's I2C bus, made at the first I2C sensor's setup
        self.i2c_hz = 100000  # its clock: the recipe's I2C sensors' (option byte 1), 100 kHz without
        self._modules = dict(modules or {})  # the virtual board's models of onewire, ds18x20 and dht
        self.wdt = None
        self._watchdog = watchdog
        self.rx = bytearray(64)  # bounded receive buffer: one read never takes more
        self.rxmv = memoryview(self.rx)
        if uart is not None:
            self.uart = machine.UART(uart, baud)
            self._poll = None
        else:
            self.uart = None
            import select

            import micropython

            micropython.kbd_intr(-1)  # 0x03 is data here, not Ctrl-C (see app.REPL_ESCAPE)
            self._poll = select.poll()
            self._poll.register(sys.stdin, select.POLLIN)
            self._out = sys.stdout.buffer

    # --- 1-Wire -------------------------------------------------------------------------------

    def onewire(self, pin):
        """(bus, probe commands, the bus's error) of the 1-Wire bus on ``pin``: MicroPython's
        onewire and ds18x20 modules (the virtual board hands in its models of them)."""
        got = self._ow.get(pin)
        if got is None:
            ow = self._modules.get("onewire") or __import__("onewire")
            ds = self._modules.get("ds18x20") or __import__("ds18x20")
            bus = ow.OneWire(self.m.Pin(pin))
            got = self._ow[pin] = (bus, ds.DS18X20(bus), ow.OneWireError)
        return got

    def module(self, name):
        """MicroPython's module ``name`` (the virtual board hands in its models), or None when this
        port has none."""
        if name not in self._modules:
            try:
                self._modules[name] = __import__(name)
            except ImportError:
                self._modules[name] = None
        return self._modules[name]

    # --- DHT22 / DHT11 ----------------------------------------------------------------------------

    def dht(self, pin, dht11):
        """The DHT on ``pin``: MicroPython's dht.DHT11 or dht.DHT22 over machine.Pin (made once)."""
        got = self._dht.get(pin)
        if got is None:
            mod = self.module("dht")
            got = self._dht[pin] = (mod.DHT11 if dht11 else mod.DHT22)(self.m.Pin(pin))
        return got

    # --- I2C (hal.h's hal_i2c_begin) ------------------------------------------------------------

    def i2c(self, sda, scl, again=False, hz=None):
        """The board's bus: machine.I2C(0) on ``sda``/``scl`` at ``i2c_hz`` (hardware I2C on the Pico
        and the ESP32), made once, and again when ``hz`` changes it; ``again``: made anew after a bus
        fault, SCL first clocked up to 9
        times while SDA is held low (a part cut off mid-byte lets go) where the port has open-drain
        pins (the virtual board's I2C does that itself). None when the port refuses the pins."""
        if hz is not None and hz != self.i2c_hz:
            self.i2c_hz, again = hz, True
        if self._i2c is not None and not again:
            return self._i2c
        Pin = self.m.Pin
        if again and hasattr(Pin, "OPEN_DRAIN"):
            try:
                from time import sleep_us
            except ImportError:
                sleep_us = None
            clk, data = Pin(scl, Pin.OPEN_DRAIN, value=1), Pin(sda, Pin.IN)
            for _ in range(9):
                if data.value() or sleep_us is None:
                    break
                clk.value(0)
                sleep_us(5)
                clk.value(1)
                sleep_us(5)
        try:
            self._i2c = self.m.I2C(0, sda=Pin(sda), scl=Pin(scl), freq=self.i2c_hz)
        except (OSError, ValueError):
            self._i2c = None
        return self._i2c

    # --- HC-SR04 ping (hal.h's hal_ping) --------------------------------------------------------

    def ping(self, trig, echo, timeout_us):
        """A 10 us pulse on ``trig``, then the echo's high width in us by machine.time_pulse_us:
        PING_NONE (0) when the echo did not rise within timeout_us, PING_LONG when it was still high
        at timeout_us (time_pulse_us gives each phase the whole timeout: the wait is at most twice it)."""
        self.output(trig, 1)
        try:
            from time import sleep_us
        except ImportError:  # CPython: the virtual board models the echo, not the pulse's length
            sleep_us = None
        if sleep_us is not None:
            sleep_us(10)
        self.output(trig, 0)
        p = self._pins.get(echo)
        if p is None:
            p = self._pins[echo] = self.m.Pin(echo, self.m.Pin.IN)
        high = 1  # the echo's pulse is high
        w = self.m.time_pulse_us(p, high, timeout_us)
        return 0 if w == -2 else 0xFFFF if w < 0 else w

    # --- pulse counting (hal.h's hal_pulse_begin, hal_pulse_count) ------------------------------

    def pulse_begin(self, pin, debounce_ms):
        """Count the falls of ``pin`` (input with pull-up) from 0 by Pin.irq, a fall less than
        debounce_ms after the last counted one ignored; the pin's slot (one a pin here: no limit)."""
        st = self._pulse.get(pin)
        if st is None:
            st = self._pulse[pin] = [0, 0, 0, len(self._pulse)]
        st[0], st[1], st[2] = 0, self._ticks_ms() - 256, debounce_ms
        ticks, diff = self._ticks_ms, self._ticks_diff

        def fell(_p):  # an interrupt: no allocation (small ints only)
            now = ticks()
            if diff(now, st[1]) >= st[2]:
                st[1] = now
                st[0] += 1

        p = self._pins[pin] = self.m.Pin(pin, self.m.Pin.IN, self.m.Pin.PULL_UP)
        try:
            p.irq(handler=fell, trigger=self.m.Pin.IRQ_FALLING, hard=True)
        except (TypeError, ValueError):  # a port without hard interrupts
            p.irq(handler=fell, trigger=self.m.Pin.IRQ_FALLING)
        return st[3]

    def pulse_count(self, pin):
        """The falls counted on ``pin`` since pulse_begin, or None when it was not begun. A last fall
        older than 255 ms moves to 256 ms ago, so ticks_diff never wraps into a false bounce."""
        st = self._pulse.get(pin)
        if st is None:
            return None
        now = self._ticks_ms()
        if self._ticks_diff(now, st[1]) > 255:
            st[1] = now - 256
        return st[0]

    # --- time ---------------------------------------------------------------------------------

    def millis(self):
        """A u32 millisecond clock (ticks_ms wraps at 2^30 on MicroPython; this wraps at 2^32)."""
        now = self._ticks_ms()
        d = self._ticks_diff(now, self._t0)
        self._t0 = now
        ms = self._ms + d
        if ms >= WRAP:
            ms -= WRAP
        self._ms = ms
        return ms

    # --- pins -----------------------------------------------------------------------------------

    def output(self, pin, level):
        p = self._pins.get(pin)
        if p is None:
            p = self._pins[pin] = self.m.Pin(pin, self.m.Pin.OUT, value=level)
        p.value(level)

    def pwm(self, pin, duty):
        """duty 0..255."""
        w = self._pwm.get(pin)
        if w is None:
            w = self._pwm[pin] = self.m.PWM(self.m.Pin(pin, self.m.Pin.OUT))
            w.freq(1000)
        w.duty_u16(duty * 257)

    def servo(self, pin, pulse_us):
        """A servo's pulse: pulse_us high every 20 ms (machine.PWM at 50 Hz, duty_ns)."""
        w = self._pwm.get(pin)
        if w is None:
            w = self._pwm[pin] = self.m.PWM(self.m.Pin(pin, self.m.Pin.OUT))
            w.freq(1000000 // SERVO_PERIOD_US)
        w.duty_ns(pulse_us * 1000)

    def input(self, pin, pullup):
        p = self._pins.get(pin)
        if p is None:
            mode = self.m.Pin.PULL_UP if pullup else None
            p = self._pins[pin] = self.m.Pin(pin, self.m.Pin.IN, mode)
        return p.value()

    def analog(self, pin):
        a = self._adc.get(pin)
        if a is None:
            a = self._adc[pin] = self.m.ADC(self.m.Pin(pin))
            if hasattr(a, "atten") and hasattr(self.m.ADC, "ATTN_11DB"):
                a.atten(self.m.ADC.ATTN_11DB)  # ESP32: the full 0..3.3 V range
        return a.read_u16() >> self.adc_shift

    # --- link -----------------------------------------------------------------------------------

    def read(self):
        """Bytes received now, into ``rx``: returns how many (at most len(rx), never blocks)."""
        if self.uart is not None:
            if not self.uart.any():
                return 0
            return self.uart.readinto(self.rx) or 0
        n = 0
        while n < len(self.rx) and self._poll.poll(0):
            b = sys.stdin.buffer.read(1)
            if not b:
                break
            self.rx[n] = b[0]
            n += 1
        return n

    def write(self, data):
        if self.uart is not None:
            self.uart.write(data)
        else:
            self._out.write(data)

    # --- reset, watchdog, entropy ------------------------------------------------------------

    def reset_cause(self):
        m = self.m
        cause = m.reset_cause()
        if cause == getattr(m, "WDT_RESET", -1):
            return RESET_CAUSE_WATCHDOG
        if cause == getattr(m, "SOFT_RESET", -1):
            return RESET_CAUSE_SOFTWARE
        if cause == getattr(m, "HARD_RESET", -1):
            return RESET_CAUSE_EXTERNAL
        return RESET_CAUSE_POWER_ON

    def watchdog_start(self):
        if self._watchdog:
            self.wdt = self.m.WDT(timeout=WATCHDOG_MS)

    def watchdog_feed(self):
        if self.wdt is not None:
            self.wdt.feed()

    def entropy(self):
        try:
            import os

            b = os.urandom(4)
        except (ImportError, AttributeError, NotImplementedError):
            b = bytes(self.m.unique_id()[-4:])
        return b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24

    def reset(self):
        self.m.reset()
