"""``paperfeed related`` and ``paperfeed profile``: thin Click shells over the relevance package.

Registered on the main group by ``paperfeed.app.cli.main``. Heavy libraries load inside the
commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from paperfeed import config
from paperfeed.app.cli.common import config_option, err, load_settings, out, progress_bars
from paperfeed.config.relevance import EXTRA_HINT, extra_available
from paperfeed.core.errors import UsageError
from paperfeed.core.records import Paper


def _require_extra() -> None:
    if not extra_available():
        raise UsageError("the relevance extra is not installed", hint=EXTRA_HINT)


def _config_dir(settings: config.Settings) -> Path | None:
    return settings.config_path.parent if settings.config_path else None


@click.command()
@click.argument("arxiv_id", metavar="ID")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option(
    "--index",
    type=click.Choice(["auto", "sqlite-vec", "numpy"]),
    default="auto",
    show_default=True,
    help="Vector search: sqlite-vec (large archives) or exact numpy; auto picks by size.",
)
@click.option("--no-embed", is_flag=True, help="Use only stored embeddings; load no model.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON lines.")
@config_option
def related(
    arxiv_id: str,
    limit: int,
    index: str,
    no_embed: bool,
    as_json: bool,
    config_path: str | None,
) -> None:
    """Papers in the archive most similar to paper ID (by title + abstract embeddings).

    Archived papers without an embedding are embedded first (once; it takes a while the first
    time on a large archive), unless --no-embed.
    """
    _require_extra()
    from paperfeed.app.wiring import open_store
    from paperfeed.engines.embed.embedder import make_embedder, resolve_model
    from paperfeed.importing.profiles import arxiv_id_in
    from paperfeed.stages.relevance.related import embed_archive, related_papers

    settings = load_settings(config_path)
    wanted = arxiv_id_in(arxiv_id) or arxiv_id
    with open_store(settings) as store:
        if store.paper(wanted) is None:
            raise UsageError(
                f"paper {wanted} is not in the archive",
                hint="related papers are searched among archived papers; "
                "`paperfeed search` finds ids",
            )
        # The model's name is known from its files; the model itself (seconds to load) only
        # when there is something to embed: an archive already embedded answers at once.
        model = resolve_model(settings.relevance.model, _config_dir(settings)).name
        embedder = None
        pending = store.papers_without_embedding(model, limit=1)
        if not no_embed and (pending or store.latest_paper_vector(model, wanted) is None):
            embedder = make_embedder(
                settings.relevance,
                cache_dir=settings.home / "models",
                config_dir=_config_dir(settings),
            )
            model = embedder.model_name
            with progress_bars() as bars:

                def on_start(total: int) -> Callable[[int], None]:
                    return bars.start("embed", total)

                report = embed_archive(store, embedder, on_start=on_start)
                bars.finish("embed")
            if report.embedded:
                err.print(f"embedded {report.embedded} archived papers", markup=False)
        found = related_papers(store, wanted, limit, model=model, embedder=embedder, index=index)
    if not found:
        out.print(
            f"no related papers for {wanted}: nothing else in the archive is embedded yet",
            markup=False,
        )
        return
    for neighbour in found:
        paper = neighbour.paper
        if as_json:
            out.print(
                json.dumps(
                    {
                        "id": paper.arxiv_id,
                        "version": paper.version,
                        "similarity": round(neighbour.similarity, 4),
                        "title": paper.title,
                        "url": paper.abs_url,
                    },
                    ensure_ascii=False,
                ),
                markup=False,
            )
        else:
            out.print(f"{neighbour.similarity:.3f}  {paper.arxiv_id}  {paper.title}", markup=False)


@click.group()
def profile() -> None:
    """Your interest profile: web-app stars and the [relevance] profile files."""


@profile.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print entries as JSON lines.")
@config_option
def profile_show(as_json: bool, config_path: str | None) -> None:
    """List the profile's papers and where each came from (loads no model)."""
    from paperfeed.app.wiring import open_store
    from paperfeed.stages.relevance.profile import gather_sources

    settings = load_settings(config_path)
    options = settings.relevance
    with open_store(settings) as store:
        sources = gather_sources(store, options.profile, stars=options.stars)
        archived = {e.arxiv_id for e in sources.entries if e.arxiv_id and store.paper(e.arxiv_id)}
    for entry in sources.entries:
        state = "archived" if entry.arxiv_id in archived else ("text" if entry.title else "missing")
        if as_json:
            out.print(
                json.dumps(
                    {
                        "id": entry.arxiv_id,
                        "title": entry.title,
                        "source": entry.source,
                        "state": state,
                    },
                    ensure_ascii=False,
                ),
                markup=False,
            )
        else:
            out.print(f"{state:<8} {entry.source:<16} {entry.label}", markup=False)
    for problem in sources.problems:
        err.print(f"problem: {problem}", markup=False)
    if not as_json:
        missing = sum(1 for e in sources.entries if e.arxiv_id not in archived and not e.title)
        out.print(
            f"{len(sources.entries)} papers ({len(archived)} in the archive, {missing} missing)"
            + ("; `paperfeed profile build --fetch` fetches the missing ones" if missing else ""),
            markup=False,
        )
        if options.authors:
            out.print(f"followed authors: {', '.join(options.authors)}", markup=False)
        if not options.enabled:
            out.print(
                "note: scores are off; set [relevance] enabled = true to score digests",
                markup=False,
            )


@profile.command("build")
@click.option(
    "--fetch", is_flag=True, help="Fetch from the arXiv API the papers the archive lacks."
)
@config_option
def profile_build(fetch: bool, config_path: str | None) -> None:
    """Embed the profile's papers now (the run does it too), fetching missing ones if asked."""
    _require_extra()
    from paperfeed.app.wiring import open_store
    from paperfeed.engines.embed.embedder import make_embedder
    from paperfeed.stages.relevance.profile import build_profile, gather_sources

    settings = load_settings(config_path)
    options = settings.relevance
    with open_store(settings) as store:
        sources = gather_sources(store, options.profile, stars=options.stars)
        if fetch:
            lacking = [
                e.arxiv_id
                for e in sources.entries
                if e.arxiv_id and store.paper(e.arxiv_id) is None
            ]
            if lacking:
                fetched = _fetch_papers(settings, lacking)
                with store.transaction():
                    for paper in fetched:
                        store.upsert_paper(paper, "api")
                out.print(
                    f"fetched {len(fetched)} of {len(lacking)} papers from arXiv", markup=False
                )
        embedder = make_embedder(
            options, cache_dir=settings.home / "models", config_dir=_config_dir(settings)
        )
        built = build_profile(store, embedder, sources)
    out.print(
        f"profile: {len(built.refs)} papers embedded with {built.model} ({embedder.backend})",
        markup=False,
    )
    for entry in built.missing:
        err.print(f"missing: {entry.label} (not in the archive, no text)", markup=False)
    for problem in built.problems:
        err.print(f"problem: {problem}", markup=False)


def _fetch_papers(settings: config.Settings, ids: list[str]) -> tuple[Paper, ...]:
    from paperfeed.app.wiring import polite_interval
    from paperfeed.sources.arxiv_api import ArxivApiClient
    from paperfeed.sources.http import MIB, PoliteClient, make_http_client, user_agent

    client = make_http_client(user_agent(settings.arxiv.contact_email), settings.arxiv.timeout)
    with client:
        http = PoliteClient(
            client,
            min_interval=polite_interval(settings),
            retries=settings.arxiv.retries,
            max_response_bytes=settings.arxiv.max_response_mb * MIB,
        )
        return ArxivApiClient(http, settings.arxiv.api_url).fetch_ids(ids)
