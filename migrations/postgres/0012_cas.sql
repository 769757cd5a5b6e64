-- CAS (issue 5): tickets found by their keyed hash (the ticket itself is never stored in clear),
-- the tickets of a session (for single logout and for ending PGTs), unused tickets that are due to
-- expire, and the single-logout outbox: deliveries still to attempt, and when.
CREATE TABLE proj_cas_tickets (
    tenant_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    ticket_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    application_id TEXT NOT NULL,
    service TEXT NOT NULL,
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id)
);
CREATE UNIQUE INDEX proj_cas_tickets_hash ON proj_cas_tickets (tenant_id, ticket_hash);
CREATE INDEX proj_cas_tickets_session ON proj_cas_tickets (tenant_id, session_id);
CREATE INDEX proj_cas_tickets_due ON proj_cas_tickets (status, expires_at);

CREATE TABLE proj_cas_logouts (
    tenant_id TEXT NOT NULL,
    logout_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    service TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT,
    last_error TEXT,
    PRIMARY KEY (tenant_id, logout_id)
);
CREATE INDEX proj_cas_logouts_due ON proj_cas_logouts (status, next_attempt_at);
CREATE INDEX proj_cas_logouts_session ON proj_cas_logouts (tenant_id, session_id);
