-- Short-lived protocol records (ops/adr/0027). SAML AuthnRequests, which anyone can send without a
-- credential, are held here until answered or expired (then purged on the next insert); only the
-- answer writes the `saml_login` stream. The indexes serve the purge of expired rows from the
-- short-lived projection tables.
CREATE TABLE saml_requests (
    tenant_id TEXT NOT NULL,
    login_id TEXT NOT NULL,
    requested TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, login_id)
);
CREATE INDEX saml_requests_expiry ON saml_requests (expires_at);

CREATE INDEX proj_sso_sessions_expiry ON proj_sso_sessions (expires_at);
CREATE INDEX proj_oauth_tokens_expiry ON proj_oauth_tokens (expires_at);
CREATE INDEX proj_sso_tickets_expiry ON proj_sso_tickets (expires_at);
CREATE INDEX proj_management_tokens_expiry ON proj_management_tokens (expires_at);
CREATE INDEX proj_saml_logins_requested ON proj_saml_logins (requested_at);
