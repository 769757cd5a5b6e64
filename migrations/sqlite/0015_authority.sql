-- Who may do what (ops/adr/0014): the management authority an application holds
-- (directory, tenant_admin, operator; NULL: a directory client when it holds the API product)
-- and, for a directory client, the other applications it may manage (a JSON array of ids).
ALTER TABLE proj_applications ADD COLUMN authority TEXT;
ALTER TABLE proj_applications ADD COLUMN granted_applications TEXT NOT NULL DEFAULT '[]';
