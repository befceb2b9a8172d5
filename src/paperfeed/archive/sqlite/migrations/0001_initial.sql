-- 0001: the archive. Every table the pipeline writes, plus full-text indexes.

-- Every version of every paper seen (from RSS, the API or an imported digest).
-- version 0 = unknown (imported digests name papers without a version).
CREATE TABLE papers (
    id               INTEGER PRIMARY KEY,
    arxiv_id         TEXT    NOT NULL,
    version          INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    authors          TEXT    NOT NULL,          -- JSON array, author order
    abstract         TEXT    NOT NULL,
    categories       TEXT    NOT NULL,          -- JSON array, primary first
    primary_category TEXT    NOT NULL,
    comment          TEXT,
    journal_ref      TEXT,
    doi              TEXT,
    license          TEXT,
    published        TEXT,                      -- ISO 8601 UTC, v1 submission
    updated          TEXT,                      -- ISO 8601 UTC, this version's submission
    source           TEXT    NOT NULL,          -- rss | api | import | import-compact
    first_seen       TEXT    NOT NULL,
    UNIQUE (arxiv_id, version)
);
CREATE INDEX papers_by_arxiv_id ON papers (arxiv_id, version DESC);

-- Which papers an announcement listed, and how.
CREATE TABLE listings (
    listing_date TEXT PRIMARY KEY,              -- YYYY-MM-DD, the date arXiv prints on the listing
    source       TEXT NOT NULL,                 -- rss | api | import
    feeds        TEXT NOT NULL,                 -- JSON array of the feeds it was assembled from
    item_count   INTEGER NOT NULL,
    stored_at    TEXT NOT NULL
);
CREATE TABLE listing_items (
    listing_date  TEXT    NOT NULL REFERENCES listings (listing_date) ON DELETE CASCADE,
    arxiv_id      TEXT    NOT NULL,
    paper_id      INTEGER NOT NULL REFERENCES papers (id),
    announce_type TEXT    NOT NULL CHECK (announce_type IN ('new', 'cross', 'replace', 'replace-cross')),
    position      INTEGER NOT NULL,
    PRIMARY KEY (listing_date, arxiv_id)
);

-- The translation cache: one row per source text, kind, language, engine, model and prompt
-- version. Engine 'import' rows come from imported digests and act as translation memory.
CREATE TABLE translations (
    id             INTEGER PRIMARY KEY,
    source_hash    TEXT NOT NULL,               -- sha256 of the source text
    kind           TEXT NOT NULL CHECK (kind IN ('title', 'abstract')),
    lang           TEXT NOT NULL,
    engine         TEXT NOT NULL,
    model          TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    source_text    TEXT NOT NULL,
    text           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (source_hash, kind, lang, engine, model, prompt_version)
);
CREATE INDEX translations_by_source ON translations (source_hash, kind, lang);

-- The current Chinese text of each stored paper version (what search and pages show).
CREATE TABLE paper_translations (
    paper_id    INTEGER PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    title_zh    TEXT,
    abstract_zh TEXT
);

-- Topic matches of one listing, with why each matched.
CREATE TABLE matches (
    listing_date  TEXT    NOT NULL,
    topic         TEXT    NOT NULL,
    arxiv_id      TEXT    NOT NULL,
    paper_id      INTEGER NOT NULL REFERENCES papers (id),
    announce_type TEXT,
    terms         TEXT    NOT NULL,             -- JSON array of {term, field, text}
    PRIMARY KEY (listing_date, topic, arxiv_id)
);

-- Digests as delivered: header, topics in order, entries in order, with their Chinese text.
CREATE TABLE digests (
    id           INTEGER PRIMARY KEY,
    listing_date TEXT NOT NULL UNIQUE,
    header       TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    announced_at TEXT,
    timezone     TEXT NOT NULL,
    source       TEXT NOT NULL,                 -- run | import
    stored_at    TEXT NOT NULL
);
CREATE TABLE digest_topics (
    digest_id INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    PRIMARY KEY (digest_id, position)
);
CREATE TABLE digest_entries (
    digest_id      INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    topic_position INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    topic          TEXT    NOT NULL,
    arxiv_id       TEXT    NOT NULL,
    paper_id       INTEGER NOT NULL REFERENCES papers (id),
    title_zh       TEXT,
    abstract_zh    TEXT,
    announce_type  TEXT,
    terms          TEXT    NOT NULL,
    PRIMARY KEY (digest_id, topic_position, position)
);
CREATE INDEX digest_entries_by_topic ON digest_entries (topic, arxiv_id);

-- Subject names learnt from imported digests, for codes the bundled taxonomy lacks.
CREATE TABLE subject_names (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- Every run: stage status, counts, failures. "What happened yesterday" is one query.
CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    listing_date TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    status       TEXT NOT NULL,                 -- running | done | no-listing | failed | partial
    reason       TEXT NOT NULL DEFAULT '',
    report       TEXT NOT NULL DEFAULT '{}'     -- JSON of the RunReport
);
CREATE INDEX runs_by_date ON runs (listing_date, id);

-- Conditional-GET validators and bodies, so a rerun costs a 304, not a download.
CREATE TABLE http_cache (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    status        INTEGER NOT NULL,
    body          BLOB NOT NULL,
    stored_at     TEXT NOT NULL
);

-- Full text: English with stemming; Chinese by trigrams (CJK has no spaces to split on).
CREATE VIRTUAL TABLE papers_fts USING fts5 (
    title, abstract, authors,
    content = 'papers', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, title, abstract, authors)
    VALUES (new.id, new.title, new.abstract, new.authors);
END;
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
    VALUES ('delete', old.id, old.title, old.abstract, old.authors);
END;
CREATE TRIGGER papers_fts_update AFTER UPDATE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
    VALUES ('delete', old.id, old.title, old.abstract, old.authors);
    INSERT INTO papers_fts (rowid, title, abstract, authors)
    VALUES (new.id, new.title, new.abstract, new.authors);
END;

CREATE VIRTUAL TABLE zh_fts USING fts5 (
    title_zh, abstract_zh,
    content = 'paper_translations', content_rowid = 'paper_id',
    tokenize = 'trigram'
);
CREATE TRIGGER zh_fts_insert AFTER INSERT ON paper_translations BEGIN
    INSERT INTO zh_fts (rowid, title_zh, abstract_zh)
    VALUES (new.paper_id, new.title_zh, new.abstract_zh);
END;
CREATE TRIGGER zh_fts_delete AFTER DELETE ON paper_translations BEGIN
    INSERT INTO zh_fts (zh_fts, rowid, title_zh, abstract_zh)
    VALUES ('delete', old.paper_id, old.title_zh, old.abstract_zh);
END;
CREATE TRIGGER zh_fts_update AFTER UPDATE ON paper_translations BEGIN
    INSERT INTO zh_fts (zh_fts, rowid, title_zh, abstract_zh)
    VALUES ('delete', old.paper_id, old.title_zh, old.abstract_zh);
    INSERT INTO zh_fts (rowid, title_zh, abstract_zh)
    VALUES (new.paper_id, new.title_zh, new.abstract_zh);
END;
