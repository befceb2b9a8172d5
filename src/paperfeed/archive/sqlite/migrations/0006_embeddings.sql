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
-- insert) and ids are never reused, so the vector indexes catch up by id. (The sqlite-vec
-- index lives in its own file next to the archive, <archive>-vec: see store/vector_index.py.)
CREATE TABLE paper_embeddings (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    paper_id  INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    model     TEXT    NOT NULL,
    vector_id INTEGER NOT NULL REFERENCES embedding_vectors (id),
    UNIQUE (paper_id, model)
);
-- Catching up by id, and the newest id, per model.
CREATE INDEX paper_embeddings_by_model ON paper_embeddings (model, id);

-- Each digest paper's relevance score and its breakdown (JSON), per listing date.
CREATE TABLE paper_scores (
    listing_date TEXT NOT NULL,
    arxiv_id     TEXT NOT NULL,
    total        REAL NOT NULL,
    breakdown    TEXT NOT NULL,
    PRIMARY KEY (listing_date, arxiv_id)
);
