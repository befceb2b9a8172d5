-- 0006: sentence embeddings (the relevance extra) and relevance scores of digest papers.

-- Vectors are stored once per (model, text): a new version of a paper whose title and abstract
-- did not change reuses its vector, and so does a bibliography entry with the same text.
CREATE TABLE embedding_vectors (
    id         INTEGER PRIMARY KEY,
    model      TEXT    NOT NULL,                   -- "sentence-transformers/all-MiniLM-L6-v2"
    text_hash  TEXT    NOT NULL,                   -- sha256 of the embedded text
    dim        INTEGER NOT NULL,
    vector     BLOB    NOT NULL,                   -- dim float32 (little-endian), unit length
    created_at TEXT    NOT NULL,                   -- ISO 8601 UTC
    UNIQUE (model, text_hash)
);

-- One embedding per paper version and model. A changed text replaces the row (delete, then
-- insert), so rowids only grow: the sqlite-vec index catches up by rowid.
CREATE TABLE paper_embeddings (
    paper_id  INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    model     TEXT    NOT NULL,
    vector_id INTEGER NOT NULL REFERENCES embedding_vectors (id),
    UNIQUE (paper_id, model)
);
CREATE INDEX paper_embeddings_by_model ON paper_embeddings (model, paper_id);

-- The sqlite-vec index of each model: a vec0 virtual table, made by paperfeed.relevance (the
-- extension is loaded on its own connection, so this migration cannot create it), and the
-- paper_embeddings rowid it has caught up to.
CREATE TABLE embedding_indexes (
    model     TEXT PRIMARY KEY,
    dim       INTEGER NOT NULL,
    vec_table TEXT    NOT NULL,
    synced_to INTEGER NOT NULL DEFAULT 0
);

-- Each digest paper's relevance score and its breakdown (JSON), per listing date.
CREATE TABLE paper_scores (
    listing_date TEXT NOT NULL,
    arxiv_id     TEXT NOT NULL,
    total        REAL NOT NULL,
    breakdown    TEXT NOT NULL,
    PRIMARY KEY (listing_date, arxiv_id)
);
