-- Application feature switches and protocol settings (issue 3).
ALTER TABLE proj_applications ADD COLUMN app_orgs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE proj_applications ADD COLUMN app_roles BIGINT NOT NULL DEFAULT 0;
ALTER TABLE proj_applications ADD COLUMN protocols TEXT NOT NULL DEFAULT '{}';
