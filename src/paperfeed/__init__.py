"""paperfeed: a self-hosted daily arXiv radar with Chinese translations."""

__version__ = "0.1.0"
