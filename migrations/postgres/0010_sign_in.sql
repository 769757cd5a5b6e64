-- Sign-in and OAuth 2.0 / OIDC (issue 4): signing keys (public halves only; the private halves
-- stay sealed in the event store), SSO sessions, authorisation grants with their codes, refresh
-- tokens and access tokens (all as keyed hashes or ids), and login lockouts.
CREATE TABLE proj_signing_keys (
    tenant_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    publish_until BIGINT,
    PRIMARY KEY (tenant_id, key_id)
);

CREATE TABLE proj_sso_sessions (
    tenant_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    cookie_hash TEXT NOT NULL,
    methods TEXT NOT NULL,
    needs_second_factor BIGINT NOT NULL,
    remember_me BIGINT NOT NULL,
    auth_time BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    PRIMARY KEY (tenant_id, session_id)
);
CREATE UNIQUE INDEX proj_sso_sessions_cookie ON proj_sso_sessions (tenant_id, cookie_hash);
CREATE INDEX proj_sso_sessions_user ON proj_sso_sessions (tenant_id, user_id);

CREATE TABLE proj_oauth_grants (
    tenant_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    flow TEXT NOT NULL,
    application_id TEXT NOT NULL,
    user_id TEXT,
    session_id TEXT,
    scope TEXT NOT NULL,
    code_hash TEXT,
    revoked BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, grant_id)
);
CREATE UNIQUE INDEX proj_oauth_grants_code ON proj_oauth_grants (tenant_id, code_hash);
CREATE INDEX proj_oauth_grants_session ON proj_oauth_grants (tenant_id, session_id);

CREATE TABLE proj_oauth_refresh_tokens (
    tenant_id TEXT NOT NULL,
    refresh_hash TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, refresh_hash)
);

CREATE TABLE proj_oauth_tokens (
    tenant_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    user_id TEXT,
    scope TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX proj_oauth_tokens_grant ON proj_oauth_tokens (tenant_id, grant_id);

CREATE TABLE proj_login_lockouts (
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until BIGINT,
    last_failure_at BIGINT,
    PRIMARY KEY (tenant_id, user_id)
);
