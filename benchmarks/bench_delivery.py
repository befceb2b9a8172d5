"""Time delivery: e-mail to many recipients, and the static site for a year of digests.

Run: .venv/bin/python benchmarks/bench_delivery.py [--recipients 100] [--papers 200] [--days 250]

1. A 200-paper digest rendered and sent to 100 recipients (half subscribe to every topic, a
   quarter to each of two topics) through the real dispatcher and the archive's ledger (a fully synchronous commit
   before each message), over one STARTTLS connection to an aiosmtpd server on loopback, run
   as its own process like any mail server (``--in-process`` runs it in a thread of this
   process instead, where it competes with the sender for the interpreter). Target: under 10 s.
2. ``build_site`` for a year of digests (250 listing days of 200 papers) from a SQLite archive,
   then a rebuild with nothing changed. Target: under 60 s.

Papers are the example digests' real papers (real English and Chinese text), with varied ids.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trustme  # noqa: E402
from tests.support.listing_builder import example_digest  # noqa: E402
from tests.support.smtp_server import SmtpServer, free_port, smtp_server  # noqa: E402

from paperfeed.archive import open_archive  # noqa: E402
from paperfeed.config.delivery import DeliverySettings, EmailSettings, Recipient  # noqa: E402
from paperfeed.core.calendar import ArxivCalendar  # noqa: E402
from paperfeed.core.records import Digest, DigestSection  # noqa: E402
from paperfeed.publish.email import SmtpSender  # noqa: E402
from paperfeed.publish.site import build_site  # noqa: E402
from paperfeed.stages.deliver.dispatch import Dispatcher  # noqa: E402

TOPICS = ("reinforcement learning", "diffusion policy", "robots")


def digest_of(day: date, papers: int) -> Digest:
    """``papers`` real entries (ids made unique per day) spread over three topics."""
    base = [e for s in example_digest("digest-2026-06-04.txt").sections for e in s.entries]
    base += [e for s in example_digest("digest-2026-04-22.txt").sections for e in s.entries]
    entries = []
    for n in range(papers):
        entry = base[n % len(base)]
        paper = replace(entry.paper, arxiv_id=f"{day:%y%m}.{day.day * 1000 + n:05d}", version=1)
        entries.append(replace(entry, paper=paper))
    cut = [0, papers // 2, papers * 3 // 4, papers]
    sections = tuple(
        DigestSection(topic, tuple(entries[cut[i] : cut[i + 1]])) for i, topic in enumerate(TOPICS)
    )
    announced = datetime.combine(day - timedelta(days=1), datetime.min.time(), UTC) + timedelta(
        hours=24
    )
    return Digest(
        listing_date=day,
        header="生成时间: bench",
        generated_at=announced,
        announced_at=announced,
        timezone="Asia/Shanghai",
        sections=sections,
    )


@contextmanager
def smtp_process(folder: Path) -> Iterator[SmtpEndpoint]:
    """``python -m aiosmtpd`` with STARTTLS required, certificate from a throwaway CA."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
         "-l", f"127.0.0.1:{port}", "-s", "0", "--tlscert", str(cert_file), "--tlskey", str(key_file)],
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        context = ssl.create_default_context()
        ca.configure_trust(context)
        yield SmtpEndpoint("127.0.0.1", port, context, None)
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def smtp_thread() -> Iterator[SmtpEndpoint]:
    with smtp_server("starttls") as server:
        yield SmtpEndpoint(server.host, server.port, server.client_context(), server)


@dataclass
class SmtpEndpoint:
    host: str
    port: int
    context: ssl.SSLContext
    recorder: SmtpServer | None  # in-process: what arrived


def bench_email(recipients: int, papers: int, in_process: bool) -> None:
    day = date(2026, 6, 4)
    with (
        tempfile.TemporaryDirectory() as folder,
        smtp_thread() if in_process else smtp_process(Path(folder)) as server,
    ):
        db = Path(folder) / "paperfeed.db"
        with open_archive(db) as store:
            store.save_digest(digest_of(day, papers))
        people = tuple(
            Recipient(
                f"reader{n}@example.org",
                () if n % 2 == 0 else (TOPICS[0],) if n % 4 == 1 else (TOPICS[1],),
            )
            for n in range(recipients)
        )
        settings = DeliverySettings(
            email=EmailSettings(
                host=server.host,
                port=server.port,
                sender="paperfeed <digest@example.org>",
                timeout=30,
            ),
            recipients=people,
        )
        start, cpu = time.perf_counter(), time.process_time()
        with open_archive(db) as store:
            report = Dispatcher(
                settings,
                store,
                load_digest=store.digest,
                now=lambda: datetime.now(UTC),
                email_sender=lambda: SmtpSender(
                    settings.email, ssl_context=server.context, local_hostname="localhost"
                ),
            ).deliver([day])
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        sent = sum(1 for o in report.outcomes if o.status == "sent")
        where = "this process" if in_process else "its own process"
        print(
            f"  {elapsed:8.2f} s  e-mail: a {papers}-paper digest to {sent} recipients over one "
            f"STARTTLS connection, ledger included (server in {where}); "
            f"{cpu:.2f} s of it paperfeed's CPU"
        )
        assert sent == recipients
        if server.recorder is not None:
            size = sum(len(m.raw) for m in server.recorder.messages)
            print(f"             {size / 1e6:.1f} MB received")
            assert len(server.recorder.messages) == recipients


def bench_site(days: int, papers: int) -> None:
    calendar = ArxivCalendar()
    listing_days: list[date] = []
    day = date(2025, 6, 2)
    while len(listing_days) < days:
        if calendar.is_listing_day(day):
            listing_days.append(day)
        day += timedelta(days=1)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "paperfeed.db"
        with open_archive(db) as store:
            for listing_day in listing_days:
                store.save_digest(digest_of(listing_day, papers))
        site = Path(folder) / "site"
        with open_archive(db) as store:
            start = time.perf_counter()
            result = build_site(site, store.digest_dates(), store.digest)
            first = time.perf_counter() - start
            start = time.perf_counter()
            again = build_site(site, store.digest_dates(), store.digest)
            second = time.perf_counter() - start
        size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        print(
            f"  {first:8.2f} s  site: {result.days} days x {papers} papers -> "
            f"{result.files} files, {size / 1e6:.0f} MB"
        )
        print(f"  {second:8.2f} s  site: rebuild with nothing changed ({again.changed} written)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=100)
    parser.add_argument("--papers", type=int, default=200)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--in-process", action="store_true", help="SMTP server in a thread")
    args = parser.parse_args()
    bench_email(args.recipients, args.papers, args.in_process)
    bench_site(args.days, args.papers)


if __name__ == "__main__":
    main()
