-- Application accounts (issue 3, specs/oneaccess.md §2.5).
CREATE TABLE proj_app_accounts (
    tenant_id      TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    application_id TEXT NOT NULL,
    user_id        TEXT,
    account_name   TEXT NOT NULL,
    name           TEXT NOT NULL,
    account_type   TEXT NOT NULL,
    org_id         TEXT,
    disabled       BIGINT NOT NULL,
    extension      TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id)
);
CREATE INDEX proj_app_accounts_by_app ON proj_app_accounts (tenant_id, application_id, created_at, account_id);
CREATE INDEX proj_app_accounts_by_user ON proj_app_accounts (tenant_id, user_id);
