"""The device's storage: two config image files, a staging file and the boot record.

Every replacement is write, flush, rename: a power cut at any step leaves each file either whole
and old or whole and new, never half of one. A commit writes the staged image over the *inactive*
slot, so the active config is never touched; at boot the newest valid slot wins (serial-number
order of generations), so a cut before the rename boots the old config and one after boots the new.

All file access goes through a ``Files`` object, so the virtual board can cut the power at any
single write step and prove the claim above (tests/micropython/test_power_cut.py).
"""

import os
import struct

from .const import (ACTUATOR_FLAGS, ACTUATOR_PIN, ACTUATOR_SERVO_SAFE, ACTUATOR_SIZE, IMAGE_HEADER_N_ACTUATORS,
                    IMAGE_HEADER_SIZE)
from .image import generation, offsets, validate

SLOTS = ("cfg0.img", "cfg1.img")
STAGE = "stage.tmp"
BOOT = "boot.dat"
BOOT_TMP = "boot.tmp"
BOOT_PAUSED = 1  # PAUSE until RESUME, across reboots and config pushes
BOOT_SAFE = 2  # safe mode until CLEAR_SAFE_MODE, across reboots and power cycles
PARAMS = "params.dat"  # SET_PARAM values, valid only for the generation they were set under
PARAMS_TMP = "params.tmp"
HALF = 0x80000000


class Files:
    """Plain files under ``root`` ('' on the board: the filesystem's root)."""

    def __init__(self, root=""):
        self.root = root

    def path(self, name):
        return self.root + "/" + name if self.root else name

    def read(self, name):
        try:
            with open(self.path(name), "rb") as f:
                return f.read()
        except OSError:
            return None

    def create(self, name):
        return open(self.path(name), "wb")

    def write(self, f, data):
        f.write(data)
        f.flush()

    def close(self, f):
        f.close()

    def rename(self, old, new):
        os.rename(self.path(old), self.path(new))

    def remove(self, name):
        try:
            os.remove(self.path(name))
        except OSError:
            pass


class Store:
    def __init__(self, files):
        self.files = files
        self.flags = 0  # the boot record's flags: BOOT_PAUSED
        self.stage = None  # open staging file while a transfer runs

    # --- boot record: device id, boot count, watchdog resets in a row, flags ------------------

    def load_boot(self):
        """(device_id, boot_count, watchdog resets in a row) or None before the first boot; self.flags
        (BOOT_PAUSED, BOOT_SAFE) with it (a record from before the flags byte has none)."""
        b = self.files.read(BOOT)
        if b is None or len(b) < 9:
            return None
        self.flags = b[9] if len(b) >= 10 else 0
        return struct.unpack_from("<IIB", b, 0)

    def save_boot(self, device_id, boot_count, wd_resets):
        self._replace(BOOT, BOOT_TMP, struct.pack("<IIBB", device_id, boot_count, min(wd_resets, 255),
                                                  self.flags))

    # --- tuned parameters (SET_PARAM survives a reboot, as on the C firmware) --------------------

    def load_params(self, gen, n):
        """The n values stored for config generation ``gen``, or None (none, another generation's,
        or a file of another size)."""
        b = self.files.read(PARAMS)
        if b is None or len(b) != 4 + 4 * n:
            return None
        got = struct.unpack("<I%di" % n, b)
        return got[1:] if got[0] == gen else None

    def save_params(self, gen, values):
        self._replace(PARAMS, PARAMS_TMP, struct.pack("<I%di" % len(values), gen, *values))

    def _replace(self, name, tmp, data):
        f = self.files.create(tmp)
        try:
            self.files.write(f, data)
        finally:
            self.files.close(f)
        self.files.rename(tmp, name)

    # --- config slots ---------------------------------------------------------------------------

    def best(self, board):
        """(slot, image bytes, invalid slot count) of the newest valid slot; slot -1 if none."""
        best, best_img, bad = -1, None, 0
        for slot in (0, 1):
            img = self.files.read(SLOTS[slot])
            if img is None:
                continue
            if validate(img, board)[0]:
                bad += 1
                continue
            if best_img is None or ((generation(img) - generation(best_img)) & 0xFFFFFFFF) < HALF:
                best, best_img = slot, img
        return best, best_img, bad

    def actuator_pins(self, slot):
        """(pin, flags, a servo's safe position) of every actuator in a slot's image, read without validating it (boot: drive
        them safe before anything else). Empty when the slot is missing or too short."""
        img = self.files.read(SLOTS[slot])
        out = []
        if img is None or len(img) < IMAGE_HEADER_SIZE:
            return out
        na = img[IMAGE_HEADER_N_ACTUATORS]
        off = offsets(img)[2]
        for i in range(na):
            at = off + ACTUATOR_SIZE * i
            if at + ACTUATOR_SERVO_SAFE < len(img):
                out.append((img[at + ACTUATOR_PIN], img[at + ACTUATOR_FLAGS], img[at + ACTUATOR_SERVO_SAFE]))
        return out

    # --- staging a transfer --------------------------------------------------------------------

    def stage_begin(self):
        self.stage_abort()
        self.stage = self.files.create(STAGE)

    def stage_write(self, data):
        self.files.write(self.stage, data)

    def stage_read(self):
        """The staged bytes, read back from storage (closes the staging file)."""
        if self.stage is not None:
            self.files.close(self.stage)
            self.stage = None
        return self.files.read(STAGE)

    def stage_commit(self, slot):
        """Make the staged file config slot ``slot`` (one rename)."""
        self.files.rename(STAGE, SLOTS[slot])

    def stage_abort(self):
        if self.stage is not None:
            self.files.close(self.stage)
            self.stage = None
        self.files.remove(STAGE)
