-- 0004: one-sentence Chinese TL;DRs ([translate] tldr = true), one per stored paper version.
CREATE TABLE paper_tldr (
    paper_id   INTEGER PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    tldr       TEXT NOT NULL,
    engine     TEXT NOT NULL,
    model      TEXT NOT NULL,
    created_at TEXT NOT NULL                    -- ISO 8601 UTC
);
