"""Upstream sources: arXiv's RSS feeds and API, fetched through one polite HTTP layer.

``http`` spaces, retries and revalidates requests; ``arxiv_rss`` reads the daily listing;
``arxiv_api`` fetches papers by id, search or submission window (back-fill). Parsers are
pure functions of the response bytes; only these modules know the upstream formats.
"""
