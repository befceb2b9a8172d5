"""The command line: a thin shell over the pipeline and the archive, one module per command
group (``main`` registers them; ``common`` holds what they share). The only code that prints.
"""

from paperfeed.app.cli.main import main

__all__ = ["main"]
