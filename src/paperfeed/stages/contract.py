"""The stage contract: what every stage of the day is, and how a run records them.

A stage is a function wrapped by ``stage(name, optional=...)``: it takes what it needs as
arguments and returns ``Done`` (what it made, the run report's line, and any failures that
make the run *partial*). It reports a failure that stops it by raising a ``PaperfeedError``.

``StageLog.run`` runs one stage and records its ``StageResult`` under its name. When a
*required* stage raises, the failure is recorded under that stage and re-raised: the run ends.
When an *optional* stage raises, the failure is recorded and ``run`` returns None: the day goes
on without what the stage would have added (scores, deliveries, community signals).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, ParamSpec, Protocol, TypeVar, overload

from paperfeed.core.errors import PaperfeedError
from paperfeed.core.records import StageName, StageResult, StageStatus

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Progress(Protocol):
    """Where long stages report progress (the CLI draws bars on stderr; tests pass a no-op)."""

    def start(self, stage: str, total: int | None) -> Callable[[int], None]: ...

    def finish(self, stage: str) -> None: ...


class SilentProgress:
    def start(self, stage: str, total: int | None) -> Callable[[int], None]:
        return lambda n: None

    def finish(self, stage: str) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Done(Generic[T_co]):
    """A stage's outcome. ``status`` "failed" with a value means the stage finished but part of
    its work failed (papers left in English); ``failures`` are what make the run partial."""

    value: T_co
    detail: str
    status: StageStatus = "ok"
    failures: tuple[str, ...] = ()


class Stage(Generic[P, T]):
    """A named stage. Calling it runs it (tests call stages directly); a run calls it through
    ``StageLog.run``, which records the outcome."""

    def __init__(self, name: StageName, run: Callable[P, Done[T]]) -> None:
        self.name = name
        self._run = run
        self.__doc__ = run.__doc__

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Done[T]:
        return self._run(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name.value}>"


class RequiredStage(Stage[P, T]):
    """A stage the day cannot go on without: its failure ends the run."""

    optional = False


class OptionalStage(Stage[P, T]):
    """A stage the day can go on without: its failure is recorded, the run goes on."""

    optional = True


def required(name: StageName) -> Callable[[Callable[P, Done[T]]], RequiredStage[P, T]]:
    def wrap(run: Callable[P, Done[T]]) -> RequiredStage[P, T]:
        return RequiredStage(name, run)

    return wrap


def optional(name: StageName) -> Callable[[Callable[P, Done[T]]], OptionalStage[P, T]]:
    def wrap(run: Callable[P, Done[T]]) -> OptionalStage[P, T]:
        return OptionalStage(name, run)

    return wrap


class StageLog:
    """The stages of one run, recorded as they finish, and the failures that make it partial."""

    def __init__(self) -> None:
        self.results: list[StageResult] = []
        self.failures: list[str] = []

    @overload
    def run(self, stage: RequiredStage[P, T], *args: P.args, **kwargs: P.kwargs) -> T: ...

    @overload
    def run(self, stage: OptionalStage[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None: ...

    def run(self, stage: Stage[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            done = stage(*args, **kwargs)
        except PaperfeedError as exc:
            self.results.append(StageResult(stage.name, "failed", exc.message))
            if not isinstance(stage, OptionalStage):
                raise
            log.warning("%s failed: %s", stage.name.value, exc.message)
            return None
        self.record(stage.name, done)
        return done.value

    def record(self, name: StageName, done: Done[object]) -> None:
        self.results.append(StageResult(name, done.status, done.detail))
        self.failures.extend(done.failures)

    @property
    def stages(self) -> tuple[StageResult, ...]:
        return tuple(self.results)
