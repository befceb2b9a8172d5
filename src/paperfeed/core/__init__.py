"""The pure core: records, errors, the arXiv calendar, the taxonomy, scores, topics. No I/O."""
