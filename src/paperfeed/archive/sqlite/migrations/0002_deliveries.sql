-- 0002: the delivery ledger. One row per (listing, channel, recipient): a rerun does not resend
-- what is 'sent', retries what 'failed', and reports what is 'uncertain' (a process that died
-- after starting a send and before recording its outcome: it may or may not have arrived).
CREATE TABLE deliveries (
    listing_date TEXT    NOT NULL,              -- YYYY-MM-DD of the digest delivered
    channel      TEXT    NOT NULL,              -- email | feishu | dingtalk | wecom | slack | json
    recipient    TEXT    NOT NULL,              -- the e-mail address, or the webhook's name
    message_key  TEXT    NOT NULL,              -- idempotency key, the same on every attempt;
                                                -- shared by the listings of one merged catch-up
    status       TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'uncertain', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    parts_sent   INTEGER NOT NULL DEFAULT 0,    -- chat messages of a split digest already accepted
    parts_total  INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    detail       TEXT    NOT NULL DEFAULT '',   -- Message-ID, part counts, why skipped
    updated_at   TEXT    NOT NULL,
    sent_at      TEXT,
    PRIMARY KEY (listing_date, channel, recipient)
);
CREATE INDEX deliveries_by_status ON deliveries (status, listing_date);
CREATE INDEX deliveries_by_key ON deliveries (message_key);
