"""``paperfeed serve``: the web app."""

from __future__ import annotations

import os

import click

from paperfeed.app.cli.common import config_option, err, load_settings, out


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any but loopback: starring and upvoting need PAPERFEED_WEB_TOKEN.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Server processes."
)
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@config_option
def serve(host: str, port: int, workers: int, access_log: bool, config_path: str | None) -> None:
    """Serve the archive as a website with a JSON API: today's digest, search, trending, stars."""
    from paperfeed.app.daemon_status import STATUS_FILE
    from paperfeed.app.web import WebOptions
    from paperfeed.app.web.security import is_loopback
    from paperfeed.app.web.server import TOKEN_VARIABLE, serve_forever

    settings = load_settings(config_path)
    token = os.environ.get(TOKEN_VARIABLE) or None
    options = WebOptions(
        database=settings.database_path,
        calendar=settings.calendar(),
        bind_host=host,
        write_token=token,
        status_path=settings.home / STATUS_FILE,
    )
    shown = f"[{host}]" if ":" in host else host
    out.print(
        f"paperfeed: serving {settings.database_path} on http://{shown}:{port}/", markup=False
    )
    if not is_loopback(host):
        if token is None:
            err.print(
                f"warning: {host} is reachable from other machines and {TOKEN_VARIABLE} is not "
                "set: the site is read-only (no stars, no upvotes)",
                markup=False,
            )
        else:
            out.print(
                f"  writes need the token from {TOKEN_VARIABLE} (log in at /login)", markup=False
            )
    serve_forever(options, port=port, workers=workers, access_log=access_log)
