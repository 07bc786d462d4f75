"""Chunks of samples as bytes: one channel of one session, its columns each compressed by pcodec.

Pure: arrays in, bytes out and back. A chunk keeps, per sample, the unwrapped frame sequence
number, the device's time_ms, the host time in whole milliseconds and the value (thousandths, or
the raw reading). pcodec (docs/dependencies.md) finds the delta order, the common step and the
bit width of each column by itself; docs/storage.md gives the measurements that chose it.

Layout: ``b"TC"``, a version byte (1), the sample count (u32 LE), then four sections, each a u32
LE length and a pcodec standalone blob: seq, device_ms, host_ms - device_ms, value (all int64).
The host time is kept as its offset from the device's clock: what is left is the link's jitter
(a few ms, 2-3 bits a sample) where the host time itself costs a bit more.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from pcodec import ChunkConfig, standalone

from ..errors import StorageError

MAGIC = b"TC"
VERSION = 1
_HEAD = struct.Struct("<2sBI")
_LEN = struct.Struct("<I")
COLUMNS = ("seq", "device_ms", "host_ms", "value")
_CONFIG = ChunkConfig(compression_level=8)


class ChunkError(StorageError):
    """Bytes that are not a chunk this version can read (a damaged log): one line for the user,
    like every StorageError, never a traceback."""


@dataclass(frozen=True)
class Columns:
    """Samples as parallel int64 arrays (one channel, in the order they were logged)."""

    seq: np.ndarray
    device_ms: np.ndarray
    host_ms: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.seq)


def encode(cols: Columns) -> bytes:
    n = len(cols)
    parts = [_HEAD.pack(MAGIC, VERSION, n)]
    for name in COLUMNS:
        arr = np.ascontiguousarray(getattr(cols, name), dtype=np.int64)
        if name == "host_ms":
            arr = arr - np.asarray(cols.device_ms, dtype=np.int64)
        if len(arr) != n:
            raise ValueError(f"column {name} has {len(arr)} values, not {n}")
        blob = standalone.simple_compress(arr, _CONFIG) if n else b""
        parts += [_LEN.pack(len(blob)), blob]
    return b"".join(parts)


def decode(data: bytes) -> Columns:
    try:
        magic, version, n = _HEAD.unpack_from(data, 0)
    except struct.error:
        raise ChunkError("a chunk shorter than its header") from None
    if magic != MAGIC or version != VERSION:
        raise ChunkError(f"not a version-{VERSION} chunk")
    pos, arrays = _HEAD.size, []
    for name in COLUMNS:
        try:
            (length,) = _LEN.unpack_from(data, pos)
        except struct.error:
            raise ChunkError(f"a chunk cut short before its {name} column") from None
        blob = data[pos + _LEN.size:pos + _LEN.size + length]
        pos += _LEN.size + length
        if len(blob) != length:
            raise ChunkError(f"a chunk cut short in its {name} column")
        try:
            arr = standalone.simple_decompress(blob) if n else np.zeros(0, np.int64)
        except Exception as exc:  # pcodec raises its own error types for corrupt input
            raise ChunkError(f"a corrupt {name} column: {exc}") from None
        if len(arr) != n:
            raise ChunkError(f"the {name} column holds {len(arr)} values, not {n}")
        arrays.append(np.asarray(arr, dtype=np.int64))
    arrays[2] = arrays[2] + arrays[1]  # host_ms was kept as its offset from device_ms
    return Columns(*arrays)
