"""Paper cards: what they show of a paper is the digests' own view of it; highlighting is theirs."""

from __future__ import annotations

from datetime import date

from paperfeed.app.web.cards import card, marked
from paperfeed.app.web.page_data import PaperItem
from paperfeed.publish.view import digest_view, paper_view
from tests.support.digest_samples import sample_digest

TODAY = date(2026, 6, 5)


def test_a_card_shows_its_paper_as_every_digest_rendering_does() -> None:
    digest = sample_digest()
    names = {"cs.XX": "A subject only an imported digest named"}
    for section, topic in zip(digest.sections, digest_view(digest, names).topics, strict=True):
        for entry, shown in zip(section.entries, topic.papers, strict=True):
            item = PaperItem(
                paper=entry.paper,
                title_zh=entry.title_zh,
                abstract_zh=entry.abstract_zh,
                announce_type=entry.announce_type,
                listing_date=digest.listing_date,
                terms=entry.terms,
            )
            made = card(item, TODAY, names)
            assert made.paper == shown == paper_view(entry, names)
            assert made.subjects == tuple(zip(shown.categories, shown.subjects, strict=True))
    first = card(
        PaperItem(
            paper=digest.sections[0].entries[0].paper,
            title_zh=None,
            abstract_zh=None,
            announce_type="cross",
            listing_date=None,
            terms=digest.sections[0].entries[0].terms,
        ),
        TODAY,
        names,
    )
    assert first.subjects[0] == ("cs.LG", "Machine Learning (cs.LG)")
    assert first.paper.announce_type == "cross-list"
    assert first.paper.matched_terms == ("reinforcement learning", "cs.RO")
    assert first.title_zh is None and first.abstract_zh is None


def test_marked_highlights_words_outside_math_and_escapes_the_rest() -> None:
    assert marked("RL <i>in</i> $RL<1$ and rl-agents", ["rl"]) == (
        "<mark>RL</mark> &lt;i&gt;in&lt;/i&gt; "
        '<span class="math">$RL&lt;1$</span> and <mark>rl</mark>-agents'
    )
    assert marked("no needles, $x$") == 'no needles, <span class="math">$x$</span>'
