-- What some dialects keep about an organisation (Inspur §2.1): an external system's id, a display
-- order, a description, whether it is disabled, and who created it.
ALTER TABLE proj_organizations ADD COLUMN external_id TEXT;
ALTER TABLE proj_organizations ADD COLUMN sort_order BIGINT;
ALTER TABLE proj_organizations ADD COLUMN description TEXT;
ALTER TABLE proj_organizations ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE proj_organizations ADD COLUMN creator TEXT;
