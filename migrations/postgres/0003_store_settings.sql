-- Facts about the store itself. `key_check` is a keyed hash of a constant under the master key:
-- a server started with another key refuses to run instead of silently failing every secret,
-- claim and sealed payload.
CREATE TABLE store_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
