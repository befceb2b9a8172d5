"""Translation: engines behind one small interface, with the archive's cache in front."""

from paperfeed.translate.engine import Engine, NoneEngine, Segment
from paperfeed.translate.service import TranslationRun, translate_papers

__all__ = ["Engine", "NoneEngine", "Segment", "TranslationRun", "translate_papers"]
