"""Translation engines behind one small interface (``Engine``): the OpenAI-compatible client,
the local llama.cpp model, and ``none``. The cache, the budget and the batching around them
are the translate stage's (``paperfeed.stages.translate``)."""

from paperfeed.engines.translate.engine import Engine, NoneEngine, Segment, TokenUsage

__all__ = ["Engine", "NoneEngine", "Segment", "TokenUsage"]
