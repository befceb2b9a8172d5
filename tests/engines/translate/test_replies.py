"""Parsing chat-model replies: reasoning, fences, several items, wrong items, truncation."""

from __future__ import annotations

import json

from paperfeed.engines.translate.replies import (
    parse_reply,
    request_items,
    strip_fences,
    strip_reasoning,
)

IDS = ["1", "2"]
GOOD = '{"translations": [{"id": "1", "zh": "甲"}, {"id": "2", "zh": "乙"}]}'


def test_plain_json_reply() -> None:
    reply = parse_reply(GOOD, IDS)
    assert dict(reply.items) == {"1": "甲", "2": "乙"}
    assert reply.complete and reply.problems == () and not reply.truncated


def test_reasoning_is_stripped_in_every_form() -> None:
    assert strip_reasoning("<think>a\nb</think>\n答案") == "答案"
    assert strip_reasoning("<THINKING>x</THINKING>答案") == "答案"
    assert strip_reasoning("reasoning, opening tag swallowed</think>答案") == "答案"
    assert strip_reasoning("<think>cut off by the token limit") == ""
    assert dict(parse_reply('<think>let me see {"id": "9"}</think>' + GOOD, IDS).items) == {
        "1": "甲",
        "2": "乙",
    }
    empty = parse_reply("<think>never finished", IDS)
    assert empty.missing == ("1", "2") and empty.problems == ("the reply is empty",)


def test_code_fences_and_prose_around_json() -> None:
    assert strip_fences("```json\n[1]\n```") == "[1]"
    assert strip_fences("```\n[1]") == "[1]"  # an unclosed fence
    fenced = "Sure! Here you go:\n```json\n" + GOOD + "\n```\nAnything else?"
    assert dict(parse_reply(fenced, IDS).items) == {"1": "甲", "2": "乙"}
    prose = "Result: " + GOOD + " hope this helps"
    assert dict(parse_reply(prose, IDS).items) == {"1": "甲", "2": "乙"}


def test_other_shapes_models_use() -> None:
    shapes = [
        '[{"id": 1, "zh": "甲"}, {"id": 2, "translation": "乙"}]',  # bare array, int ids
        '{"1": "甲", "2": "乙"}',  # ids as keys
        '{"id": "1", "zh": "甲"}\n{"id": "2", "zh": "乙"}',  # one object per line
        '{"items": [{"index": "1", "text": "甲"}, {"index": "2", "text": "乙"}]}',
    ]
    for shape in shapes:
        assert dict(parse_reply(shape, IDS).items) == {"1": "甲", "2": "乙"}, shape


def test_latex_backslashes_and_raw_line_breaks_inside_strings() -> None:
    reply = parse_reply('{"id": "1", "zh": "损失 \\alpha 与\n\\sum"}', ["1"])
    assert dict(reply.items) == {"1": "损失 \\alpha 与\n\\sum"}


def test_truncated_json_keeps_the_complete_items() -> None:
    reply = parse_reply('{"translations": [{"id": "1", "zh": "甲"}, {"id": "2", "zh": "乙未完', IDS)
    assert dict(reply.items) == {"1": "甲"}
    assert reply.missing == ("2",) and reply.truncated
    assert reply.problems == ("the reply's JSON stops part-way",)


def test_malformed_json_is_not_truncation() -> None:
    reply = parse_reply('{"translations": [{"id": "1", "zh": "甲"} {"id": "2" "zh": "乙"}]}', IDS)
    assert dict(reply.items) == {"1": "甲"}
    assert not reply.truncated and reply.problems[0].startswith("malformed JSON")


def test_a_reply_for_the_wrong_item_is_detected() -> None:
    reply = parse_reply('{"translations": [{"id": "3", "zh": "丙"}, {"id": "2", "zh": "乙"}]}', IDS)
    assert dict(reply.items) == {"2": "乙"}
    assert reply.unexpected == ("3",) and reply.missing == ("1",)
    assert "answers for items not asked for: 3" in reply.problems


def test_items_without_ids_cannot_be_matched_unless_plain_replies_are_allowed() -> None:
    anonymous = parse_reply('[{"zh": "甲"}, {"zh": "乙"}]', IDS)
    assert anonymous.items == {} and anonymous.missing == ("1", "2")
    assert "2 items without an id; they cannot be matched" in anonymous.problems
    assert dict(parse_reply('{"zh": "甲"}', ["1"], allow_plain=True).items) == {"1": "甲"}
    assert parse_reply('{"zh": "甲"}', ["1"]).missing == ("1",)


def test_plain_text_replies() -> None:
    assert dict(parse_reply("直接的译文", ["1"], allow_plain=True).items) == {"1": "直接的译文"}
    refused = parse_reply("直接的译文", ["1"])
    assert refused.missing == ("1",) and refused.problems == ("the reply has no JSON",)
    # with several items a plain answer cannot be split between them
    assert parse_reply("直接的译文", IDS, allow_plain=True).missing == ("1", "2")


def test_duplicates_and_non_string_text() -> None:
    reply = parse_reply(
        '[{"id": "1", "zh": "甲"}, {"id": "1", "zh": "丁"}, {"id": "2", "zh": 5}]', IDS
    )
    assert dict(reply.items) == {"1": "甲"} and reply.missing == ("2",)
    assert "item 1 answered twice; the first answer is kept" in reply.problems


def test_request_items_numbers_the_texts() -> None:
    ids, payload = request_items(["A title", "Another"])
    assert ids == ["1", "2"]
    assert json.loads(payload) == [{"id": "1", "en": "A title"}, {"id": "2", "en": "Another"}]
