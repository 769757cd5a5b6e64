-- The authorisation model of an application (ops/adr/0018, specs/oneaccess-sdk-and-hainan-uaa.md
-- §2.2): roles gain a remark and an enabled flag (rows of roles created before are enabled); the
-- permission tree; which permissions each role carries; which roles each user holds directly;
-- which roles each organisation holds (explicit rows, authSub expanded when bound).
ALTER TABLE proj_app_roles ADD COLUMN remark TEXT;
ALTER TABLE proj_app_roles ADD COLUMN enabled BIGINT NOT NULL DEFAULT 1;
CREATE INDEX proj_app_roles_by_code ON proj_app_roles (tenant_id, application_id, code);

CREATE TABLE proj_permissions (
    tenant_id       TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    permission_id   TEXT NOT NULL,
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    parent_id       TEXT,
    permission_type BIGINT NOT NULL,
    enabled         BIGINT NOT NULL,
    sort_order      BIGINT NOT NULL,
    remark          TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, application_id, permission_id)
);
CREATE INDEX proj_permissions_by_code ON proj_permissions (tenant_id, application_id, code);

CREATE TABLE proj_role_permissions (
    tenant_id      TEXT NOT NULL,
    application_id TEXT NOT NULL,
    role_id        TEXT NOT NULL,
    permission_id  TEXT NOT NULL,
    bound_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, permission_id)
);
CREATE INDEX proj_role_permissions_by_permission ON proj_role_permissions (tenant_id, permission_id);

CREATE TABLE proj_user_roles (
    tenant_id      TEXT NOT NULL,
    application_id TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    role_id        TEXT NOT NULL,
    bound_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role_id)
);
CREATE INDEX proj_user_roles_by_role ON proj_user_roles (tenant_id, role_id, bound_at, user_id);

CREATE TABLE proj_org_roles (
    tenant_id      TEXT NOT NULL,
    application_id TEXT NOT NULL,
    role_id        TEXT NOT NULL,
    org_id         TEXT NOT NULL,
    auth_sub       BIGINT NOT NULL,
    bound_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, org_id)
);
CREATE INDEX proj_org_roles_by_org ON proj_org_roles (tenant_id, org_id);
CREATE INDEX proj_org_roles_by_role ON proj_org_roles (tenant_id, role_id, bound_at, org_id);
