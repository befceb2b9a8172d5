"""The web app (``paperfeed serve``): today's digest, the archive by date, paper pages, search,
trending, a reading list and a JSON API, in English and Chinese, from your own archive."""

from paperfeed.app.web.application import create_app
from paperfeed.app.web.state import WebOptions

__all__ = ["WebOptions", "create_app"]
