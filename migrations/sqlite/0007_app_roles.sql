-- Application-side roles and their members (issue 3, specs/oneaccess.md §2.6).
CREATE TABLE proj_app_roles (
    tenant_id      TEXT NOT NULL,
    role_id        TEXT NOT NULL,
    application_id TEXT NOT NULL,
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT,
    PRIMARY KEY (tenant_id, role_id)
);
CREATE INDEX proj_app_roles_by_app ON proj_app_roles (tenant_id, application_id, created_at, role_id);

CREATE TABLE proj_app_role_members (
    tenant_id  TEXT NOT NULL,
    role_id    TEXT NOT NULL,
    account_id TEXT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, account_id)
);
CREATE INDEX proj_app_role_members_by_account ON proj_app_role_members (tenant_id, account_id);
