-- The OneAccess SDK login (seed 002, issue 4 item 4): a session started by the SDK is bound to the
-- device it was started from (the keyed hash of its fingerprint; browser sessions have none), and
-- one-time sso_tickets are found by their keyed hash. No token, ticket or code is stored in clear.
ALTER TABLE proj_sso_sessions ADD COLUMN device_hash TEXT;

CREATE TABLE proj_sso_tickets (
    tenant_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    ticket_hash TEXT NOT NULL,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    application_id TEXT,
    issued_to TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    redeemed_at BIGINT,
    PRIMARY KEY (tenant_id, ticket_id)
);
CREATE UNIQUE INDEX proj_sso_tickets_hash ON proj_sso_tickets (tenant_id, ticket_hash);
CREATE INDEX proj_sso_tickets_session ON proj_sso_tickets (tenant_id, session_id);
