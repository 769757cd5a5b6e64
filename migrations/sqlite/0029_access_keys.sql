-- Access keys of applications for signed calls (ops/adr/0019, "Signed calls"): the keys (their
-- secrets are derived, never stored) and the nonces of recent signed calls, kept for the
-- replay window only (not part of the event log).
CREATE TABLE proj_access_keys (
    tenant_id       TEXT NOT NULL,
    access_key_id   TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT,
    PRIMARY KEY (tenant_id, access_key_id)
);
CREATE INDEX proj_access_keys_by_application ON proj_access_keys (tenant_id, application_id);

CREATE TABLE signed_call_nonces (
    tenant_id      TEXT NOT NULL,
    access_key_id  TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, access_key_id, nonce)
);
CREATE INDEX signed_call_nonces_by_expiry ON signed_call_nonces (expires_at);
