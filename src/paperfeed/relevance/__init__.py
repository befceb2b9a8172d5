"""Relevance: sentence embeddings of papers, the reader's interest profile, scores with a
breakdown, and related papers (``pip install 'paperfeed[relevance]'``).

Importing this package is cheap: the model libraries (sentence-transformers, ONNX Runtime,
sqlite-vec) are imported only by the modules that run them, when they run.

    embedder.py      Embedder protocol; sentence-transformers and ONNX Runtime backends
    onnx_export.py   one-time local export of a sentence-transformers model to ONNX
    vectors.py       embed what the archive lacks (text-hash cache), nearest papers
    vector_index.py  sqlite-vec (binary codes, exact re-ranking) and brute-force numpy search
    profile_sources.py  BibTeX, CSL JSON (Zotero) and arXiv-id list parsers
    profile.py       the profile: stars + files, embedded
    scoring.py       score and breakdown (pure)
    stage.py         the pipeline's relevance stage
    related.py       related papers of one paper
"""
