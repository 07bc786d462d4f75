"""Write the fuzzers' seed corpora into <dir>/frame and <dir>/image (run by `make fuzz`).

Seeds are valid inputs, so the fuzzers start deep: every image and message of the shared vectors,
and frames built here with the contract's framing (header + payload for fuzz_frame's second mode,
whole wire streams for its first).
"""

from __future__ import annotations

import binascii
import json
import struct
import sys
from pathlib import Path

from cobs import cobs  # a dependency of the tendril package

ROOT = Path(__file__).resolve().parents[3]


def frame(msg_type: int, seq: int, payload: bytes) -> bytes:
    raw = struct.pack("<BBH", 1, msg_type, seq) + payload
    raw += struct.pack("<H", binascii.crc_hqx(raw, 0))
    return cobs.encode(raw) + b"\x00"


def main(out: Path) -> None:
    frames, images = out / "frame", out / "image"
    frames.mkdir(parents=True, exist_ok=True)
    images.mkdir(parents=True, exist_ok=True)
    requests = {
        "ping": (0x01, b"hello"),
        "config_begin": (0x10, struct.pack("<HI8sI", 124, 0xDEADBEEF, b"12345678", 2)),
        "config_chunk": (0x11, struct.pack("<H", 0) + bytes(range(1, 57))),
        "config_commit": (0x12, b""),
        "config_read": (0x14, struct.pack("<HB", 0, 56)),
        "lease": (0x20, struct.pack("<BBIB", 0x01, 0, 3000, 255)),
        "set_param": (0x20, struct.pack("<BBi", 0x05, 1, -5)),
        "status": (0x20, struct.pack("<BBB", 0x08, 1, 0)),
    }
    stream = b""
    for name, (msg_type, payload) in requests.items():
        (frames / f"fields_{name}").write_bytes(struct.pack("<BBH", 1, msg_type, 7) + payload)
        stream += frame(msg_type, 7, payload)
    (frames / "stream_requests").write_bytes(stream)
    (frames / "stream_noise").write_bytes(
        b"\x00boot noise\r\n\x00" + frame(0x01, 1, b"") + b"\x05\x00"
    )
    vectors = ROOT / "tests" / "vectors"
    messages = vectors / "frames" / "messages.json"
    if messages.exists():
        for case in json.loads(messages.read_text(encoding="utf-8"))["cases"]:
            fields = struct.pack("<BBH", 1, case["type"], case["seq"]) + bytes.fromhex(
                case["payload"]
            )
            (frames / f"message_{case['name']}").write_bytes(fields)
    image_cases = vectors / "images" / "images.json"
    if image_cases.exists():
        for case in json.loads(image_cases.read_text(encoding="utf-8"))["cases"]:
            (images / case["name"]).write_bytes(bytes.fromhex(case["image"]))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
