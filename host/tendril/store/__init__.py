"""The log database (docs/storage.md): SQLite in WAL mode, written in batches the caller flushes.

    store = Store.open(path)            # or Store.open() for the default location
    sid = store.begin_session(hello)
    store.add_telemetry(sid, telemetry, time.time(), frame.seq)
    store.flush_due()                   # every loop; commits at least every 250 ms

A board that does not run tendril (tendril.sources) logs rows of named values instead:

    sid = store.begin_source_session("plotter", info.device_key)
    store.add_row(sid, row.host_time, row.values)
    store.close()

The only I/O is the SQLite file; no threads, no clock beyond what the caller passes or time.*.
"""

from .db import FLUSH_INTERVAL, SOURCE_KINDS, Store, default_path, source_device_id
from .query import Sample, iter_samples, parse_time
from .schema import SCHEMA_VERSION

__all__ = ["FLUSH_INTERVAL", "SCHEMA_VERSION", "SOURCE_KINDS", "Sample", "Store", "default_path",
           "iter_samples", "parse_time", "source_device_id"]
