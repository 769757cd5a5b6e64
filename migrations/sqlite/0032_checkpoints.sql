-- Signed checkpoints of each tenant's hash chain (ops/adr/0023). They sit beside the event log,
-- not in it: a checkpoint attests to a chain and is not a change of the directory.
--
-- The Ed25519 keys that sign them: the signing key is the one of the highest generation; keys
-- are never deleted, so every checkpoint stays verifiable. `public_key` is the raw 32-byte key in
-- base64url (a JWK's `x`), `key_id` its RFC 7638 thumbprint, `wrapped_key` the 32-byte private
-- seed sealed by the master key. Times are RFC 3339 UTC with milliseconds.
CREATE TABLE checkpoint_keys (
    key_id      TEXT   PRIMARY KEY,
    generation  BIGINT NOT NULL UNIQUE,
    algorithm   TEXT   NOT NULL,
    public_key  TEXT   NOT NULL,
    wrapped_key TEXT   NOT NULL,
    created_at  TEXT   NOT NULL,
    retired_at  TEXT
);

-- A checkpoint: the tenant's chain head at `position` (the global position of the tenant's last
-- event then), the number of the tenant's events up to it, its hash, when and by which key it was
-- signed, and the Ed25519 signature (base64url) over the canonical bytes of ops/adr/0023.
CREATE TABLE checkpoints (
    tenant_id  TEXT   NOT NULL,
    position   BIGINT NOT NULL,
    events     BIGINT NOT NULL,
    head_hash  TEXT   NOT NULL,
    signed_at  TEXT   NOT NULL,
    key_id     TEXT   NOT NULL,
    signature  TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, position)
);
