-- Uploaded files (Inspur §2.10): one row per upload, the content as the bytes themselves. The
-- content is also in the file's `file.uploaded` event, from which replay writes it again.
CREATE TABLE proj_files (
    tenant_id    TEXT   NOT NULL,
    file_id      TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT   NOT NULL,
    content      BLOB   NOT NULL,
    creator      TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, file_id)
);
