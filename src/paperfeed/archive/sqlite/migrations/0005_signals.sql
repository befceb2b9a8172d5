-- 0005: community signals from Hugging Face Daily Papers, one row per arXiv id (no version:
-- upvotes belong to the paper, not to one version). Papers the archive does not have yet are
-- kept too, with Hugging Face's title and abstract, so the trending list is complete; they join
-- `papers` by arxiv_id once their arXiv metadata is fetched.
CREATE TABLE paper_signals (
    arxiv_id          TEXT PRIMARY KEY,
    title             TEXT    NOT NULL,
    summary           TEXT    NOT NULL,
    authors           TEXT    NOT NULL DEFAULT '[]',   -- JSON array
    upvotes           INTEGER NOT NULL,
    comments          INTEGER,                          -- NULL: never seen in a daily list
    daily_date        TEXT,                             -- YYYY-MM-DD of its Daily Papers page
    published         TEXT,                             -- ISO 8601 UTC
    submitted_by      TEXT,
    organization      TEXT,
    organization_name TEXT,
    github_repo       TEXT,
    github_stars      INTEGER,
    project_page      TEXT,
    ai_summary        TEXT,
    ai_keywords       TEXT    NOT NULL DEFAULT '[]',   -- JSON array
    models            TEXT,                             -- JSON array of repo ids; NULL: unknown
    datasets          TEXT,
    spaces            TEXT,
    models_total      INTEGER,
    datasets_total    INTEGER,
    spaces_total      INTEGER,
    first_seen        TEXT    NOT NULL,                 -- ISO 8601 UTC
    updated           TEXT    NOT NULL                  -- ISO 8601 UTC of the newest values
);
CREATE INDEX paper_signals_by_day ON paper_signals (daily_date, upvotes DESC);

-- Each change of a paper's counts, so trending can show growth ("+12 since first seen").
-- A row is written only when a count changed, which keeps the table small.
CREATE TABLE paper_signal_history (
    arxiv_id     TEXT    NOT NULL REFERENCES paper_signals (arxiv_id) ON DELETE CASCADE,
    observed_at  TEXT    NOT NULL,                      -- ISO 8601 UTC
    upvotes      INTEGER NOT NULL,
    comments     INTEGER,
    github_stars INTEGER,
    PRIMARY KEY (arxiv_id, observed_at)
) WITHOUT ROWID;

-- The web app's cached pages are keyed by this stamp (0003): new counts invalidate them.
CREATE TRIGGER web_stamp_signals_insert AFTER INSERT ON paper_signals BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
CREATE TRIGGER web_stamp_signals_update AFTER UPDATE ON paper_signals
WHEN old.upvotes IS NOT new.upvotes OR old.comments IS NOT new.comments
    OR old.github_stars IS NOT new.github_stars OR old.title IS NOT new.title BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
