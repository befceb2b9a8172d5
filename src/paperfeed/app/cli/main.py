"""The ``paperfeed`` command: the group, and every command registered on it.

Exit codes: 0 done (also "no arXiv listing today"), 1 a stage failed, 2 usage or input error.
"""

from __future__ import annotations

import logging
import sys

import click

from paperfeed import __version__
from paperfeed.app.cli.archive import digest, import_, runs, search
from paperfeed.app.cli.common import PaperfeedGroup
from paperfeed.app.cli.daily import daemon, demo, init, run
from paperfeed.app.cli.deliver import deliver, site
from paperfeed.app.cli.relevance import profile, related
from paperfeed.app.cli.serve import serve
from paperfeed.app.cli.translate import translate
from paperfeed.app.cli.trending import trending


@click.group(cls=PaperfeedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperfeed")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """paperfeed: a daily arXiv radar with Chinese translations, from your own machine."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # httpx logs every request's full URL at INFO; a chat webhook's URL (Slack, WeCom, Discord)
    # or path (ServerChan's SendKey, a Telegram bot token) is its secret. paperfeed's own
    # sources log the requests that matter, without secrets.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


main.add_command(init)
main.add_command(run)
main.add_command(demo)
main.add_command(daemon)
main.add_command(digest)
main.add_command(import_)
main.add_command(search)
main.add_command(runs)
main.add_command(translate)
main.add_command(deliver)
main.add_command(site)
main.add_command(serve)
main.add_command(trending)
main.add_command(related)
main.add_command(profile)
