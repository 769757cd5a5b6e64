-- As-of answers (DESIGN.md "Audit and compliance", ops/adr/0025): the temporal history of the
-- facts that decide access — organisation memberships and parents, users' states, application
-- accounts, application grants, role bindings (user and organisation, with the subtree rule as
-- expanded when bound), role permissions, application roles and their account members,
-- applications' states and the tenant's grant-inheritance policy. A row is one fact valid from the event at `from_position` until the event at `to_position` (open while
-- NULL), with the event's type, time and actor at both ends: "who could sign in to X at T, and
-- which event granted it" is a query on positions. A projection like any other: rebuilt by replay.
--
-- kind             subject_id     object_id       via_id         state
-- membership       user           organisation    ''             relation type (1 primary)
-- org_parent       organisation   parent or ''    ''             ''
-- user             user           ''              ''             enabled | disabled | left
-- account          user           application     account        enabled | disabled
-- app_grant        user or org    application     grant          user | organization
-- user_role        user           application     role           ''
-- org_role         organisation   application     role           auth_sub (1 = subtree)
-- role_permission  role           application     permission     ''
-- role             role           application     ''             enabled | disabled
-- role_member      account        role            ''             ''
-- application      application    ''              ''             enabled | disabled
-- grant_reach      tenant         ''              ''             direct | subtree
-- `until_ms` is a user's expiry (epoch milliseconds), the only fact that ends by the clock.
CREATE TABLE proj_asof (
    tenant_id       TEXT   NOT NULL,
    kind            TEXT   NOT NULL,
    subject_id      TEXT   NOT NULL,
    object_id       TEXT   NOT NULL,
    via_id          TEXT   NOT NULL,
    state           TEXT   NOT NULL,
    until_ms        BIGINT,
    from_position   BIGINT NOT NULL,
    from_at         TEXT   NOT NULL,
    from_event      TEXT   NOT NULL,
    from_actor_kind TEXT,
    from_actor_id   TEXT,
    to_position     BIGINT,
    to_at           TEXT,
    to_event        TEXT,
    to_actor_kind   TEXT,
    to_actor_id     TEXT
);
CREATE INDEX proj_asof_by_subject ON proj_asof (tenant_id, kind, subject_id, from_position);
CREATE INDEX proj_asof_by_object ON proj_asof (tenant_id, kind, object_id, from_position);
CREATE INDEX proj_asof_by_via ON proj_asof (tenant_id, kind, via_id, from_position);
