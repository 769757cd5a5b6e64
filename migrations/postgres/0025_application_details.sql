-- What a directory records about an application beyond its protocols (Inspur §2.7;
-- domain::app_details::AppDetails), who registered it and when it last changed.
ALTER TABLE proj_applications ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE proj_applications ADD COLUMN creator TEXT;
ALTER TABLE proj_applications ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE proj_applications ADD COLUMN type_code TEXT;
CREATE INDEX proj_applications_by_type ON proj_applications (tenant_id, type_code);
