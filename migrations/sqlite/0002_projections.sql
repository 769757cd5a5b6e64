-- Projection tables (the read side). Every row is derived from events only; `idaas replay`
-- rebuilds them from position 0 and `idaas verify` compares them with a fresh rebuild.

CREATE TABLE proj_tenants (
    tenant_id  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    settings   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE proj_tenant_domains (
    domain    TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL
);

CREATE TABLE proj_applications (
    tenant_id          TEXT NOT NULL,
    application_id     TEXT NOT NULL,
    name               TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    client_secret_hash TEXT NOT NULL,
    api_product        BIGINT NOT NULL,
    enabled            BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, application_id)
);
CREATE INDEX proj_applications_by_client ON proj_applications (tenant_id, client_id);

CREATE TABLE proj_management_tokens (
    token_hash     TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    token_id       TEXT NOT NULL,
    application_id TEXT NOT NULL,
    scope          TEXT NOT NULL,
    issued_at      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);

CREATE TABLE proj_organizations (
    tenant_id  TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    org_code   TEXT NOT NULL,
    name       TEXT NOT NULL,
    parent_id  TEXT,
    category   TEXT NOT NULL,
    -- '/' + ancestor ids + own id + '/': a subtree is one prefix match on this index.
    path       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, org_id)
);
CREATE INDEX proj_organizations_by_path ON proj_organizations (tenant_id, path);
CREATE INDEX proj_organizations_by_parent ON proj_organizations (tenant_id, parent_id);
CREATE INDEX proj_organizations_by_code ON proj_organizations (tenant_id, org_code);

CREATE TABLE proj_users (
    tenant_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    org_id          TEXT,
    user_name       TEXT NOT NULL,
    user_name_key   TEXT NOT NULL,
    name            TEXT NOT NULL,
    mobile          TEXT,
    email           TEXT,
    profile         TEXT NOT NULL,
    pwd_must_modify BIGINT NOT NULL,
    pwd_change_at   BIGINT,
    password_hash   TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    disabled        BIGINT NOT NULL,
    grade           BIGINT NOT NULL,
    locked          BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX proj_users_by_name ON proj_users (tenant_id, user_name_key);
CREATE INDEX proj_users_by_created ON proj_users (tenant_id, created_at, user_id);

CREATE TABLE proj_user_orgs (
    tenant_id     TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    relation_type BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, org_id)
);
CREATE INDEX proj_user_orgs_by_org ON proj_user_orgs (tenant_id, org_id);

CREATE TABLE proj_audit_trail (
    position    BIGINT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    stream_type TEXT NOT NULL,
    stream_id   TEXT NOT NULL,
    version     BIGINT NOT NULL,
    event_type  TEXT NOT NULL,
    actor_id    TEXT,
    actor_kind  TEXT,
    surface     TEXT,
    request_id  TEXT,
    summary     TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX proj_audit_trail_by_tenant ON proj_audit_trail (tenant_id, position);
CREATE INDEX proj_audit_trail_by_stream ON proj_audit_trail (tenant_id, stream_type, stream_id);
