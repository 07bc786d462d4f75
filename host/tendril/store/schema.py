"""The log database's schema (docs/storage.md) and its version, kept in PRAGMA user_version."""

from __future__ import annotations

SCHEMA_VERSION = 3

# Values are stored as the i32 the device sent: thousandths of the channel's unit when calibrated,
# the ADC count or pin level when the TELEMETRY frame had the raw flag (samples.raw = 1). Integers
# keep every logged value exact and small; exports divide by 1000.
SCHEMA_V1 = """
CREATE TABLE devices (
    device_id   INTEGER PRIMARY KEY,          -- HELLO device_id (u32)
    board_class INTEGER NOT NULL,
    first_seen  REAL NOT NULL,                -- host time, Unix seconds
    last_seen   REAL NOT NULL
);
CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    device_id         INTEGER NOT NULL REFERENCES devices(device_id),
    boot_count        INTEGER NOT NULL,
    protocol_version  INTEGER NOT NULL,
    fw_version        TEXT NOT NULL,          -- "major.minor.patch"
    fw_name           TEXT NOT NULL,
    reset_cause       INTEGER NOT NULL,
    flags             INTEGER NOT NULL,
    capabilities      INTEGER NOT NULL,
    config_generation INTEGER NOT NULL,
    recipe_hash       BLOB NOT NULL,
    host_start        REAL NOT NULL,          -- host time the session began
    UNIQUE (device_id, boot_count)            -- one session per boot, reused after a reconnect
);
CREATE TABLE samples (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    seq        INTEGER NOT NULL,              -- TELEMETRY frame seq (device counter, u16)
    channel    INTEGER NOT NULL,
    device_ms  INTEGER NOT NULL,              -- TELEMETRY time_ms (u32, wraps)
    host_time  REAL NOT NULL,
    value      INTEGER NOT NULL,              -- i32 as sent: thousandths, or raw when raw = 1
    raw        INTEGER NOT NULL DEFAULT 0
);
-- A frame resent after a reconnect repeats (session, seq, channel): INSERT OR IGNORE drops it.
CREATE UNIQUE INDEX samples_dedup ON samples (session_id, seq, channel);
CREATE INDEX samples_time ON samples (host_time);
CREATE TABLE events (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    seq        INTEGER NOT NULL,
    device_ms  INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    a INTEGER NOT NULL, b INTEGER NOT NULL, c INTEGER NOT NULL,
    value      INTEGER NOT NULL,
    host_time  REAL NOT NULL
);
CREATE UNIQUE INDEX events_dedup ON events (session_id, seq);
CREATE TABLE config_history (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL,
    host_time   REAL NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('pushed', 'read')),
    generation  INTEGER NOT NULL,
    recipe_hash BLOB NOT NULL,
    image       BLOB NOT NULL,
    recipe_text TEXT                          -- the recipe's TOML when the host knows it
);
CREATE INDEX config_by_hash ON config_history (device_id, recipe_hash);
"""

# Version 2: boards that do not run tendril (a sketch printing Serial Plotter text, a Firmata board).
# Their sessions say which source they came from, and name their channels in `channels` (a tendril
# board's channels are named by the recipe in config_history). Their devices get a synthetic
# device_id of 2**32 or more (db.source_device_id), which no HELLO (u32) can carry, and keep the key
# it was derived from (USB serial number or port path) in source_key.
SCHEMA_V2 = """
ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT 'tendril'
    CHECK (source IN ('tendril', 'plotter', 'firmata'));
ALTER TABLE devices ADD COLUMN source_key TEXT;   -- NULL for tendril boards
CREATE TABLE channels (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    channel    INTEGER NOT NULL,                  -- samples.channel
    name       TEXT NOT NULL,                     -- the label the board sent (plotter) or A0.. (firmata)
    unit       TEXT,                              -- NULL: not known
    PRIMARY KEY (session_id, channel),
    UNIQUE (session_id, name)
);
"""

# Version 3: sessions.source may also be 'import' (a file brought in by `tendril import`). SQLite
# cannot change a CHECK in place: the table is rebuilt (foreign keys are off while a migration runs,
# and checked after it).
SCHEMA_V3 = """
CREATE TABLE sessions_v3 (
    id                INTEGER PRIMARY KEY,
    device_id         INTEGER NOT NULL REFERENCES devices(device_id),
    boot_count        INTEGER NOT NULL,
    protocol_version  INTEGER NOT NULL,
    fw_version        TEXT NOT NULL,
    fw_name           TEXT NOT NULL,
    reset_cause       INTEGER NOT NULL,
    flags             INTEGER NOT NULL,
    capabilities      INTEGER NOT NULL,
    config_generation INTEGER NOT NULL,
    recipe_hash       BLOB NOT NULL,
    host_start        REAL NOT NULL,
    source            TEXT NOT NULL DEFAULT 'tendril'
        CHECK (source IN ('tendril', 'plotter', 'firmata', 'import')),
    UNIQUE (device_id, boot_count)
);
INSERT INTO sessions_v3 SELECT id, device_id, boot_count, protocol_version, fw_version, fw_name,
    reset_cause, flags, capabilities, config_generation, recipe_hash, host_start, source FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v3 RENAME TO sessions;
-- Samples live in compressed chunks (store/codec.py): one channel of one session, up to
-- CHUNK_SAMPLES samples in seq order, each column packed by pcodec. The samples table keeps only
-- the samples not yet sealed into a chunk (every commit lands there first, so a crash loses at
-- most the last FLUSH_INTERVAL), and its dedup index now leads with the channel.
CREATE TABLE chunks (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    channel    INTEGER NOT NULL,
    raw        INTEGER NOT NULL,              -- 1: every value is a raw reading
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    t_first    REAL NOT NULL,                 -- host time of the first and last sample
    t_last     REAL NOT NULL,
    n          INTEGER NOT NULL,
    kind       INTEGER NOT NULL DEFAULT 0,    -- 0 samples, downsampled minutes: 1 min, 2 mean, 3 max
    data       BLOB NOT NULL
);
-- Settings a log keeps for itself (`tendril db downsample`): key, value as text.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX chunks_by_channel ON chunks (session_id, channel, t_last);
DROP INDEX samples_dedup;
DROP INDEX samples_time;
CREATE UNIQUE INDEX samples_dedup ON samples (session_id, channel, seq);
"""

# Index i holds the script that takes a database from version i to i + 1.
MIGRATIONS = (SCHEMA_V1, SCHEMA_V2, SCHEMA_V3)
assert len(MIGRATIONS) == SCHEMA_VERSION
