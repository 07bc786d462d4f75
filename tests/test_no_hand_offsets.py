"""Record layouts are declared once: no hand-written offset into a record creeps back.

Every record of the contract (image header and records, frame header, message payloads) is a
``Record`` in tendril/contract/records.py; the C core reads it through the generated tendril_records.h,
the MicroPython firmware through the generated tdfw/const.py and the host through struct formats
built from the declaration. This scans the code that reads and writes records for the shapes a
hand offset takes (``p[6]``, ``&out[2]``, ``off + 5)``, ``img[34]``, ``"<BBI"``) and lists any it
finds; the test after it shows the scan finds the ones this codebase used to have.
"""

from __future__ import annotations

import re

from .conftest import ROOT

CORE = ROOT / "firmware" / "core"
TDFW = ROOT / "firmware" / "micropython" / "tdfw"
HOST = ROOT / "host" / "tendril"

# Names that hold a record's bytes in the scanned files (payloads, images, headers, frames).
_BUFFER = r"\b(?:p|out|payload|h|r|buf|raw|img|image|data|body|hdr|rec)"
C_PATTERNS = (
    re.compile(_BUFFER + r"\[\s*[1-9][0-9]*\s*\]"),  # p[6], &out[2]
    re.compile(r"\bimage_rd_\w+\([^;]*\+\s*[1-9][0-9]*\s*\)"),  # image_rd_u8(src, off + 5)
    re.compile(r"\bimage_rd_\w+\(\s*[\w&>.-]+\s*,\s*[1-9][0-9]*\s*[,)]"),  # image_rd_u32(s, 10)
)
PY_PATTERNS = (
    re.compile(_BUFFER + r"\[\s*[1-9][0-9]*\s*[]:]"),  # img[34], p[6:14]
    re.compile(_BUFFER + r"\s*,\s*[1-9][0-9]*\s*[,)]"),  # crc32(img, 6, n), unpack_from(f, p, 14)
    # a struct format of two or more fields: "<BBI", "<8B4I"
    re.compile(r"""["']<[0-9]*[xcbB?hHiIlLqQs](?:[0-9]*[xcbB?hHiIlLqQs])+["']"""),
)

# Known matches that are not an offset into a contract record: (file, text in the line) and why.
ALLOWED = {
    ("frame.c", "p[1] = 0x00;"): "the delimiter after a COBS-encoded frame",
    ("frame.c", "crc16(&out[1],"): "the raw frame starts after the COBS code byte out[0]",
    ("store.py", '"<IIB'): "the MicroPython store's own boot file, not part of the contract",
}


# Files that read no record: an I2C chip's register bytes are laid out by its datasheet.
CHIP_REGISTERS = ("i2c_chips.c", "i2c_chips.h", "i2c_chips.py", "drivers_i2c.c")  # chips' bytes, not records


def _sources() -> list:
    c_files = [
        f
        for f in sorted(CORE.glob("*.[ch]"))
        if not f.name.startswith("tendril_") and f.name != "le.h"  # le.h: one integer's bytes
        and f.name not in CHIP_REGISTERS
    ]
    py_files = [f for f in sorted(TDFW.glob("*.py")) if f.name not in ("const.py", "boardtab.py", *CHIP_REGISTERS)]
    py_files += sorted((HOST / "image").glob("*.py")) + sorted((HOST / "protocol").glob("*.py"))
    return [(f, C_PATTERNS) for f in c_files] + [(f, PY_PATTERNS) for f in py_files]


def hand_offsets(name: str, text: str, patterns) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("//")[0] if name.endswith((".c", ".h")) else line.split("#")[0]
        if code.lstrip().startswith(("*", "/*")) or any(
            name == file and text in code for file, text in ALLOWED
        ):
            continue
        if any(p.search(code) for p in patterns):
            found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_no_record_is_read_or_written_at_a_hand_written_offset():
    found = []
    for path, patterns in _sources():
        found += hand_offsets(path.name, path.read_text(encoding="utf-8"), patterns)
    assert found == [], "use the generated record offsets (contract.RECORDS):\n" + "\n".join(found)


def test_the_scan_finds_the_hand_offsets_this_codebase_used_to_have():
    old_c = [
        "req->u.lease.level = p[6];",
        "le_put_u32(&out[2], value);",
        "req->u.config_begin.crc32 = le_get_u32(&p[2]);",
        "uint8_t flags = image_rd_u8(src, off + 1);",
        "h->generation = image_rd_u32(s, 10);",
        "req_refuse_version(&app, app_rx.buf[1], le_get_u16(&app_rx.buf[2]));",
    ]
    old_py = [
        "return img[34], img[35], img[36], img[37]",
        "self.tele_ms = dur_ms(img[38] | img[39] << 8)",
        'HEADER = "<2sIHBBI8s12sBBBBH"',
        '_ACK = struct.Struct("<BBI")',
        'struct.pack_into("<8B4I", raw, P, 1, board_class)',
        "return 0, (length, crc, p[6:14], gen)",
        "if len(img) < 14 or crc32(img, 6, len(img)) != tr.crc:",
        'return struct.unpack_from("<I", img, 10)[0]',
    ]
    for line in old_c:
        assert hand_offsets("msg.c", line, C_PATTERNS), line
    for line in old_py:
        assert hand_offsets("msg.py", line, PY_PATTERNS), line
    assert not hand_offsets("msg.c", "out[TD_ACK_DETAIL] = detail;", C_PATTERNS)
    assert not hand_offsets("image.py", 'struct.unpack_from("<I", img, at)', PY_PATTERNS)
