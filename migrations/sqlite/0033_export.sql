-- Durable export consumers (ops/adr/0024): webhooks and NATS JetStream fed from the event log,
-- each with its own checkpoint on `position`. They sit beside the log, not in it: delivering an
-- event is not a change of the directory.
--
-- One row per configured consumer. `position` is the last global position the consumer has
-- finished with (delivered and acknowledged, filtered out, or dead-lettered); it only moves
-- forward, except by a replay, which sets it back and increments `epoch` so that a worker still
-- delivering the old run cannot move it again (its conditional update finds another epoch).
-- `owner` and `lease_until_ms` keep one worker per consumer when several servers share the
-- database. `delivered` counts acknowledged deliveries; times are RFC 3339 UTC with milliseconds.
CREATE TABLE export_consumers (
    name           TEXT   PRIMARY KEY,
    kind           TEXT   NOT NULL,
    position       BIGINT NOT NULL,
    epoch          BIGINT NOT NULL,
    delivered      BIGINT NOT NULL,
    owner          TEXT,
    lease_until_ms BIGINT NOT NULL,
    updated_at     TEXT   NOT NULL
);

-- Events a consumer gave up on after its last attempt: the event's CloudEvents id (the
-- idempotency key), its type, how many attempts failed and the last failure (a status or a
-- transport error, never a body or a secret). A replay from a position at or before it removes
-- it; it is written again if the delivery fails again.
CREATE TABLE export_dead_letters (
    consumer   TEXT   NOT NULL,
    position   BIGINT NOT NULL,
    event_id   TEXT   NOT NULL,
    event_type TEXT   NOT NULL,
    attempts   BIGINT NOT NULL,
    last_error TEXT   NOT NULL,
    dead_at    TEXT   NOT NULL,
    PRIMARY KEY (consumer, position)
);
