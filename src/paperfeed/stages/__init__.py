"""The day's stages, one module or package each: fetch, select, relevance, translate,
digest, write, deliver, signals."""
