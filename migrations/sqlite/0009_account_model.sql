-- The application account model: extension attribute names (issue 3, APP_ACCOUNT.0007).
ALTER TABLE proj_applications ADD COLUMN account_extensions TEXT NOT NULL DEFAULT '[]';
