-- Dictionaries and their items (Inspur §2.13–§2.14).
CREATE TABLE proj_dicts (
    tenant_id   TEXT NOT NULL,
    dict_id     TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    sort_order  BIGINT,
    enabled     BIGINT NOT NULL,
    creator     TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, dict_id)
);
CREATE INDEX proj_dicts_by_update ON proj_dicts (tenant_id, updated_at);

CREATE TABLE proj_dict_items (
    tenant_id   TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    dict_id     TEXT NOT NULL,
    tag         TEXT NOT NULL,
    value       TEXT NOT NULL,
    description TEXT,
    sort_order  BIGINT,
    enabled     BIGINT NOT NULL,
    creator     TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, item_id)
);
CREATE INDEX proj_dict_items_by_dict ON proj_dict_items (tenant_id, dict_id);
CREATE INDEX proj_dict_items_by_tag ON proj_dict_items (tenant_id, tag);
CREATE INDEX proj_dict_items_by_value ON proj_dict_items (tenant_id, value);
