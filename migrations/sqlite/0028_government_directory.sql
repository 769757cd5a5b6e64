-- The government directory of the Hainan UAA dialect (ops/adr/0019, specs/oneaccess-sdk-and-hainan-uaa.md
-- §2.3): an organisation's government profile (JSON, domain::gov_profile) and its names from the
-- root down, `/`-joined (orgSearch's fullNamePath, kept on rename and move); lookups of users by
-- external id, mobile and display-name prefix and of organisations by external id, type and
-- unified social credit code.
ALTER TABLE proj_organizations ADD COLUMN gov TEXT;
ALTER TABLE proj_organizations ADD COLUMN org_type TEXT;
ALTER TABLE proj_organizations ADD COLUMN name_path TEXT;
ALTER TABLE proj_organizations ADD COLUMN credit_code TEXT;
CREATE INDEX proj_organizations_by_external_id ON proj_organizations (tenant_id, external_id);
CREATE INDEX proj_organizations_by_type ON proj_organizations (tenant_id, org_type);
CREATE INDEX proj_organizations_by_credit_code ON proj_organizations (tenant_id, credit_code);
CREATE INDEX proj_users_by_external_id ON proj_users (tenant_id, external_id);
CREATE INDEX proj_users_by_mobile ON proj_users (tenant_id, mobile);
CREATE INDEX proj_users_by_display_name ON proj_users (tenant_id, name);

-- Each user's extended attributes with a text value, one row each (searchByExtendProp,
-- pushUserInfo by external id stay index lookups).
CREATE TABLE proj_user_extensions (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    ext_key    TEXT NOT NULL,
    ext_value  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, ext_key)
);
CREATE INDEX proj_user_extensions_by_value ON proj_user_extensions (tenant_id, ext_key, ext_value);
