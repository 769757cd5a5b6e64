-- The event store (DESIGN.md "The event store"). Same shape on both engines.
CREATE TABLE events (
    position        BIGINT NOT NULL UNIQUE,
    tenant_id       TEXT   NOT NULL,
    stream_type     TEXT   NOT NULL,
    stream_id       TEXT   NOT NULL,
    version         BIGINT NOT NULL,
    event_type      TEXT   NOT NULL,
    schema_version  BIGINT NOT NULL,
    payload         TEXT   NOT NULL,
    metadata        TEXT   NOT NULL,
    recorded_at     TEXT   NOT NULL,
    prev_hash       TEXT   NOT NULL,
    hash            TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, stream_type, stream_id, version)
);
CREATE INDEX events_by_tenant ON events (tenant_id, position);

-- The last assigned position; its row is updated first in every append transaction, which
-- serialises appends so positions follow commit order.
CREATE TABLE event_position (
    id            BIGINT PRIMARY KEY,
    last_position BIGINT NOT NULL
);
INSERT INTO event_position (id, last_position) VALUES (1, 0);

-- The head of each tenant's hash chain.
CREATE TABLE chain_heads (
    tenant_id TEXT PRIMARY KEY,
    last_hash TEXT NOT NULL
);

-- Unique values, as keyed hashes of their normalised form ('*' is the tenant of global claims).
CREATE TABLE unique_claims (
    tenant_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    claim_key TEXT NOT NULL,
    owner     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, claim_key)
);

-- Per-subject data keys, wrapped by the master key. Deleting a row erases the subject's data.
CREATE TABLE subject_keys (
    tenant_id   TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    wrapped_key TEXT NOT NULL,
    PRIMARY KEY (tenant_id, subject_id)
);
