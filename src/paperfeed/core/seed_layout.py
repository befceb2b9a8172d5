"""The fixed lines of the seed text format (FORMAT-digest.md section 1), shared by its writer
(``paperfeed.publish.seed_text``) and its reader (``paperfeed.importing.parsers``)."""

from __future__ import annotations

NO_RESULT = "There is no result"
SUBJECTS_LABEL = "- Subjects: Subjects:"  # doubled on purpose: part of the established layout
KEYWORD = "Keyword: "
AUTHORS = "- Authors: "
ABSTRACT = "- Abstract"
ABSTRACT_ZH = "- 中文摘要"
ARXIV_LINK = "- Arxiv link: "
PDF_LINK = "- Pdf link: "
