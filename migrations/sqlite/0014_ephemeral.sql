-- Short-lived records kept outside the event log (ops/adr/0012): image CAPTCHA challenges, issued
-- without any credential, live here until answered (once) or expired and purged, so
-- unauthenticated traffic cannot grow the permanent log. The answer is stored only as a keyed hash.
CREATE TABLE captcha_challenges (
    tenant_id TEXT NOT NULL,
    captcha_id TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, captcha_id)
);
CREATE INDEX captcha_challenges_expiry ON captcha_challenges (expires_at);
