-- The audit API (ops/adr/0022): the correlation and causation ids of each audited event, the
-- subjects an event names (its stream and the ids in its payload, outside the sealed personal
-- data), indexes for each search filter in position order, and what an application's credential
-- may read of the audit surface (events, personal; NULL: nothing unless it is an auditor).
ALTER TABLE proj_audit_trail ADD COLUMN correlation_id TEXT;
ALTER TABLE proj_audit_trail ADD COLUMN causation_id TEXT;

CREATE TABLE proj_audit_subjects (
    tenant_id  TEXT   NOT NULL,
    subject_id TEXT   NOT NULL,
    position   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, subject_id, position)
);

DROP INDEX proj_audit_trail_by_stream;
CREATE INDEX proj_audit_trail_by_stream ON proj_audit_trail (tenant_id, stream_type, stream_id, position);
CREATE INDEX proj_audit_trail_by_actor ON proj_audit_trail (tenant_id, actor_id, position);
CREATE INDEX proj_audit_trail_by_type ON proj_audit_trail (tenant_id, event_type, position);
CREATE INDEX proj_audit_trail_by_surface ON proj_audit_trail (tenant_id, surface, position);
CREATE INDEX proj_audit_trail_by_correlation ON proj_audit_trail (tenant_id, correlation_id, position);
CREATE INDEX proj_audit_trail_by_time ON proj_audit_trail (tenant_id, recorded_at, position);

ALTER TABLE proj_applications ADD COLUMN audit_reading TEXT;
