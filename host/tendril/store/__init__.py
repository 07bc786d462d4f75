"""The log database (docs/storage.md): SQLite in WAL mode, written in batches the caller flushes.

    store = Store.open(path)            # or Store.open() for the default location
    sid = store.begin_session(hello)
    store.add_telemetry(sid, telemetry, time.time(), frame.seq)
    store.flush_due()                   # every loop; commits at least every 250 ms
    store.close()

The only I/O is the SQLite file; no threads, no clock beyond what the caller passes or time.*.
"""

from .db import FLUSH_INTERVAL, Store, default_path
from .query import Sample, iter_samples, parse_time
from .schema import SCHEMA_VERSION

__all__ = ["FLUSH_INTERVAL", "SCHEMA_VERSION", "Sample", "Store", "default_path", "iter_samples",
           "parse_time"]
