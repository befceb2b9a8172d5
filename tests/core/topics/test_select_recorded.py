"""The selection is the one recorded from the matcher before its rewrite for speed (7a4076a):
the same papers under each topic, in the same order, with the same terms and matched text."""

from __future__ import annotations

import json

from paperfeed.core.topics.select import select_matches
from tests.support import FIXTURES
from tests.support.selection_golden import TOPICS, corpus, delivered, summary

RECORDED = FIXTURES / "topics" / "selection-7a4076a.json"


def test_selection_matches_the_recording_of_the_old_matcher() -> None:
    items = corpus()
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    found = summary(select_matches(items, TOPICS, delivered=delivered(items)))
    assert list(found) == list(recorded)
    for topic, matches in recorded.items():
        assert found[topic] == matches, topic
    # the recording is no trivial one: most topics select something, and why is recorded
    assert sum(bool(m) for m in recorded.values()) >= len(recorded) - 2
    assert sum(len(m) for m in recorded.values()) > 800
