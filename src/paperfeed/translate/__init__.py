"""Translation: engines behind one small interface, with the archive's cache in front."""

from paperfeed.translate.engine import Engine, NoneEngine, Segment, TokenUsage
from paperfeed.translate.service import TranslationRun, summarize_papers, translate_papers

__all__ = [
    "Engine",
    "NoneEngine",
    "Segment",
    "TokenUsage",
    "TranslationRun",
    "summarize_papers",
    "translate_papers",
]
