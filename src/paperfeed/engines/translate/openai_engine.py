"""The ``openai`` engine: any OpenAI-compatible chat endpoint (DeepSeek, Qwen/DashScope,
SiliconFlow, vLLM, Ollama, a llama.cpp server), through the ``openai`` SDK.

One request carries several titles (they are short: the instructions cost more than the text)
or one abstract. Requests run concurrently on a thread pool; each is retried on 429, 5xx,
timeouts and dropped connections with exponential backoff that honours ``Retry-After``. The
SDK's own retries are switched off: they sleep with ``time.sleep``, which tests cannot replace,
and paperfeed must be able to give up on the whole run (a quota exhausted until tomorrow) rather
than on one request.

Every item is protected (math, names, numbers become ``[[M0]]`` placeholders), sent with the
glossary terms it contains, parsed with ``replies.parse_reply``, restored and checked with
``checks.check``. An item that fails is asked once more on its own with a stricter prompt; if
that fails too the engine returns ``None`` and the paper keeps its English, marked, for the next
run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import openai

from paperfeed.core.errors import TranslateError
from paperfeed.core.retry_after import parse_retry_after
from paperfeed.engines.translate.checks import check, cjk_ratio
from paperfeed.engines.translate.engine import Segment, SegmentKind, TokenUsage
from paperfeed.engines.translate.glossary import Glossary, GlossaryTerm, prompt_lines
from paperfeed.engines.translate.protect import (
    PLACEHOLDER_NOTE,
    Protected,
    leftover_placeholders,
    protect,
    restore,
)
from paperfeed.engines.translate.replies import parse_reply, request_items

if TYPE_CHECKING:
    from paperfeed.config import Settings

log = logging.getLogger(__name__)

# Bump when the prompts change: cached translations made with other prompts are not reused
# as this engine's own (they still serve as translation memory).
PROMPT_VERSION = "oa1"
FIRST_BACKOFF = 1.0  # seconds before the first retry, doubling each time
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 120.0  # a server asking for longer means a quota, not a blip: stop the run
TLDR_MAX_CHARS = 120

SYSTEM_PROMPT = f"""You translate the titles and abstracts of machine-learning research papers \
from English into Simplified Chinese for researchers who read Chinese.
- Translate faithfully and completely, in fluent Chinese academic style. Do not summarise, \
explain, or add anything.
- Render the terms listed in the glossary with the glossary's Chinese.
- {PLACEHOLDER_NOTE}
- A title stays one line, without a final full stop.
- Reply with JSON only, no commentary: {{"translations": [{{"id": "<id>", "zh": "<Chinese>"}}]}} \
with one entry for every input item, using the item's id."""

STRICT_PROMPT = f"""Translate the English text of the item into Simplified Chinese. \
Translate every sentence; keep nothing in English except placeholders. \
{PLACEHOLDER_NOTE} Use the glossary's Chinese for the terms it lists. \
Reply with exactly one JSON object and nothing else: {{"id": "<id>", "zh": "<Chinese>"}}"""

TLDR_PROMPT = """You write one-sentence Chinese TL;DRs of machine-learning papers. Given a \
paper's title and abstract, reply with JSON only: {"id": "<id>", "tldr": "<one Chinese sentence \
of at most 60 characters: what the paper does and what it finds>"}"""


@dataclass(frozen=True, slots=True)
class ChatResult:
    text: str
    finish_reason: str | None
    usage: TokenUsage


class _RequestFailed(Exception):
    """One request gave up after its retries; its items stay untranslated this run."""


def _terms_for(glossary: Glossary, texts: Sequence[str]) -> list[GlossaryTerm]:
    seen: dict[str, GlossaryTerm] = {}
    for text in texts:
        for term in glossary.terms_in(text):
            seen.setdefault(term.en.lower(), term)
    return list(seen.values())


def build_messages(
    kind: SegmentKind,
    protected: Sequence[Protected],
    terms: Sequence[GlossaryTerm],
    *,
    strict: bool,
) -> tuple[list[str], list[dict[str, str]]]:
    """The chat messages of one request, and the ids its items are sent under."""
    ids, payload = request_items([p.text for p in protected])
    glossary = prompt_lines(terms) if terms else "(no listed terms in these items)"
    noun = kind if len(ids) == 1 else f"{kind}s"
    user = (
        f"Glossary:\n{glossary}\n\n"
        f"Translate {'this' if len(ids) == 1 else f'these {len(ids)}'} paper {noun}:\n{payload}"
    )
    system = STRICT_PROMPT if strict else SYSTEM_PROMPT
    return ids, [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _max_tokens(kind: SegmentKind, texts: Sequence[str]) -> int:
    """Room for the answer: Chinese needs fewer tokens than the English characters it renders,
    plus the JSON around it. Generous, because a cut answer costs a whole retry."""
    if kind == "title":
        return 96 + sum(len(t) for t in texts)
    return 320 + sum(len(t) for t in texts)


class OpenAIEngine:
    """Translates through an OpenAI-compatible chat endpoint. Thread-safe usage counting; one
    instance serves one run."""

    name = "openai"

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        glossary: Glossary,
        concurrency: int = 8,
        retries: int = 4,
        titles_per_request: int = 8,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.model = model
        self.glossary = glossary
        self.concurrency = max(1, concurrency)
        self.retries = retries
        self.titles_per_request = max(1, titles_per_request)
        self.prompt_version = f"{PROMPT_VERSION}+{glossary.fingerprint}"
        # Segments per translate() call the service should send: enough to keep every worker
        # busy, few enough that a token budget is checked often.
        self.batch_size = 4 * self.concurrency
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._usage = TokenUsage()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, sleep: Callable[[float], None] = time.sleep
    ) -> OpenAIEngine:
        tr = settings.translate
        if not tr.base_url:
            raise TranslateError(
                "the openai engine has no endpoint",
                engine="openai",
                hint="set [translate] base_url or PAPERFEED_LLM_BASE_URL",
            )
        client = openai.OpenAI(
            base_url=tr.base_url,
            # Local servers (llama.cpp, Ollama, vLLM) need no key, but the SDK insists on one.
            api_key=tr.api_key or "not-needed",
            timeout=tr.timeout,
            max_retries=0,  # retried here, with an injectable sleep and a run-wide give-up
        )
        return cls(
            client,
            tr.model or "default",
            glossary=Glossary.load(tr.glossary),
            concurrency=tr.concurrency,
            retries=tr.retries,
            titles_per_request=tr.titles_per_request,
            sleep=sleep,
        )

    @property
    def calls_model(self) -> bool:
        return True

    @property
    def usage(self) -> TokenUsage:
        with self._lock:
            return self._usage

    # -- translating ------------------------------------------------------------------------

    def translate(self, segments: Sequence[Segment]) -> list[str | None]:
        """Chinese for each segment, ``None`` where the endpoint failed or the output did not
        pass the checks twice. Raises ``TranslateError`` when the endpoint refuses the whole run
        (bad key, unknown model, unreachable, quota exhausted)."""
        groups: list[list[int]] = []
        titles = [i for i, s in enumerate(segments) if s.kind == "title"]
        for start in range(0, len(titles), self.titles_per_request):
            groups.append(titles[start : start + self.titles_per_request])
        groups.extend([i] for i, s in enumerate(segments) if s.kind != "title")
        results: list[str | None] = [None] * len(segments)
        if not groups:
            return results
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(groups))) as pool:
            futures = [pool.submit(self._translate_group, [segments[i] for i in g]) for g in groups]
            try:
                for group, future in zip(groups, futures, strict=True):
                    for index, text in zip(group, future.result(), strict=True):
                        results[index] = text
            except TranslateError:
                for pending in futures:
                    pending.cancel()
                raise
        return results

    def _translate_group(self, group: Sequence[Segment]) -> list[str | None]:
        kind = group[0].kind
        protected = [protect(s.text) for s in group]
        terms = _terms_for(self.glossary, [s.text for s in group])
        ids, messages = build_messages(kind, protected, terms, strict=False)
        try:
            reply = self._chat(messages, max_tokens=_max_tokens(kind, [s.text for s in group]))
        except _RequestFailed as exc:
            log.warning("%d %ss left untranslated: %s", len(group), kind, exc)
            return [None] * len(group)
        parsed = parse_reply(reply.text, ids)
        # An answer cut off by the token limit (a long reasoning trace, a verbose model) gets its
        # retry with four times the room.
        room = 4 if reply.finish_reason == "length" else 1
        if parsed.problems:
            log.info("reply to %d %ss: %s", len(group), kind, "; ".join(parsed.problems))
        out: list[str | None] = []
        for item_id, segment, prot in zip(ids, group, protected, strict=True):
            text = parsed.items.get(item_id)
            if text is not None:
                restored = restore(text, prot)
                problems = check(segment.text, restored, segment.kind)
                if not problems:
                    out.append(restored)
                    continue
                log.info("%s failed the checks (%s); asking again", kind, "; ".join(problems))
            out.append(self._retry_strictly(segment, prot, room=room))
        return out

    def _retry_strictly(self, segment: Segment, prot: Protected, *, room: int = 1) -> str | None:
        """The second strategy: the item alone, a stricter prompt, deterministic sampling, and a
        plain-text answer accepted."""
        terms = _terms_for(self.glossary, [segment.text])
        ids, messages = build_messages(segment.kind, [prot], terms, strict=True)
        try:
            reply = self._chat(
                messages,
                max_tokens=room * _max_tokens(segment.kind, [segment.text]),
                temperature=0.0,
            )
        except _RequestFailed as exc:
            log.warning("%s left untranslated: %s", segment.kind, exc)
            return None
        parsed = parse_reply(reply.text, ids, allow_plain=True)
        text = parsed.items.get(ids[0])
        if text is None:
            log.warning(
                "%s left untranslated: %s", segment.kind, "; ".join(parsed.problems) or "no answer"
            )
            return None
        restored = restore(text, prot)
        problems = check(segment.text, restored, segment.kind)
        if problems:
            log.warning("%s left untranslated: %s", segment.kind, "; ".join(problems))
            return None
        return restored

    # -- TL;DR ------------------------------------------------------------------------------

    def summarize(self, papers: Sequence[tuple[str, str]]) -> list[str | None]:
        """A one-sentence Chinese TL;DR for each (title, abstract); ``None`` where it failed."""
        if not papers:
            return []
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(papers))) as pool:
            return list(pool.map(lambda p: self._summarize_one(*p), papers))

    def _summarize_one(self, title: str, abstract: str) -> str | None:
        messages = [
            {"role": "system", "content": TLDR_PROMPT},
            {
                "role": "user",
                "content": "Write the TL;DR of this paper:\n"
                + request_items([f"{title}\n\n{abstract}"])[1],
            },
        ]
        try:
            reply = self._chat(messages, max_tokens=256, temperature=0.2)
        except _RequestFailed as exc:
            log.warning("TL;DR left out: %s", exc)
            return None
        text = parse_reply(reply.text, ["1"], allow_plain=True).items.get("1")
        if text is None:
            return None
        text = " ".join(text.split())
        if not text or len(text) > TLDR_MAX_CHARS or leftover_placeholders(text, abstract):
            return None
        return text if cjk_ratio(text) >= 0.5 else None

    # -- one request, retried -----------------------------------------------------------------

    def _chat(
        self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.2
    ) -> ChatResult:
        attempt = 0
        while True:
            try:
                response = self.client.chat.completions.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    max_tokens=max_tokens,
                    temperature=temperature,
                )
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status in (401, 403):
                    raise TranslateError(
                        f"the endpoint refused the key ({status}): {_short(exc)}",
                        engine=self.name,
                        hint="set PAPERFEED_LLM_API_KEY to a valid key for this endpoint",
                    ) from None
                if status == 404:
                    raise TranslateError(
                        f"the endpoint does not know model {self.model!r} or the URL is wrong "
                        f"(404): {_short(exc)}",
                        engine=self.name,
                        hint="check [translate] base_url (usually ends in /v1) and model",
                    ) from None
                if status != 429 and status < 500:
                    raise _RequestFailed(f"HTTP {status}: {_short(exc)}") from None
                delay = self._delay(attempt, exc.response.headers.get("retry-after"))
                failure = f"HTTP {status}"
            except openai.APITimeoutError:
                delay, failure = self._delay(attempt, None), "timed out"
            except openai.APIConnectionError as exc:
                if attempt >= self.retries:
                    raise TranslateError(
                        f"cannot reach the endpoint: {exc}",
                        engine=self.name,
                        hint="check [translate] base_url and that the server is running",
                    ) from None
                delay, failure = self._delay(attempt, None), "connection failed"
            else:
                return self._record(response, messages)
            if attempt >= self.retries:
                raise _RequestFailed(f"{failure}, {self.retries} retries spent")
            attempt += 1
            log.info("request %s; retry %d of %d in %.1f s", failure, attempt, self.retries, delay)
            self._sleep(delay)

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            wait = parse_retry_after(retry_after, self._clock())
            if wait is not None:
                if wait > MAX_RETRY_AFTER:
                    raise TranslateError(
                        f"the endpoint asks to wait {wait:.0f} s before the next request "
                        "(a rate limit or an exhausted quota)",
                        engine=self.name,
                        hint="papers stay English this run and are translated on the next one; "
                        "lower [translate] concurrency or raise your quota",
                    )
                return wait
        return min(FIRST_BACKOFF * 2.0**attempt, MAX_BACKOFF)

    def _record(self, response: Any, messages: list[dict[str, str]]) -> ChatResult:
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        usage = getattr(response, "usage", None)
        if usage is not None and usage.prompt_tokens is not None:
            spent = TokenUsage(usage.prompt_tokens, usage.completion_tokens or 0, 1)
        else:  # endpoints that do not report usage: a rough estimate keeps budgets working
            prompt_chars = sum(len(m["content"]) for m in messages)
            spent = TokenUsage(prompt_chars // 3, len(text) // 2 + 1, 1)
        with self._lock:
            self._usage = self._usage + spent
        finish = choice.finish_reason if choice is not None else None
        if finish == "length":
            log.info("the answer hit the token limit; it may be cut off")
        return ChatResult(text=text, finish_reason=finish, usage=spent)


def _short(exc: openai.APIStatusError) -> str:
    message = str(exc.message or exc)
    return message if len(message) <= 200 else message[:197] + "..."
