-- Privileges with their resource items, and the privileges roles carry (issue 3).
CREATE TABLE proj_privileges (
    tenant_id      TEXT NOT NULL,
    privilege_id   TEXT NOT NULL,
    application_id TEXT NOT NULL,
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    items          TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, privilege_id)
);
CREATE INDEX proj_privileges_by_app ON proj_privileges (tenant_id, application_id, created_at, privilege_id);

CREATE TABLE proj_role_privileges (
    tenant_id    TEXT NOT NULL,
    role_id      TEXT NOT NULL,
    privilege_id TEXT NOT NULL,
    position     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, privilege_id)
);
