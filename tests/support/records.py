"""Random values for a contract record's fields, and the record packed from its declaration."""

from __future__ import annotations

import struct

from hypothesis import strategies as st
from tendril import contract

_INT = {
    "u8": st.integers(0, 0xFF),
    "u16": st.integers(0, 0xFFFF),
    "u32": st.integers(0, 0xFFFF_FFFF),
    "i32": st.integers(-(2**31), 2**31 - 1),
}


def values(record: contract.Record, **fixed) -> st.SearchStrategy[dict]:
    """A random value for every field of ``record`` (``fixed`` ones as given)."""
    fields = {
        f.name: st.just(fixed[f.name]) if f.name in fixed
        else st.binary(min_size=f.size, max_size=f.size) if f.type == "bytes"
        else _INT[f.type]
        for f in record.fields
    }  # fmt: skip
    return st.fixed_dictionaries(fields)


def packed(record: contract.Record, fields: dict) -> bytes:
    return struct.pack(record.struct_format(), *(fields[f.name] for f in record.fields))
