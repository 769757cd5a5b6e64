-- Application organisations (issue 3, specs/oneaccess.md §2.4).
CREATE TABLE proj_app_orgs (
    tenant_id      TEXT NOT NULL,
    org_id         TEXT NOT NULL,
    application_id TEXT NOT NULL,
    org_code       TEXT NOT NULL,
    name           TEXT NOT NULL,
    parent_id      TEXT,
    -- '/' + ancestor ids + own id + '/', as for enterprise organisations.
    path           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, org_id)
);
CREATE INDEX proj_app_orgs_by_app ON proj_app_orgs (tenant_id, application_id, created_at, org_id);
CREATE INDEX proj_app_orgs_by_code ON proj_app_orgs (tenant_id, application_id, org_code);
CREATE INDEX proj_app_orgs_by_parent ON proj_app_orgs (tenant_id, parent_id);
CREATE INDEX proj_app_orgs_by_path ON proj_app_orgs (tenant_id, path);
CREATE INDEX proj_app_accounts_by_org ON proj_app_accounts (tenant_id, org_id);
