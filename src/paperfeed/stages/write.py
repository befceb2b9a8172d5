"""The write stage: the digest in each configured format, written atomically to the output
folder (``publish.files``: a temporary file, flushed, then renamed; a crash never leaves half
a file, and leftovers of a killed write are swept the next time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from paperfeed.core.errors import DeliveryError
from paperfeed.core.records import Digest, StageName
from paperfeed.core.scoring import Score
from paperfeed.core.wording import counted
from paperfeed.publish.files import sweep_temporary_files, write_atomically
from paperfeed.publish.formats import digest_filename, render_digest
from paperfeed.stages.contract import Done, required


@required(StageName.WRITE)
def write(
    digest: Digest,
    folder: Path,
    formats: Sequence[str],
    subject_names: Mapping[str, str],
    *,
    tldrs: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> Done[list[Path]]:
    files = write_digest_files(digest, folder, formats, subject_names, tldrs=tldrs, scores=scores)
    return Done(files, counted(len(files), "file"))


def write_digest_files(
    digest: Digest,
    folder: Path,
    formats: Sequence[str],
    subject_names: Mapping[str, str],
    *,
    tldrs: Mapping[str, str] | None = None,
    scores: Mapping[str, Score] | None = None,
) -> list[Path]:
    """Write each format atomically (temp file + rename): a crash never leaves half a file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeliveryError(
            f"{folder}: cannot create the output folder: {exc.strerror}",
            hint="set [output] dir or PAPERFEED_OUTPUT_DIR to a writable folder",
        ) from None
    sweep_temporary_files(folder)  # what a killed earlier write left behind
    written = []
    for fmt in formats:
        target = folder / digest_filename(fmt, digest.listing_date)
        text = render_digest(digest, fmt, subject_names=subject_names, tldrs=tldrs, scores=scores)
        write_atomically(target, text, what="digest")
        written.append(target)
    return written
