-- 0003: the web app (paperfeed serve): stars, upvotes, its signing secret, change stamps for
-- its page cache, and the indexes its pages need on the archive tables.

-- A reader is one browser, named by a random id in a signed cookie. Stars make that reader's
-- reading list; upvotes rank the trending page. Both name the paper without a version.
CREATE TABLE web_stars (
    reader     TEXT NOT NULL,
    arxiv_id   TEXT NOT NULL,
    created_at TEXT NOT NULL,                   -- ISO 8601 UTC
    PRIMARY KEY (reader, arxiv_id)
) WITHOUT ROWID;
CREATE INDEX web_stars_by_paper ON web_stars (arxiv_id);

-- One upvote per reader per paper: the primary key enforces it.
CREATE TABLE web_upvotes (
    arxiv_id   TEXT NOT NULL,
    reader     TEXT NOT NULL,
    created_at TEXT NOT NULL,                   -- ISO 8601 UTC; trending counts votes in a window
    PRIMARY KEY (arxiv_id, reader)
) WITHOUT ROWID;
CREATE INDEX web_upvotes_by_time ON web_upvotes (created_at, arxiv_id);
CREATE INDEX web_upvotes_by_reader ON web_upvotes (reader, arxiv_id);

-- The key that signs reader cookies and CSRF tokens: made once, shared by every server process.
CREATE TABLE web_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Counters bumped by every change a cached page depends on, so each server process can tell
-- whether its cached page is still current with one cheap read.
CREATE TABLE web_stamps (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO web_stamps (name, value) VALUES ('archive', 0), ('reactions', 0);

CREATE TRIGGER web_stamp_digest_insert AFTER INSERT ON digests BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
CREATE TRIGGER web_stamp_digest_delete AFTER DELETE ON digests BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
CREATE TRIGGER web_stamp_paper_update AFTER UPDATE ON papers BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
CREATE TRIGGER web_stamp_translation_insert AFTER INSERT ON paper_translations BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
CREATE TRIGGER web_stamp_translation_update AFTER UPDATE ON paper_translations BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
CREATE TRIGGER web_stamp_listing_insert AFTER INSERT ON listings BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
CREATE TRIGGER web_stamp_subject_insert AFTER INSERT ON subject_names BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;
CREATE TRIGGER web_stamp_subject_update AFTER UPDATE ON subject_names BEGIN
    UPDATE web_stamps SET value = value + 1 WHERE name = 'archive';
END;

-- The paper page lists the listings and digests a paper appeared in; search filters by them.
CREATE INDEX listing_items_by_arxiv_id ON listing_items (arxiv_id, listing_date);
CREATE INDEX digest_entries_by_arxiv_id ON digest_entries (arxiv_id, digest_id);
-- Related papers: a topic's most recent digest entries.
CREATE INDEX digest_entries_by_topic_recent ON digest_entries (topic, digest_id);
-- Search filters test candidate rows (papers-table ids) against listings and digests.
CREATE INDEX listing_items_by_paper ON listing_items (paper_id, listing_date);
CREATE INDEX digest_entries_by_paper ON digest_entries (paper_id, digest_id);

-- Each paper version's categories, one row each, so search can filter by category or archive
-- through an index instead of parsing every paper's JSON list.
CREATE TABLE web_paper_categories (
    category TEXT    NOT NULL,
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (category, paper_id)
) WITHOUT ROWID;
CREATE INDEX web_paper_categories_by_paper ON web_paper_categories (paper_id, category);
INSERT OR IGNORE INTO web_paper_categories (category, paper_id)
    SELECT c.value, p.id FROM papers p, json_each(p.categories) c;
CREATE TRIGGER web_paper_categories_insert AFTER INSERT ON papers BEGIN
    INSERT OR IGNORE INTO web_paper_categories (category, paper_id)
        SELECT value, new.id FROM json_each(new.categories);
END;
CREATE TRIGGER web_paper_categories_update AFTER UPDATE OF categories ON papers BEGIN
    DELETE FROM web_paper_categories WHERE paper_id = old.id;
    INSERT OR IGNORE INTO web_paper_categories (category, paper_id)
        SELECT value, new.id FROM json_each(new.categories);
END;
