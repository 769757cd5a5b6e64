-- Account details and the left state of users (Inspur USR-03/10/11/13; domain::user::AccountDetails).
ALTER TABLE proj_users ADD COLUMN external_id TEXT;
ALTER TABLE proj_users ADD COLUMN user_type_id TEXT;
ALTER TABLE proj_users ADD COLUMN expires_at BIGINT;
ALTER TABLE proj_users ADD COLUMN description TEXT;
ALTER TABLE proj_users ADD COLUMN created_type TEXT;
ALTER TABLE proj_users ADD COLUMN creator TEXT;
ALTER TABLE proj_users ADD COLUMN left_at BIGINT;
CREATE INDEX proj_users_by_type ON proj_users (tenant_id, user_type_id);
