"""``python -m paperfeed``: the same as the ``paperfeed`` command."""

from paperfeed.app.cli import main

main()
