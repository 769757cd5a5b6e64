-- Grants of applications to organisations and users (Inspur ORG-08/09, USR-01/02/07/08).
CREATE TABLE proj_app_grants (
    tenant_id      TEXT NOT NULL,
    grant_id       TEXT NOT NULL,
    application_id TEXT NOT NULL,
    grantee        TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    creator        TEXT,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, grant_id)
);
CREATE INDEX proj_app_grants_by_app ON proj_app_grants (tenant_id, application_id, grantee);
CREATE INDEX proj_app_grants_by_subject ON proj_app_grants (tenant_id, grantee, subject_id);
