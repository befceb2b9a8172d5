"""The openai engine against a loopback OpenAI-compatible server: the happy path and every
failure mode a real endpoint shows (429 with Retry-After, 5xx, timeouts, malformed and truncated
JSON, reasoning, code fences, replies for the wrong item, refused keys, token budgets)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openai
import pytest
from werkzeug import Request, Response

from paperfeed.archive import open_archive
from paperfeed.config import load_settings
from paperfeed.core.errors import TranslateError
from paperfeed.core.records import Paper
from paperfeed.engines.translate import Segment
from paperfeed.engines.translate.glossary import Glossary
from paperfeed.engines.translate.openai_engine import OpenAIEngine
from paperfeed.stages.translate.service import translate_papers
from tests.support.chat_server import (
    ChatEndpoint,
    FakeTranslator,
    ScriptedChat,
    Step,
    chat_response,
    error_response,
)

TITLES = [
    Segment("title", "Diffusion Policy Distillation for GRPO Agents"),
    Segment("title", "Off-Policy Evaluation with Qwen2.5-7B"),
    Segment("title", "Reward Models Learn Interpretable Experts"),
]
ABSTRACT = Segment(
    "abstract",
    "We propose a diffusion policy trained with reinforcement learning. On 12 tasks it improves "
    "the success rate by 3.5% over PPO, and the value function converges as $O(1/\\sqrt{T})$.",
)


# What the fake translator makes of TITLES[0] and TITLES[1]: glossary terms in the glossary's
# Chinese, names restored from their placeholders, other words as two fixed characters.
T0 = "扩散策略蒸馏向经GRPO智能体"
T1 = "异策略评估化之Qwen2.5-7B"


def sent_items(request: dict[str, Any]) -> list[dict[str, str]]:
    user = request["messages"][1]["content"]
    items: list[dict[str, str]] = json.loads(user[user.index("\n[") + 1 :])
    return items


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def engine_for(
    base_url: str, sleeps: Sleeps, *, retries: int = 4, timeout: float = 10.0, **kwargs: int
) -> OpenAIEngine:
    client = openai.OpenAI(base_url=base_url, api_key="test-key", timeout=timeout, max_retries=0)
    return OpenAIEngine(
        client,
        "fake-model",
        glossary=Glossary.load(),
        retries=retries,
        sleep=sleeps,
        clock=lambda: datetime(2026, 6, 4, 12, 0, tzinfo=UTC),
        **kwargs,
    )


@pytest.fixture(scope="module")
def endpoint() -> Iterator[ChatEndpoint]:
    server = ChatEndpoint().start()
    yield server
    server.stop()


@pytest.fixture
def translator() -> FakeTranslator:
    return FakeTranslator()


@contextmanager
def serving(endpoint: ChatEndpoint, handler: Callable[[Request], Response]) -> Iterator[str]:
    endpoint.handler = handler
    yield endpoint.url


def serve_script(
    endpoint: ChatEndpoint, translator: FakeTranslator, *script: Step
) -> tuple[ScriptedChat, AbstractContextManager[str]]:
    scripted = ScriptedChat(translator, list(script))
    return scripted, serving(endpoint, scripted)


def test_titles_share_requests_abstracts_go_alone(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    with serving(endpoint, translator) as url:
        engine = engine_for(url, sleeps, titles_per_request=2)
        out = engine.translate([*TITLES, ABSTRACT])
    assert len(translator.requests) == 3  # 2 + 1 titles, 1 abstract
    sizes = sorted(len(sent_items(r)) for r in translator.requests)
    assert sizes == [1, 1, 2]
    assert all(t is not None for t in out)
    assert out[0] == T0  # glossary terms used, names restored
    assert "Qwen2.5-7B" in (out[1] or "") and "异策略评估" in (out[1] or "")
    abstract = out[3] or ""
    assert "$O(1/\\sqrt{T})$" in abstract and "3.5%" in abstract and "PPO" in abstract
    assert "强化学习" in abstract and "价值函数" in abstract
    assert sleeps == []
    assert engine.usage.requests == 3 and engine.usage.total_tokens == 450


def test_prompt_lists_the_items_glossary_terms_and_explains_placeholders(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    with serving(endpoint, translator) as url:
        engine_for(url, sleeps).translate([ABSTRACT])
    (request,) = translator.requests
    system, user = (m["content"] for m in request["messages"])
    assert "[[M0]]" in system and "glossary" in system.lower()
    assert "diffusion policy → 扩散策略" in user
    assert "reinforcement learning → 强化学习" in user
    assert "policy gradient" not in user  # only terms the item contains
    items = sent_items(request)
    assert "[[M" in items[0]["en"] and "PPO" not in items[0]["en"]
    assert request["model"] == "fake-model" and request["max_tokens"] > 300


def test_requests_run_concurrently(endpoint: ChatEndpoint, sleeps: Sleeps) -> None:
    """Eight abstracts, each answered only when all eight are in flight at once."""
    barrier = threading.Barrier(8, timeout=5)
    translator = FakeTranslator()

    def wait_for_all(request: Request) -> Response:
        barrier.wait()
        return translator(request)

    with serving(endpoint, wait_for_all) as url:
        out = engine_for(url, sleeps, concurrency=8).translate([ABSTRACT] * 8)
    assert all(out) and sleeps == []  # a broken barrier would have failed and been retried


def test_429_waits_as_retry_after_says(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    scripted, server = serve_script(
        endpoint,
        translator,
        error_response(429, {"Retry-After": "7"}),
        error_response(429, {"Retry-After": "Thu, 04 Jun 2026 12:00:03 GMT"}),
    )
    with server as url:
        out = engine_for(url, sleeps).translate([ABSTRACT])
    assert out[0] is not None
    assert sleeps == [7.0, 3.0]
    assert len(scripted.seen) == 3


def test_5xx_and_timeouts_back_off_then_give_up_on_the_item(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    def slow(request: Request) -> Response:
        threading.Event().wait(0.5)  # longer than the client's timeout
        return translator(request)

    _, server = serve_script(endpoint, translator, error_response(500), slow, error_response(503))
    with server as url:
        out = engine_for(url, sleeps, timeout=0.2).translate([ABSTRACT])
    assert out[0] is not None
    assert sleeps == [1.0, 2.0, 4.0]

    sleeps.clear()
    _, server = serve_script(endpoint, translator, *[error_response(502)] * 3)
    with server as url:
        out = engine_for(url, sleeps, retries=2).translate([ABSTRACT])
    assert out == [None]  # English kept; the next run tries again
    assert sleeps == [1.0, 2.0]


def test_reasoning_and_code_fences_are_stripped(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    def thinking(request: Request) -> Response:
        answer = translator.reply(request)
        return chat_response(
            f'<think>The user wants Chinese. {{"id": "9"}}</think>\n```json\n{answer}\n```'
        )

    scripted, server = serve_script(endpoint, translator, thinking)
    with server as url:
        out = engine_for(url, sleeps).translate(TITLES[:2])
    assert out == [T0, T1]
    assert len(scripted.seen) == 1


def test_truncated_json_keeps_complete_items_and_asks_again_for_the_rest(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    def truncated(request: Request) -> Response:
        full = translator.reply(request)
        return chat_response(full[: full.rindex('"zh"') + 9])  # cut inside the last item

    scripted, server = serve_script(endpoint, translator, truncated)
    with server as url:
        out = engine_for(url, sleeps).translate(TITLES)
    assert all(out)
    assert len(scripted.seen) == 2  # the batch, then the cut-off item alone
    retry = json.loads(scripted.seen[1].get_data(as_text=True))
    assert "exactly one JSON object" in retry["messages"][0]["content"]
    assert retry["temperature"] == 0.0


def test_reasoning_cut_off_by_the_token_limit_gets_more_room(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    cut = chat_response("<think>Let me think about every word of this", finish_reason="length")
    scripted, server = serve_script(endpoint, translator, cut)
    with server as url:
        out = engine_for(url, sleeps).translate([ABSTRACT])
    assert out[0] is not None
    first, retry = (json.loads(r.get_data(as_text=True)) for r in scripted.seen)
    assert retry["max_tokens"] == 4 * first["max_tokens"]


def test_a_reply_for_the_wrong_item_is_not_used(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    wrong = chat_response(
        json.dumps({"translations": [{"id": "2", "zh": "别的论文的标题"}]}, ensure_ascii=False)
    )
    scripted, server = serve_script(endpoint, translator, wrong)
    with server as url:
        out = engine_for(url, sleeps).translate([TITLES[0]])
    assert out == [T0]  # from the strict retry, not the wrong answer
    assert len(scripted.seen) == 2


def test_output_failing_the_checks_twice_leaves_english(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    def echo(request: Request) -> Response:
        body = json.loads(request.get_data(as_text=True))
        return chat_response(body["messages"][1]["content"])  # the prompt back: no Chinese

    scripted, server = serve_script(endpoint, translator, echo, echo)
    with server as url:
        out = engine_for(url, sleeps).translate([ABSTRACT])
    assert out == [None]
    assert len(scripted.seen) == 2


def test_malformed_json_then_plain_text_retry_is_accepted(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    malformed = chat_response('{"translations": [{"id": "1" "zh": "坏"}]}')
    plain = chat_response("扩散策略蒸馏用于[[M0]]智能体")
    _, server = serve_script(endpoint, translator, malformed, plain)
    with server as url:
        out = engine_for(url, sleeps).translate([TITLES[0]])
    assert out == ["扩散策略蒸馏用于GRPO智能体"]


def test_a_refused_key_stops_the_run(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    _, server = serve_script(endpoint, translator, error_response(401))
    with server as url, pytest.raises(TranslateError, match=r"refused the key \(401\)") as caught:
        engine_for(url, sleeps).translate([ABSTRACT])
    assert "PAPERFEED_LLM_API_KEY" in caught.value.hint


def test_a_retry_after_beyond_two_minutes_stops_the_run(
    endpoint: ChatEndpoint, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    _, server = serve_script(endpoint, translator, error_response(429, {"Retry-After": "3600"}))
    with server as url, pytest.raises(TranslateError, match="asks to wait 3600 s"):
        engine_for(url, sleeps).translate([ABSTRACT])
    assert sleeps == []


def test_an_unreachable_endpoint_stops_the_run(sleeps: Sleeps) -> None:
    with socket.socket() as probe:  # a port nobody listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    with pytest.raises(TranslateError, match="cannot reach the endpoint"):
        engine_for(url, sleeps, retries=1).translate([ABSTRACT])
    assert sleeps == [1.0]


def paper(number: int) -> Paper:
    return Paper(
        arxiv_id=f"2606.{number:05d}",
        version=1,
        title=f"Diffusion Policy Number {number} for Agents",
        authors=("A. Author",),
        abstract=f"We study reward models for agents in environment {number} with PPO.",
        categories=("cs.LG",),
    )


def test_token_budget_leaves_the_rest_for_the_next_run(
    endpoint: ChatEndpoint, tmp_path: Path, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    papers = [paper(n) for n in range(1, 7)]
    with open_archive(tmp_path / "a.db") as store, serving(endpoint, translator) as url:
        engine = engine_for(url, sleeps, concurrency=1)
        first = translate_papers(papers, engine, store, batch_size=2, token_budget=300)
        # each request reports 150 tokens: the first batch (a title request and an abstract
        # request) spends 300, so nothing more is sent
        assert first.usage.total_tokens == 300 and first.usage.requests == 2
        assert first.deferred == tuple(p.versioned_id for p in papers[1:])
        assert first.failed == () and first.budget_exhausted
        assert first.translations[papers[0].versioned_id].complete

        second = translate_papers(papers, engine, store, batch_size=4, token_budget=0)
        assert second.cached == 2 and second.deferred == () and second.failed == ()
        assert all(t.complete for t in second.translations.values())


def test_a_refused_key_is_recorded_and_the_papers_stay_english(
    endpoint: ChatEndpoint, tmp_path: Path, translator: FakeTranslator, sleeps: Sleeps
) -> None:
    _, server = serve_script(endpoint, translator, error_response(403))
    with open_archive(tmp_path / "a.db") as store, server as url:
        run = translate_papers([paper(1), paper(2)], engine_for(url, sleeps), store)
    assert "refused the key (403)" in run.error
    assert run.failed == ("2606.00001v1", "2606.00002v1") and run.deferred == ()


def test_from_settings_reads_the_endpoint_model_and_key_from_the_environment(
    tmp_path: Path,
) -> None:
    config = tmp_path / "paperfeed.toml"
    config.write_text(
        '[translate]\nbase_url = "http://127.0.0.1:9/v1"\nconcurrency = 3\n', encoding="utf-8"
    )
    env = {
        "PAPERFEED_HOME": str(tmp_path),
        "PAPERFEED_LLM_MODEL": "deepseek-chat",
        "PAPERFEED_LLM_API_KEY": "sk-secret",
        "PAPERFEED_LLM_BASE_URL": "http://127.0.0.1:8/v1",
    }
    settings = load_settings(config, env)
    assert "sk-secret" not in repr(settings)
    engine = OpenAIEngine.from_settings(settings)
    assert engine.model == "deepseek-chat" and engine.concurrency == 3
    assert str(engine.client.base_url).startswith("http://127.0.0.1:8/v1")
    assert engine.client.api_key == "sk-secret" and engine.client.max_retries == 0
    assert engine.prompt_version.startswith("oa1+")
