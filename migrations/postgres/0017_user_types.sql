-- User (account) types (Inspur §2.9).
CREATE TABLE proj_user_types (
    tenant_id   TEXT NOT NULL,
    type_id     TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    sort_order  BIGINT,
    disabled    BIGINT NOT NULL,
    creator     TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, type_id)
);
