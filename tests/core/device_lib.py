"""ctypes bindings to the firmware's request handling with no HAL
(firmware/build/host/libtendril_device_uno.so: firmware/core minus app.c, built for the Uno).

The store runs for real on an EEPROM that is a Python bytearray; the device's port (frame
writes, pin setup, output drives) is three Python callbacks. Frames the device writes are decoded
by the host's protocol package, so a test reads replies as typed messages. The store is one global
in the library: one `Device` at a time (each one re-initialises it).
"""

from __future__ import annotations

import ctypes as C
from pathlib import Path

from tendril.protocol import FrameDecoder, Message, decode_message, encode_message

from .ccore import ROOT, P8, u8, u16, u32

DEVICE_LIB_PATH = ROOT / "firmware" / "build" / "host" / "libtendril_device_uno.so"
EEPROM_SIZE = 1024  # the Uno's
SAFE_MODE_RESETS = 3  # app.c's: consecutive watchdog resets that enter safe mode

WRITE_FN = C.CFUNCTYPE(C.c_bool, C.c_void_p, P8, u8, C.c_bool)
PINS_FN = C.CFUNCTYPE(None, C.c_void_p)
EE_READ_FN = C.CFUNCTYPE(u8, u16)
EE_WRITE_FN = C.CFUNCTYPE(None, u16, u8)
EE_SIZE_FN = C.CFUNCTYPE(u16)
ENTROPY_FN = C.CFUNCTYPE(u32)


class Port(C.Structure):
    # ow_search: NULL here, no 1-Wire (a scan answers NO_DEVICE); i2c_*: NULL, no bus (SCAN_I2C and
    # I2C_READ answer UNKNOWN_OP); the real ones run on the HAL
    _fields_ = [("write", WRITE_FN), ("config_pins", PINS_FN), ("drive_outputs", PINS_FN),
                ("ow_search", C.c_void_p), ("i2c_begin", C.c_void_p), ("i2c_write", C.c_void_p),
                ("i2c_read", C.c_void_p)]


class Eeprom(C.Structure):
    _fields_ = [
        ("read", EE_READ_FN),
        ("write", EE_WRITE_FN),
        ("size", EE_SIZE_FN),
        ("entropy", ENTROPY_FN),
    ]


_SIGNATURES = {
    "device_sizeof": (C.c_size_t, []),
    "device_init": (None, [C.c_void_p, C.POINTER(Port)]),
    "device_set_now": (None, [C.c_void_p, u32]),
    "device_apply_config": (None, [C.c_void_p]),
    "req_handle": (None, [C.c_void_p, u8, u16, P8, u8]),
    "req_refuse_version": (None, [C.c_void_p, u8, u16]),
    "store_init": (None, [C.POINTER(Eeprom)]),
    "store_sys_load": (None, []),
    "store_count_boot": (None, []),
    "store_note_reset": (C.c_bool, [C.c_bool, u8]),
    "store_load": (u8, []),
}


def load_library(path: Path = DEVICE_LIB_PATH) -> C.CDLL:
    lib = C.CDLL(str(path))
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


class Device:
    """The device as app_boot leaves it (store loaded, config applied), minus the HAL."""

    def __init__(self, lib: C.CDLL, eeprom: bytearray | None = None, watchdog_resets: int = 0):
        self.lib = lib
        self.eeprom = eeprom if eeprom is not None else bytearray(b"\xff" * EEPROM_SIZE)
        self.written = bytearray()
        self.pin_setups = 0
        self.output_drives = 0
        self._decoder = FrameDecoder()
        # The callbacks and structures must outlive every call into the library.
        self._port = Port(
            WRITE_FN(self._write), PINS_FN(self._config_pins), PINS_FN(self._drive_outputs)
        )
        self._ee = Eeprom(
            EE_READ_FN(lambda addr: self.eeprom[addr]),
            EE_WRITE_FN(self._ee_write),
            EE_SIZE_FN(lambda: len(self.eeprom)),
            ENTROPY_FN(lambda: 0x5EED1234),
        )
        self.state = C.create_string_buffer(lib.device_sizeof())
        lib.store_init(C.byref(self._ee))
        lib.device_init(self.state, C.byref(self._port))
        lib.store_sys_load()
        lib.store_count_boot()
        entered = False
        for _ in range(watchdog_resets):  # as many boots, each after a watchdog reset
            entered = lib.store_note_reset(True, SAFE_MODE_RESETS) or entered
        self.safe_mode_entered = entered
        lib.store_load()
        lib.device_apply_config(self.state)

    def _write(self, _dev, frame, n, _only_if_room) -> bool:
        self.written += C.string_at(frame, n)
        return True

    def _config_pins(self, _dev) -> None:
        self.pin_setups += 1

    def _drive_outputs(self, _dev) -> None:
        self.output_drives += 1

    def _ee_write(self, addr: int, value: int) -> None:
        self.eeprom[addr] = value

    def raw(self, msg_type: int, payload: bytes, seq: int = 1, now: int = 0) -> list:
        """Feeds one request to req_handle; returns (seq, message) for every frame it wrote."""
        self.lib.device_set_now(self.state, now)
        buf = (u8 * max(len(payload), 1))(*payload)
        self.lib.req_handle(self.state, msg_type, seq, buf, len(payload))
        return self._written()

    def refuse_version(self, msg_type: int, seq: int) -> list:
        """What the main loop does with a request framed in a newer protocol version."""
        self.lib.req_refuse_version(self.state, msg_type, seq)
        return self._written()

    def _written(self) -> list:
        frames = self._decoder.feed(bytes(self.written))
        assert self._decoder.buffered == 0, "the device wrote a partial frame"
        self.written.clear()
        return [(f.seq, decode_message(f)) for f in frames]

    def request(self, msg: Message, seq: int = 1, now: int = 0) -> list[Message]:
        """The messages the device wrote in answer to ``msg`` (replies echo ``seq``)."""
        msg_type, payload = encode_message(msg)
        return [m for _, m in self.raw(msg_type, payload, seq, now)]
