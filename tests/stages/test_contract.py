"""The stage contract: a run records every stage under its name; a failed required stage ends
the run, a failed optional one is recorded and the day goes on."""

from __future__ import annotations

import pytest

from paperfeed.core.errors import SourceError, StoreError
from paperfeed.core.records import StageName
from paperfeed.stages.contract import Done, StageLog, optional, required


@required(StageName.FETCH)
def fetch_ok(n: int) -> Done[list[int]]:
    return Done(list(range(n)), f"{n} papers")


@required(StageName.SELECT)
def select_fails() -> Done[None]:
    raise StoreError("the database is locked by another process while storing matches")


@optional(StageName.DELIVER)
def deliver_partly(sent: int) -> Done[int]:
    return Done(sent, f"{sent} sent, 1 failed", "failed", ("email a@example.org: refused",))


@optional(StageName.SIGNALS)
def signals_down() -> Done[int]:
    raise SourceError("Hugging Face answered 503", url="https://huggingface.co/api/daily_papers")


def test_each_stage_is_recorded_under_its_name_with_its_value() -> None:
    stages = StageLog()
    assert stages.run(fetch_ok, 3) == [0, 1, 2]
    assert stages.run(deliver_partly, 2) == 2
    assert [(r.stage, r.status, r.detail) for r in stages.stages] == [
        (StageName.FETCH, "ok", "3 papers"),
        (StageName.DELIVER, "failed", "2 sent, 1 failed"),
    ]
    # What a stage reports as failures is what makes the run partial.
    assert stages.failures == ["email a@example.org: refused"]


def test_a_failed_required_stage_is_recorded_under_its_name_and_ends_the_run() -> None:
    stages = StageLog()
    stages.run(fetch_ok, 1)
    with pytest.raises(StoreError):
        stages.run(select_fails)
    last = stages.stages[-1]
    assert (last.stage, last.status) == (StageName.SELECT, "failed")
    assert "locked" in last.detail


def test_a_failed_optional_stage_is_recorded_and_the_day_goes_on() -> None:
    stages = StageLog()
    assert stages.run(signals_down) is None
    assert stages.run(fetch_ok, 2) == [0, 1]
    assert [(r.stage, r.status) for r in stages.stages] == [
        (StageName.SIGNALS, "failed"),
        (StageName.FETCH, "ok"),
    ]
    assert stages.stages[0].detail == "Hugging Face answered 503"
    assert stages.failures == []  # a failed optional stage alone does not make the run partial


def test_stage_names_are_one_list_in_run_order_with_their_summary_labels() -> None:
    assert [s.value for s in StageName] == [
        "fetch", "select", "relevance", "translate", "digest", "write", "deliver", "signals",
    ]  # fmt: skip
    assert StageName.TRANSLATE.label == "translation"
    assert StageName.SIGNALS.label == "community signals"
    assert StageName.FETCH.label == "fetch"
    assert fetch_ok.name is StageName.FETCH and not fetch_ok.optional
    assert signals_down.optional
