-- SAML (issue 6): the tenants' SAML signing keys (certificates only; the private halves stay
-- sealed in the event store), and the sign-in exchanges with the session index each assertion
-- carried, which single logout follows from a session to its service providers and back.
CREATE TABLE proj_saml_keys (
    tenant_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    certificate TEXT NOT NULL,
    active_from BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key_id)
);

CREATE TABLE proj_saml_logins (
    tenant_id TEXT NOT NULL,
    login_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    status TEXT NOT NULL,
    session_id TEXT,
    session_index TEXT,
    requested_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, login_id)
);
CREATE INDEX proj_saml_logins_session ON proj_saml_logins (tenant_id, session_id);
CREATE INDEX proj_saml_logins_index ON proj_saml_logins (tenant_id, application_id, session_index);
