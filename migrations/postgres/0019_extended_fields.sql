-- Extended fields and their dropdown options (Inspur §2.3–§2.4).
CREATE TABLE proj_extended_fields (
    tenant_id   TEXT NOT NULL,
    field_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    label       TEXT NOT NULL,
    class       BIGINT NOT NULL,
    field_type  BIGINT NOT NULL,
    required    BIGINT NOT NULL,
    editable    BIGINT NOT NULL,
    is_unique   BIGINT NOT NULL,
    enabled     BIGINT NOT NULL,
    description TEXT,
    creator     TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, field_id)
);

CREATE TABLE proj_dropdown_options (
    tenant_id TEXT NOT NULL,
    option_id TEXT NOT NULL,
    field_id  TEXT NOT NULL,
    label     TEXT NOT NULL,
    value     TEXT NOT NULL,
    enabled   BIGINT NOT NULL,
    position  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, option_id)
);
CREATE INDEX proj_dropdown_options_by_field ON proj_dropdown_options (tenant_id, field_id);
