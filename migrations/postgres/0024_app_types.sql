-- Application types (Inspur §2.8). A deleted type keeps its row with `deleted` 1 (a soft
-- delete); every query reads live rows only.
CREATE TABLE proj_app_types (
    tenant_id   TEXT NOT NULL,
    type_id     TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    disabled    BIGINT NOT NULL,
    deleted     BIGINT NOT NULL,
    creator     TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, type_id)
);
CREATE INDEX proj_app_types_code ON proj_app_types (tenant_id, code);
