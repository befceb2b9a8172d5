"""``paperfeed translate``: (re)translate stored papers."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from paperfeed import config
from paperfeed.app.cli.common import (
    config_option,
    err,
    load_settings,
    out,
    parse_date,
    progress_bars,
)
from paperfeed.core.errors import UsageError
from paperfeed.core.wording import counted


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM-DD",
    help="Translate the papers of this digest (default: the latest digest, or the IDs given).",
)
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(config.ENGINE_NAMES),
    help="Engine to use instead of [translate] engine.",
)
@click.option("--force", is_flag=True, help="Ask the engine again even for cached translations.")
@config_option
def translate(
    ids: tuple[str, ...],
    date_text: str | None,
    engine_name: str | None,
    force: bool,
    config_path: str | None,
) -> None:
    """(Re)translate stored papers and update the digests that list them."""
    from dataclasses import replace

    from paperfeed.app.wiring import engine_choice, make_engine, open_store
    from paperfeed.stages.translate.retranslate import retranslate

    settings = load_settings(config_path)
    if ids and date_text:
        raise UsageError("give either --date or paper ids, not both")
    if engine_name:
        settings = replace(settings, translate=replace(settings.translate, engine=engine_name))
    name, hint = engine_choice(settings)
    if name == "none":
        raise UsageError(
            "no translation engine to translate with",
            hint=hint or "choose --engine openai or local",
        )
    engine = make_engine(settings)
    with open_store(settings) as store, progress_bars() as bars:

        def on_start(total: int) -> Callable[[int], None]:
            return bars.start("translate", total)

        result = retranslate(
            settings,
            store,
            engine,
            listing_date=parse_date(date_text),
            ids=ids,
            force=force,
            on_start=on_start,
        )
        bars.finish("translate")
    run = result.run
    out.print(
        f"{counted(len(result.papers), 'paper')} ({engine.name}): {counted(run.translated, 'text')} translated, "
        f"{run.cached} from the cache",
        markup=False,
    )
    if run.usage.requests:
        out.print(
            f"  {run.usage.total_tokens} tokens ({run.usage.prompt_tokens} prompt + "
            f"{run.usage.completion_tokens} completion) in {run.usage.requests} requests",
            markup=False,
        )
    for day in result.digests:
        out.print(f"  updated the digest of {day}", markup=False)
    for path in result.files:
        out.print(f"  wrote {path}", markup=False)
    if run.deferred:
        out.print(
            f"  token budget reached: {len(run.deferred)} papers left in English", markup=False
        )
    for pid in run.failed:
        err.print(f"  failed: {pid}: not translated", markup=False)
    if run.error:
        err.print(f"  failed: translation stopped: {run.error}", markup=False)
    if run.failed or run.error:
        sys.exit(1)
