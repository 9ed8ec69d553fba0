"""Import benchmark: parse a large WhatsApp Android export (issue 4's measure), and read a
zipped export with many media files (issue 11's).

Generates a ~1,000,000-line export (Dutch 24-hour layout, several authors, ~10 % multi-line
messages, some system lines, media markers and edited messages, ~76 MB) in a temporary
directory, then parses it fully with ``balie.imports.parsers.whatsapp`` (every message
built) and prints the seconds and the peak resident memory of the parse. The file is made
in a child process first, so its generation does not count in the parse's memory.

``--zip`` instead makes an Android zip of 2,000 media files (100 MB in total, incompressible
bytes, stored as the phone does) with its chat, each file attached to a message, and
measures parsing it and reading every attachment through the byte-budgeted reader the import
writer uses (``balie.imports.parsers.zips.read_member``): seconds and peak RSS.

    python bench/import.py [--lines 1000000] [--keep FILE]
    python bench/import.py --zip [--media 2000] [--media-bytes 100000000] [--import]

``--zip --import`` goes all the way: ``do_import`` of every message and file into a fresh
SQLite data folder (the media are random bytes, so they are stored as downloads, as voice
notes and videos are; photos would also be re-encoded).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

AUTHORS = ["Jan Jansen", "Wim de Wethouder", "Petra van Dijk", "Ahmed El Amrani", "Sanne 🌷"]
TEXTS = [
    "Goedemorgen! Morgen stemt de raad over de motie over het bestemmingsplan.",
    "Ik lees het raadsvoorstel vanavond nog even door.",
    "Kun je de wethouder vragen of het besluit over de vergunning al genomen is?",
    "Prima, tot straks in het stadhuis.",
    "De begroting komt donderdag in de commissie: wil jij de vragen voorbereiden?",
    "Dank je wel 👍",
    "Zullen we om 12:30 even bellen over de inspraakavond?",
    "Heb je de stukken van de griffie al ontvangen?",
]


def generate(path: Path, lines: int, seed: int = 7) -> tuple[int, int]:
    rng = random.Random(seed)
    at = datetime(2023, 1, 2, 8, 0)  # noqa: DTZ001 - an export has local times
    written = messages = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f"{at:%d-%m-%Y %H:%M} - Berichten en oproepen worden end-to-end versleuteld. "
            "Niemand buiten deze chat kan ze lezen.\n"
        )
        written += 1
        while written < lines:
            at += timedelta(minutes=rng.randint(0, 7))
            roll = rng.random()
            stamp = f"{at:%d-%m-%Y %H:%M}"
            if roll < 0.01:
                out.write(f"{stamp} - Jan Jansen heeft Petra van Dijk toegevoegd\n")
                written += 1
            elif roll < 0.04:
                out.write(f"{stamp} - {rng.choice(AUTHORS)}: <Media weggelaten>\n")
                written += 1
            elif roll < 0.14:
                extra = rng.randint(1, 3)
                body = "\n".join(rng.choice(TEXTS) for _ in range(extra + 1))
                out.write(f"{stamp} - {rng.choice(AUTHORS)}: {body}\n")
                written += extra + 1
            elif roll < 0.15:
                out.write(f"{stamp} - {rng.choice(AUTHORS)}: {rng.choice(TEXTS)} "
                          "<Dit bericht is bewerkt>\n")  # fmt: skip
                written += 1
            else:
                out.write(f"{stamp} - {rng.choice(AUTHORS)}: {rng.choice(TEXTS)}\n")
                written += 1
            messages += 1
    return written, messages + 1


def generate_zip(path: Path, media: int, total: int, seed: int = 11) -> None:
    """An Android export zip: the chat (one message per file, plus text between them) and
    ``media`` files of ``total`` bytes together."""
    import zipfile

    rng = random.Random(seed)
    size = total // media
    at = datetime(2024, 1, 15, 9, 0)  # noqa: DTZ001 - an export has local times
    lines = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(media):
            at += timedelta(minutes=rng.randint(0, 5))
            name = f"IMG-{at:%Y%m%d}-WA{n:04d}.jpg"
            archive.writestr(name, rng.randbytes(size), compress_type=zipfile.ZIP_STORED)
            author = rng.choice(AUTHORS)
            lines.append(f"{at:%d-%m-%Y %H:%M} - {author}: {name} (bestand bijgevoegd)")
            lines.append(f"{at:%d-%m-%Y %H:%M} - {author}: {rng.choice(TEXTS)}")
        archive.writestr("WhatsApp-chat met Raadsfractie.txt", "\n".join(lines) + "\n")


def measure_zip(path: Path) -> None:
    """Runs in a fresh process: parse the chat, read every attachment as the writer does."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import zipfile

    from balie.imports.parsers import whatsapp
    from balie.imports.parsers.base import Limits
    from balie.imports.parsers.zips import read_member

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    chat = whatsapp.parse(path, file_name=path.name)
    count = files = read = 0
    budget = Limits().max_attachment_bytes
    with zipfile.ZipFile(path) as archive:
        for message in chat.messages:
            count += 1
            for attachment in message.attachments:
                if attachment.member:
                    read += len(read_member(archive, attachment.member, path.name, budget))
                    files += 1
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"format: {chat.format}")
    print(f"messages: {count:,}; attachments read: {files:,} ({read / 1e6:.1f} MB)")
    print(f"parse + read: {elapsed:.2f} s, {read / elapsed / 1e6:.1f} MB/s")
    print(f"peak RSS: {peak / 1024:.0f} MB (before parsing: {before / 1024:.0f} MB)")


def measure_import(path: Path) -> None:
    """Runs in a fresh process with its own data folder: the whole import, through the
    writer, of every message and attachment."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    data_dir = tempfile.mkdtemp(prefix="balie-bench-import-data-")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "balie.conf.settings", "BALIE_DATA_DIR": data_dir})
    os.environ.pop("DATABASE_URL", None)
    import secrets  # here: hashlib's OpenSSL would add 4 MB to the other measures' baseline

    import django

    django.setup()
    from django.core.management import call_command

    from balie.accounts.actions import do_create_staff_user, do_set_membership
    from balie.imports.actions import do_import
    from balie.imports.exports import Export
    from balie.imports.selection import Rules
    from balie.tenants.actions import do_create_organisation

    try:
        call_command("migrate", verbosity=0)
        organisation = do_create_organisation(name="Gemeente Benchstad", slug="benchstad")
        owner = do_create_staff_user(username="wim", password=secrets.token_urlsafe(24),
                                     first_name="Wim", last_name="de Wethouder")  # fmt: skip
        do_set_membership(owner, organisation, "agent")
        before = _peak_mb()
        reset = _reset_peak()  # the migrations' peak is not the import's
        started = time.perf_counter()
        batch = do_import(
            Export(path=path, source="whatsapp", file_name=path.name),
            organisation=organisation, owner=owner, importer=owner, rules=Rules(base="all"),
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        print(f"import: {batch.messages_added:,} messages, {batch.attachments_added:,} "
              f"attachments in {elapsed:.2f} s")  # fmt: skip
        since = "since the import started" if reset else "of the process, migrations included"
        print(f"peak RSS: {_peak_mb():.0f} MB {since} (before the import: {before:.0f} MB)")
    finally:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+: ``5`` to /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    """This process image's peak resident memory (VmHWM on Linux, else ru_maxrss)."""
    status = Path("/proc/self/status")
    if status.exists():
        return int(status.read_text().split("VmHWM:")[1].split()[0]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path) -> None:
    """Runs in a fresh process: parse everything, report time and peak RSS."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from balie.imports.parsers import whatsapp

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    chat = whatsapp.parse(path, file_name=path.name)
    count = 0
    kinds: dict[str, int] = {}
    for message in chat.messages:
        count += 1
        kinds[message.kind] = kinds.get(message.kind, 0) + 1
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = path.stat().st_size
    print(f"format: {chat.format}")
    print(f"messages: {count:,} ({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))})")
    print(f"parse: {elapsed:.2f} s, {size / elapsed / 1e6:.1f} MB/s")
    print(f"peak RSS: {peak / 1024:.0f} MB (before parsing: {before / 1024:.0f} MB)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="FILE", help="write the export here and keep it")
    parser.add_argument("--zip", action="store_true", help="the zip with media instead")
    parser.add_argument("--media", type=int, default=2_000)
    parser.add_argument("--media-bytes", type=int, default=100_000_000)
    parser.add_argument("--measure", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--import", dest="full", action="store_true",
                        help="with --zip: the whole import into a fresh database")  # fmt: skip
    parser.add_argument("--measure-zip", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--measure-import", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(Path(args.measure))
        return
    if args.measure_zip:
        measure_zip(Path(args.measure_zip))
        return
    if args.measure_import:
        measure_import(Path(args.measure_import))
        return
    if args.zip:
        run_zip(args)
        return
    folder = tempfile.mkdtemp(prefix="balie-bench-import-")
    path = Path(args.keep) if args.keep else Path(folder) / "WhatsApp-chat met Raadsfractie.txt"
    try:
        started = time.perf_counter()
        lines, messages = generate(path, args.lines)
        print(
            f"machine: {os.cpu_count()} CPUs, {platform.machine()}; Python "
            f"{platform.python_version()}"
        )
        print(
            f"export: {lines:,} lines, {messages:,} messages, "
            f"{path.stat().st_size / 1e6:.1f} MB (made in {time.perf_counter() - started:.1f} s)"
        )
        subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True)
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            os.rmdir(folder)


def run_zip(args) -> None:
    folder = tempfile.mkdtemp(prefix="balie-bench-import-")
    path = Path(args.keep) if args.keep else Path(folder) / "WhatsApp-chat met Raadsfractie.zip"
    try:
        started = time.perf_counter()
        generate_zip(path, args.media, args.media_bytes)
        print(
            f"machine: {os.cpu_count()} CPUs, {platform.machine()}; Python "
            f"{platform.python_version()}"
        )
        print(
            f"zip: {args.media:,} media files, {path.stat().st_size / 1e6:.1f} MB "
            f"(made in {time.perf_counter() - started:.1f} s)"
        )
        step = "--measure-import" if args.full else "--measure-zip"
        subprocess.run([sys.executable, __file__, step, str(path)], check=True)
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            os.rmdir(folder)


if __name__ == "__main__":
    main()
