"""Reading a mailbox over IMAP (TLS, or STARTTLS; plain only on this machine).

Every unread mail in the folder is taken in the order it arrived (by UID, never by sequence
number). A mail is marked ``\\Seen`` only after it was taken and committed: a crash in
between leaves it unread, and the next round takes it again, which stores nothing twice
(``do_receive`` knows its Message-ID). A mail Balie cannot take (no sender address; see
``parsing.MailRejected``) is marked ``\\Seen`` and ``\\Flagged`` for a person to look at, and
logged. A mail that fails for another reason (the database, a bug) stays unread and is tried
again next round; the rest of the batch goes on. A mail over ``MAX_MAIL_BYTES`` is not
downloaded: its headers give a message that says so. Mail stays in the mailbox: Balie never
deletes or moves it (the organisation's mail retention applies there).

:func:`poll_account` does one round; :func:`watch` keeps a mailbox open and waits with IDLE
(RFC 2177) where the server offers it, else polls every ``POLL_SECONDS``.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import select
import ssl
import threading
import time
from collections import Counter

from django.db import close_old_connections, connections
from django.utils.translation import gettext_lazy as _

from balie.connectors.accounts import secret_of
from balie.connectors.email.config import MailSettings, Server, mail_settings
from balie.connectors.email.errors import MailRejected
from balie.connectors.email.parsing import MAX_MAIL_BYTES
from balie.connectors.email.receiving import take
from balie.connectors.models import ChannelAccount
from balie.conversations.models import Channel
from balie.errors import Conflict

__all__ = ["Mailbox", "MailboxError", "mail_accounts", "poll_account", "watch"]

log = logging.getLogger(__name__)

TIMEOUT = 60.0  # seconds for any answer of the server outside IDLE
IDLE_SECONDS = 600.0  # then IDLE is renewed (RFC 2177: at most 29 minutes)
POLL_SECONDS = 60.0  # between rounds, for a server without IDLE
BATCH = 200  # mails per round at most; the next round takes the rest
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Conflict):
    """The mailbox cannot be read now (no connection, login refused, a protocol error):
    ``reason`` names what happened (an exception's name, never the server's mail)."""

    status = 409  # never an HTTP answer: the poller logs it and tries again later
    default_code = "mailbox_unavailable"
    default_message = _("The mailbox cannot be read now.")

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class Mailbox:
    """One open IMAP connection to an account's folder."""

    def __init__(self, settings: MailSettings, password: str) -> None:
        if settings.imap is None:
            raise MailboxError("no imap_host")
        self.settings, self._password = settings, password
        self.imap: imaplib.IMAP4 | None = None
        self._tags = 0

    def __enter__(self) -> Mailbox:
        step = "connect"
        try:
            self.imap = _connect(self.settings.imap)  # type: ignore[arg-type]
            step = "login"
            self.imap.login(self.settings.username, self._password)
            step = "select"
            typ, _ = self.imap.select('"' + self.settings.imap_folder + '"')
            if typ != "OK":
                raise imaplib.IMAP4.error("no such folder")
        except (imaplib.IMAP4.error, OSError) as error:
            self.close()
            raise MailboxError(f"{step}: {type(error).__name__}") from error
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.imap is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):  # gone already
                self.imap.logout()
            self.imap = None

    @property
    def can_idle(self) -> bool:
        return self.imap is not None and "IDLE" in self.imap.capabilities

    def _uid(self, command: str, *args: str) -> list:
        assert self.imap is not None
        try:
            typ, data = self.imap.uid(command, *args)
        except (imaplib.IMAP4.error, OSError) as error:
            raise MailboxError(type(error).__name__) from error
        if typ != "OK":
            raise MailboxError(f"{command} answered {typ}")
        return data

    def unread(self) -> list[str]:
        data = self._uid("SEARCH", "UNSEEN")
        uids = b" ".join(d for d in data if isinstance(d, bytes)).split()
        return sorted((u.decode() for u in uids if u.isdigit()), key=int)[:BATCH]

    def size(self, uid: str) -> int | None:
        for item in self._uid("FETCH", uid, "(RFC822.SIZE)"):
            found = _SIZE.search(item if isinstance(item, bytes) else item[0])
            if found:
                return int(found.group(1))
        return None  # expunged meanwhile

    def fetch(self, uid: str, *, headers_only: bool = False) -> bytes | None:
        section = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        for item in self._uid("FETCH", uid, f"({section})"):
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def mark(self, uid: str, flags: str) -> None:
        self._uid("STORE", uid, "+FLAGS.SILENT", f"({flags})")

    def idle(self, seconds: float, stop: threading.Event) -> None:
        """IDLE until the server says something, ``seconds`` passed or ``stop`` is set;
        then end it (DONE), so that the caller takes what came."""
        assert self.imap is not None
        self._tags += 1
        tag = f"BALIE{self._tags}".encode()
        try:
            self.imap.send(tag + b" IDLE\r\n")
            if not self.imap.readline().startswith(b"+"):
                raise MailboxError("IDLE refused")
            self._wait(seconds, stop)
            self.imap.send(b"DONE\r\n")
            line = self.imap.readline()
            while line and not line.startswith(tag):  # the changes it reported, then OK
                line = self.imap.readline()
        except OSError as error:
            raise MailboxError(type(error).__name__) from error
        if not line:
            raise MailboxError("connection closed")

    def _wait(self, seconds: float, stop: threading.Event) -> None:
        """Until the socket has something to read (looked at every second, for ``stop``).
        Reading itself is left to imaplib: a timeout inside its buffered reader would make
        the connection unusable."""
        assert self.imap is not None
        sock = self.imap.sock
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or (isinstance(sock, ssl.SSLSocket) and sock.pending()):
                return
            if select.select([sock], [], [], min(1.0, left))[0]:
                return


def _connect(server: Server) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if server.security == "ssl":
        return imaplib.IMAP4_SSL(server.host, server.port, ssl_context=context, timeout=TIMEOUT)
    imap = imaplib.IMAP4(server.host, server.port, timeout=TIMEOUT)
    if server.security == "starttls":
        try:
            imap.starttls(ssl_context=context)
        except BaseException:
            imap.shutdown()
            raise
    return imap


def open_mailbox(account: ChannelAccount) -> Mailbox:
    return Mailbox(mail_settings(account), secret_of(account, "password"))


def take_unread(account: ChannelAccount, mailbox: Mailbox) -> Counter[str]:
    """Take every unread mail of the open ``mailbox``; how many per outcome (stored,
    report, ignored, rejected, failed, gone)."""
    done: Counter[str] = Counter()
    for uid in mailbox.unread():
        done[_take_one(account, mailbox, uid)] += 1
    return done


def _take_one(account: ChannelAccount, mailbox: Mailbox, uid: str) -> str:
    size = mailbox.size(uid)
    if size is None:
        return "gone"
    oversized = size if size > MAX_MAIL_BYTES else None
    raw = mailbox.fetch(uid, headers_only=oversized is not None)
    if raw is None:
        return "gone"
    try:
        outcome = take(account, raw, oversized=oversized).outcome
    except MailRejected as rejected:
        log.warning("e-mail not taken", extra={"account": account.pk, "uid": uid,
                                               "code": rejected.code})  # fmt: skip
        mailbox.mark(uid, "\\Seen \\Flagged")
        return "rejected"
    except MailboxError:
        raise
    except Exception:  # stays unread, tried again next round; the batch goes on
        log.exception("e-mail failed", extra={"account": account.pk, "uid": uid})
        return "failed"
    mailbox.mark(uid, "\\Seen")  # only now: what was taken is committed
    return outcome


def poll_account(account: ChannelAccount) -> Counter[str]:
    """One round on ``account``'s mailbox; :class:`MailboxError` when it cannot be read."""
    with open_mailbox(account) as mailbox:
        return take_unread(account, mailbox)


def mail_accounts(organisation_id: int | None = None) -> list[ChannelAccount]:
    """The enabled e-mail accounts that are read over IMAP."""
    found = ChannelAccount.objects.filter(kind=Channel.EMAIL, enabled=True).select_related(
        "organisation"
    )
    if organisation_id is not None:
        found = found.filter(organisation_id=organisation_id)
    return [account for account in found if account.settings.get("imap_host")]


def watch(
    account_id: int,
    stop: threading.Event,
    *,
    idle_seconds: float = IDLE_SECONDS,
    poll_seconds: float = POLL_SECONDS,
) -> None:
    """In a thread of its own: keep taking ``account_id``'s mail until ``stop`` is set or
    the account is switched off. IDLE where offered (renewed every ``idle_seconds``), else
    a round every ``poll_seconds``; after an error, wait longer each time (up to five
    minutes)."""
    pause = 5.0
    try:
        while not stop.is_set():
            account = next((a for a in mail_accounts() if a.pk == account_id), None)
            if account is None:
                return
            try:
                _watch_connection(account, stop, idle_seconds)
                pause = 5.0
            except MailboxError as error:
                log.warning("mailbox unavailable", extra={"account": account_id,
                                                          "error": str(error)})  # fmt: skip
                stop.wait(pause)
                pause = min(pause * 2, 300.0)
                continue
            finally:
                close_old_connections()
            stop.wait(poll_seconds)
    finally:
        connections.close_all()  # this thread's own


def _watch_connection(account: ChannelAccount, stop: threading.Event, idle_seconds: float) -> None:
    """Rounds on one connection: between them IDLE while the server offers it; returns
    after one round without IDLE, or when ``stop`` is set."""
    with open_mailbox(account) as mailbox:
        while not stop.is_set():
            take_unread(account, mailbox)
            close_old_connections()
            if not mailbox.can_idle:
                return
            mailbox.idle(idle_seconds, stop)
