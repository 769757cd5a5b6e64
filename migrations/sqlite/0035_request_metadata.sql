-- Erasure and retention (ops/adr/0026).
--
-- An event's client address and user agent are personal: from this migration on they are kept
-- here, keyed by the event's position, and no longer inside the event's hashed metadata (events
-- appended before keep theirs, and their hashes). `subject_id` is whose request it was (the user
-- when a user acted, otherwise the event's stream); an erasure deletes the rows of its subject
-- (as subject or stream), a retention run the tenant's rows up to a position. `recorded_at` is
-- the event's, in the store's RFC 3339 UTC form.
CREATE TABLE request_metadata (
    tenant_id   TEXT   NOT NULL,
    position    BIGINT NOT NULL,
    stream_id   TEXT   NOT NULL,
    subject_id  TEXT   NOT NULL,
    client_ip   TEXT,
    user_agent  TEXT,
    recorded_at TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, position)
);
CREATE INDEX request_metadata_by_subject ON request_metadata (tenant_id, subject_id);
CREATE INDEX request_metadata_by_stream ON request_metadata (tenant_id, stream_id);
CREATE INDEX request_metadata_by_time ON request_metadata (tenant_id, recorded_at);

-- Deleted users not yet erased, with when they were deleted: what a retention run erases once
-- the tenant's period has passed. A projection of user.deleted and user.erased (ids and times
-- only).
CREATE TABLE proj_deleted_users (
    tenant_id  TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    deleted_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX proj_deleted_users_by_time ON proj_deleted_users (tenant_id, deleted_at);
