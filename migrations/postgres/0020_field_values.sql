-- Extended-field values of users, groups and organisations (Inspur §2.5).
CREATE TABLE proj_field_values (
    tenant_id  TEXT NOT NULL,
    value_id   TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    field_id   TEXT NOT NULL,
    class      BIGINT NOT NULL,
    field_type BIGINT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, value_id)
);
CREATE INDEX proj_field_values_by_entity ON proj_field_values (tenant_id, entity_id);
CREATE INDEX proj_field_values_by_field ON proj_field_values (tenant_id, field_id, value);
