-- Membership posts (ops/adr/0019; Hainan pushOrgUsers `posJob`, `sortNum`): the post a user holds
-- in an organisation and the user's place among its members, when known.
ALTER TABLE proj_user_orgs ADD COLUMN post TEXT;
ALTER TABLE proj_user_orgs ADD COLUMN sort_order BIGINT;
