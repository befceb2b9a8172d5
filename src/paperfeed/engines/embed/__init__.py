"""Sentence-embedding models (the relevance extra): one protocol, several backends."""
