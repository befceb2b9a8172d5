"""The translate stage: the cache, the budget and the batching around an engine."""

from paperfeed.stages.translate.service import TranslationRun, summarize_papers, translate_papers

__all__ = ["TranslationRun", "summarize_papers", "translate_papers"]
