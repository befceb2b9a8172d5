"""A paperfeed home and config pointed at loopback servers, driven through the real CLI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from click.testing import CliRunner, Result

from paperfeed.app.cli import main


def write_config(
    folder: Path,
    base_url: str,
    feeds: Sequence[str],
    extra: str = "",
    engine: str = "none",
    hf_url: str | None = None,
) -> Path:
    path = folder / "paperfeed.toml"
    cats = ", ".join(f'"{f}"' for f in feeds)
    # Community signals are off unless a test serves Hugging Face on loopback (``hf_url``):
    # a run must never reach huggingface.co from the tests (subprocess runs have no socket guard).
    # [translate] stays the last table: tests append keys to it.
    hf = (
        f'[huggingface]\nbase_url = "{hf_url}"\nmin_interval = 0\nretries = 0\n'
        if hf_url
        else "[huggingface]\nenabled = false\n"
    )
    # The engine is pinned: these tests are about the pipeline, and "auto" would pick the local
    # model wherever llama-cpp-python is installed.
    path.write_text(
        f'timezone = "Asia/Shanghai"\n{extra}\n[arxiv]\nrss_url = "{base_url}/rss"\n'
        f'api_url = "{base_url}/api/query"\ncategories = [{cats}]\nmin_interval = 0\nretries = 1\n'
        f'contact_email = "tests@example.org"\n{hf}[translate]\nengine = "{engine}"\n',
        encoding="utf-8",
    )
    return path


class Site:
    """One synthetic listing served on loopback, and a paperfeed home to run against it."""

    def __init__(self, home: Path, config: Path) -> None:
        self.home = home
        self.config = config
        self.env = {"PAPERFEED_HOME": str(home), "PAPERFEED_CONFIG": str(config)}

    def cli(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)

    def digest_file(self, day: date, kind: str = "digest", suffix: str = "txt") -> Path:
        return self.home / "digests" / f"{kind}-{day}.{suffix}"
