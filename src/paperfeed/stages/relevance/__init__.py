"""The relevance stage: embed, score, sort and cut a day's matches; related papers."""
