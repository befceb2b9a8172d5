"""``python -m paperfeed``: the same as the ``paperfeed`` command."""

from paperfeed.cli import main

main()
