-- User groups and their members (Inspur §2.12).
CREATE TABLE proj_groups (
    tenant_id   TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    external_id TEXT,
    description TEXT,
    organ_id    TEXT NOT NULL,
    creator     TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, group_id)
);
CREATE INDEX proj_groups_by_organ ON proj_groups (tenant_id, organ_id);

CREATE TABLE proj_group_members (
    tenant_id TEXT NOT NULL,
    group_id  TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, user_id)
);
CREATE INDEX proj_group_members_by_user ON proj_group_members (tenant_id, user_id);
