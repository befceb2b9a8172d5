"""Every rendering paperfeed makes, written to a folder, so that two trees can be compared byte
for byte (a refactor of the rendering stack must not change one byte of any output).

    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/render_snapshot.py --tree /tmp/before /tmp/snap-before
    .venv/bin/python benchmarks/render_snapshot.py /tmp/snap-after      # this checkout
    diff -r /tmp/snap-before /tmp/snap-after && echo identical

``--tree`` imports paperfeed and the test helpers (the sample digests, the web app's test
archive) from that checkout instead of this one. Written, from the example digests
(tests/fixtures/digests), the test helpers' synthetic digests and an "odd" digest (old-style
ids, TeX and Markdown/HTML specials everywhere, empty and look-alike topic names):

    formats/   every digest format, plain and with TL;DRs and relevance scores
    email/     subject, text and HTML part (all topics and one; with and without a day URL)
    webhooks/  the chat payloads of every kind
    feeds/     the Atom feeds
    site*/     the static site, without and with a base URL
    web/       the web pages and API answers of the web app's test archive, in-process
               (the CSRF token, random per run, is replaced by TOKEN)

The last line printed is the number of files and one hash over all of them.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WEB_URLS = (
    "/", "/day/2026-06-03", "/day/2026-06-04", "/day/2026-04-22", "/day/2026-06-02",
    "/day/2026-06-06", "/day/2026-06-05", "/day/2026-06-08", "/day/1990-01-01", "/day/nonsense",
    "/calendar", "/calendar?month=2026-04", "/search", "/search?q=reinforcement+learning",
    "/search?q=%E5%BC%BA%E5%8C%96", "/search?q=hostile",
    "/search?q=%22diffusion+policy%22&topic=diffusion+policy", "/search?q=x&page=2",
    "/search?q=policy&category=cs.RO", "/trending", "/trending?window=day",
    "/trending?window=month&topic=reinforcement+learning", "/stars", "/login", "/health", "/api",
    "/papers/nonexistent", "/papers/2606.03001v1", "/stars.bib", "/stars.txt",
    "/api/digests/2026-06-03", "/api/papers/2606.03666", "/api/search?q=policy",
)  # fmt: skip
_TOKEN = re.compile(r'(content|value)="[A-Za-z0-9_\-\.]{20,}"')


class Snapshot:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, name: str, data: str | bytes) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def summary(self) -> str:
        total = hashlib.sha256()
        files = sorted(p for p in self.folder.rglob("*") if p.is_file())
        for path in files:
            total.update(path.relative_to(self.folder).as_posix().encode() + path.read_bytes())
        return f"{len(files)} files {total.hexdigest()}"


def sample_digests() -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    from tests.support import FIXTURES
    from tests.support.delivery_samples import big_digest, digest_for
    from tests.support.digest_samples import make_digest, make_entry, make_paper, sample_digest
    from tests.support.web_samples import crafted_digest_and_listing

    from paperfeed.core.records import DigestEntry, MatchedTerm
    from paperfeed.importing.parsers import parse_seed_text

    digests: dict[str, Any] = {}
    names: dict[str, dict[str, str]] = {}
    for path in sorted((FIXTURES / "digests").glob("digest-*.txt")):
        imported = parse_seed_text(path.read_text("utf-8"), path=str(path))
        digests[path.stem] = imported.digest
        names[path.stem] = dict(imported.subject_names)
    digests["sample"] = sample_digest()
    digests["crafted"] = crafted_digest_and_listing()[0]
    digests["delivery"] = digest_for()
    digests["big"] = big_digest(60)
    old = make_paper(
        "hep-th/9901001",
        title="Strings $a_b$ & <b>bold</b>",
        abstract="$$x^2$$ and \\$5 $\\alpha<\\beta$\n- list\n1. item",
    )
    subject_class = make_paper("math.AG/0601001", title="Old $\\mathbb{Z}$ id", comment="c <i>")
    specials = make_paper("2606.00001", title="#hash", abstract="| t | `c` *e* _u_ [l](x)")
    terms = (MatchedTerm("strings", "title", "Strings"), MatchedTerm("cs.X", "categories", "cs.X"))
    digests["odd"] = make_digest(
        {
            "C++": [
                make_entry(old, terms=terms),
                make_entry(subject_class, translated=False, announce_type="replace-cross"),
            ],
            "C#": [
                DigestEntry(specials, title_zh="", abstract_zh="", announce_type=None),
                DigestEntry(old, title_zh="只有标题 $x$", abstract_zh=None, announce_type="cross"),
            ],
            "扩散策略 / Diffusion": [make_entry(old, terms=terms)],
            "all": [make_entry(subject_class, translated=False)],
            "<i>x</i> & {{7*7}}": [make_entry(specials)],
            "": [],
        },
        announced_at=None,
    )
    return digests, names


def extras(digest: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """TL;DRs for every other paper, relevance scores for the others."""
    from paperfeed.core.scoring import ProfileRef, Score, ScorePart

    papers = list(digest.papers)
    tldrs = {e.paper.versioned_id: f"一句话 $x^{n}$ <b>TL</b>" for n, e in enumerate(papers)}
    parts = (
        ScorePart("keyword", 0.25, 1.0, 0.25, "rl in title <x>"),
        ScorePart("similarity", 0.3, 0.6, 0.5, "0.6 to y"),
    )
    scores = {
        e.paper.arxiv_id: Score(
            e.paper.arxiv_id,
            0.5 + n / 1000,
            parts,
            ProfileRef("2605.01234", "Near <b>") if n % 3 == 0 else None,
        )
        for n, e in enumerate(papers)
        if n % 2
    }
    return {k: v for n, (k, v) in enumerate(tldrs.items()) if n % 2 == 0}, scores


def write_documents(snap: Snapshot, digests: dict[str, Any], names: dict[str, Any]) -> None:
    from paperfeed.publish.edition import edition
    from paperfeed.publish.email import render_bodies
    from paperfeed.publish.feed import build_feeds
    from paperfeed.publish.formats import FORMATS, render_digest
    from paperfeed.publish.webhook_payloads import BUILDERS, build_payloads

    for key, digest in digests.items():
        tldrs, scores = extras(digest)
        known = names.get(key)
        for fmt in FORMATS:
            snap.put(f"formats/{key}.{fmt}", render_digest(digest, fmt, subject_names=known))
            snap.put(
                f"formats/{key}.extra.{fmt}",
                render_digest(digest, fmt, subject_names=known, tldrs=tldrs, scores=scores),
            )
        for topics in ((), tuple(s.topic for s in digest.sections[:1])):
            content = edition([digest], topics)
            for day_url in ("", "https://x.example/d.html?a=1&b=<2>"):
                bodies = render_bodies(content, subject_names=known, day_url=day_url, tldrs=tldrs)
                tag = f"{key}.{len(topics)}.{bool(day_url)}"
                text, html = bodies.for_recipient("https://u.example/?e=a&b=<c>")
                snap.put(f"email/{tag}.subject", bodies.subject)
                snap.put(f"email/{tag}.txt", text)
                snap.put(f"email/{tag}.html", html)
            for kind in BUILDERS:
                payloads = build_payloads(
                    kind, content, day_url="https://d.example/", message_key="k"
                )
                snap.put(f"webhooks/{key}.{kind}.{len(topics)}", repr(payloads))
        feeds = build_feeds(
            [digest], title="pf <t>", base_url="https://f.example/feeds/", subject_names=known
        )
        for name, data in feeds.items():
            snap.put(f"feeds/{key}/{name}", data)
    merged = render_bodies(edition([digests["delivery"], digests["sample"]], ()))
    snap.put("email/merged.subject", merged.subject)
    snap.put("email/merged.txt", merged.text)
    snap.put("email/merged.html", merged.html)


def write_sites(snap: Snapshot, digests: dict[str, Any], names: dict[str, Any]) -> None:
    from paperfeed.publish.site import build_site

    days: dict[date, Any] = {}
    for digest in digests.values():  # one digest a day: move clashing ones to the next free day
        day = digest.listing_date
        while day in days:
            day = date.fromordinal(day.toordinal() + 1)
        days[day] = replace(digest, listing_date=day)
    for base_url in ("", "https://me.github.io/repo/"):
        build_site(
            snap.folder / f"site{'-base-url' if base_url else ''}",
            list(days),
            days.get,
            title="paper <feed>",
            base_url=base_url,
            subject_names=names.get("digest-2026-06-04"),
        )


def write_web(snap: Snapshot) -> None:
    from tests.support import web_samples as samples

    papers = (
        samples.HOSTILE,
        samples.RL_PAPER,
        samples.REPLACED,
        samples.CROSS,
        samples.UNTRANSLATED,
        samples.LISTED_ONLY,
        samples.LATEST_PAPER,
    )
    urls = [*WEB_URLS, *(f"/papers/{p}" for p in papers)]
    with tempfile.TemporaryDirectory() as tmp:
        db = samples.build_archive(Path(tmp) / "archive.db")
        with samples.web_client(samples.options(db)) as client:
            csrf = client.get("/api/session").json()["csrf_token"]
            for form in (f"/star/{samples.RL_PAPER}", f"/upvote/{samples.HOSTILE}"):
                client.post(form, data={"csrf": csrf, "next": "/"}, follow_redirects=False)
            for number, url in enumerate(urls):
                answer = client.get(url, follow_redirects=False)
                body = _TOKEN.sub(r'\1="TOKEN"', answer.text).replace(csrf, "TOKEN")
                where = answer.headers.get("location")
                snap.put(f"web/{number:02d}", f"{url}\n{answer.status_code}\n{where}\n{body}")
            for name, form, back in (
                ("star", f"/star/{samples.CROSS}", "/day/2026-06-03"),
                ("star-old-id", "/star/hep-th/9901001", "/x"),
            ):
                answer = client.post(
                    form, data={"csrf": csrf, "next": back}, follow_redirects=False
                )
                snap.put(f"web/{name}", f"{answer.status_code} {answer.headers.get('location')}")
        remote = samples.options(db, bind_host="0.0.0.0", write_token="secret")
        with samples.web_client(remote) as client:
            for number, url in enumerate(("/", "/login", f"/papers/{samples.HOSTILE}")):
                snap.put(f"web/remote-{number}", _TOKEN.sub(r'\1="TOKEN"', client.get(url).text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the renderings (a new folder)")
    parser.add_argument(
        "--tree", type=Path, default=ROOT, help="checkout to import (default: this)"
    )
    args = parser.parse_args()
    tree = args.tree.resolve()
    sys.path[:0] = [str(tree / "src"), str(tree)]
    if args.folder.exists() and any(args.folder.iterdir()):
        parser.error(f"{args.folder} is not empty: give a new folder")
    snap = Snapshot(args.folder)
    digests, names = sample_digests()
    write_documents(snap, digests, names)
    write_sites(snap, digests, names)
    write_web(snap)
    print(snap.summary())


if __name__ == "__main__":
    main()
