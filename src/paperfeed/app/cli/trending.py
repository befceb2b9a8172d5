"""``paperfeed trending``: what the community reads."""

from __future__ import annotations

import sys

import click

from paperfeed.app.cli.common import config_option, err, load_settings, out, parse_date, utc_now
from paperfeed.core.errors import UsageError


@click.command()
@click.option(
    "--window",
    type=click.Choice(["day", "week", "month"]),
    default="week",
    show_default=True,
    help="Rank the papers featured on this day, or in the 7 or 30 days ending with it.",
)
@click.option(
    "--topic", metavar="T", help="Only papers matching T: a configured topic's name, or a query."
)
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM-DD",
    help="Last day of the window (default: today, UTC).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--refresh", is_flag=True, help="Fetch the window from Hugging Face first.")
@click.option(
    "--translate",
    "translate_shown",
    is_flag=True,
    help="Translate the shown papers that lack Chinese text with the configured engine.",
)
@config_option
def trending(
    window: str,
    topic: str | None,
    date_text: str | None,
    fmt: str,
    limit: int,
    refresh: bool,
    translate_shown: bool,
    config_path: str | None,
) -> None:
    """Community trending papers: Hugging Face Daily Papers by upvotes, with Chinese titles."""
    import json

    from paperfeed.app.wiring import engine_choice, make_engine, open_store, refresh_community
    from paperfeed.core.signals import TrendingPaper
    from paperfeed.publish.trending import trending_json, trending_text
    from paperfeed.stages import signals as community

    settings = load_settings(config_path)
    end = parse_date(date_text) or utc_now().date()
    # A configured topic's name means its whole definition; anything else is a query.
    chosen = next((t for t in settings.topics if t.name == topic), None) if topic else None
    failures: tuple[str, ...] = ()
    # Only a refresh or a translation writes; listing what is stored works on a read-only copy.
    with open_store(settings, read_only=not (refresh or translate_shown)) as store:
        if refresh:
            if not settings.huggingface.enabled:
                raise UsageError(
                    "community signals are turned off ([huggingface] enabled = false)",
                    hint="set enabled = true in paperfeed.toml to fetch from Hugging Face",
                )
            result = refresh_community(settings, store, window, end, now=utc_now)
            err.print(f"refreshed: {result.detail}", markup=False, soft_wrap=True)
            failures = result.failures

        def ranked() -> tuple[TrendingPaper, ...]:
            return store.community_trending(
                window=window, end_date=end, topic=chosen or topic, limit=limit
            )

        papers = ranked()
        if translate_shown and papers:
            name, hint = engine_choice(settings)
            if name == "none":
                raise UsageError("no translation engine to translate with", hint=hint)
            if community.translate_shown(store, make_engine(settings), papers) is not None:
                papers = ranked()
    if fmt == "json":
        document = trending_json(papers, window=window, end_date=end, topic=topic)
        out.print(json.dumps(document, ensure_ascii=False, indent=2), markup=False)
    elif papers:
        text = trending_text(papers, window=window, end_date=end, topic=topic)
        out.print(text, markup=False, end="")
    else:
        span = f"{end}" if window == "day" else f"the {window} ending {end}"
        matching = f" matching {topic!r}" if topic else ""
        hint = "" if refresh else " (add --refresh to fetch them from Hugging Face)"
        out.print(f"no Hugging Face Daily Papers{matching} stored for {span}{hint}", markup=False)
    for failure in failures:
        err.print(f"failed: {failure}", markup=False, soft_wrap=True)
    if failures:
        sys.exit(1)
