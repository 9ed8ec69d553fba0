"""Real mail servers on 127.0.0.1 for the e-mail connector's tests.

- :class:`Smtp`: aiosmtpd, plain or with STARTTLS and a login; it keeps what it received
  and can be stopped and started again on the same port (an outage).
- :class:`Dovecot`: Debian's Dovecot, started from a configuration in a temporary directory
  with two test users, on free ports (IMAPS and IMAP with STARTTLS). As root (here and in
  CI) the mail processes run as ``nobody``; otherwise everything runs as the current user.
- :func:`make_certificates`: a test CA and a server certificate for localhost and
  127.0.0.1; tests trust the CA through ``SSL_CERT_FILE``, which
  ``ssl.create_default_context()`` reads, so the code under test verifies as in production.

Without aiosmtpd or Dovecot the tests that need them skip, except with ``CI=true``, where
they fail (as the browser tests do without axe-core).
"""

from __future__ import annotations

import datetime as dt
import getpass
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSWORD = "mail-test-password-3f9"
USERS = ("utrecht", "groningen")


def unavailable(what: str) -> None:
    """Skip, or with CI=true fail: CI must run these tests."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}; with CI=true the e-mail tests against real servers are mandatory")
    pytest.skip(what)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


# -- certificates ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Certificates:
    ca: Path
    cert: Path
    key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificates(directory: Path) -> Certificates:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Balie test CA"))
        .issuer_name(_name("Balie test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    found = Certificates(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    found.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    found.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    found.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    for path in (found.ca, found.cert, found.key):
        path.chmod(0o644)  # Dovecot reads them as root before dropping privileges
    return found


# -- SMTP -----------------------------------------------------------------------------------
@dataclass
class Smtp:
    """An aiosmtpd server; ``received`` holds (envelope sender, recipients, bytes)."""

    certificates: Certificates | None = None
    login: tuple[str, str] | None = None
    port: int = field(default_factory=free_port)
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: str | None = None  # an SMTP answer given to every RCPT, e.g. "550 5.1.1 unknown"
    implicit_tls: bool = False  # TLS from the first byte (port 465 style), not STARTTLS
    _controller: object = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        server = self

        class Handler:
            async def handle_RCPT(self, smtp, session, envelope, address, options):  # noqa: N802
                if server.refuse:
                    return server.refuse
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):  # noqa: N802
                server.received.append(
                    (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
                )
                return "250 Message accepted"

        def authenticate(smtp, session, envelope, mechanism, auth_data):
            ok = server.login and (auth_data.login.decode(), auth_data.password.decode()) == (
                server.login
            )
            return AuthResult(success=bool(ok), handled=False)

        options: dict = {}
        if self.certificates is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certificates.cert, self.certificates.key)
            if self.implicit_tls:
                options.update(ssl_context=context)
            else:
                options.update(tls_context=context, require_starttls=True)
        if self.login is not None:
            options.update(authenticator=authenticate, auth_require_tls=True)
        controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()  # type: ignore[attr-defined]
            self._controller = None


def smtp_available() -> None:
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        unavailable("aiosmtpd is not installed (pip install -e '.[test]')")


# -- IMAP -----------------------------------------------------------------------------------
_CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/users
}}
userdb {{
  driver = passwd-file
  args = {base}/users
}}
mail_location = maildir:~/Maildir
first_valid_uid = 1
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """Dovecot with the test users, in a temporary directory, until :meth:`stop`."""

    def __init__(self, certificates: Certificates) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="balie-dovecot-"))
        self.base.chmod(0o755)
        self.imap_port, self.imaps_port = free_port(), free_port()
        root = os.getuid() == 0
        uid, gid = (65534, 65534) if root else (os.getuid(), os.getgid())
        if root:
            extra = ""
        else:
            me = getpass.getuser()
            extra = f"default_internal_user = {me}\ndefault_login_user = {me}\n"
            extra += f"default_internal_group = {pwd.getpwuid(os.getuid()).pw_name}\n"
        (self.base / "mail").mkdir()
        lines = []
        for user in USERS:
            home = self.base / "mail" / user
            home.mkdir()
            os.chown(home, uid, gid)
            lines.append(f"{user}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{home}::")
        (self.base / "users").write_text("\n".join(lines) + "\n")
        (self.base / "users").chmod(0o644)
        config = self.base / "dovecot.conf"
        config.write_text(
            _CONFIG.format(
                base=self.base,
                cert=certificates.cert,
                key=certificates.key,
                users=extra,
                imap_port=self.imap_port,
                imaps_port=self.imaps_port,
            )  # fmt: skip
        )
        self.process = subprocess.Popen(
            [shutil.which("dovecot") or "dovecot", "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(self.imaps_port)
            wait_for_port(self.imap_port)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        if self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.base, ignore_errors=True)

    def client(self, user: str) -> imaplib.IMAP4:
        """A client of the test's own (trusting the test CA from SSL_CERT_FILE)."""
        imap = imaplib.IMAP4_SSL(
            "127.0.0.1", self.imaps_port, ssl_context=ssl.create_default_context(), timeout=10
        )
        imap.login(user, PASSWORD)
        return imap

    def deliver(self, user: str, raw: bytes, *, flags: str = "") -> None:
        """Put ``raw`` into the user's INBOX, as the mail server would."""
        imap = self.client(user)
        try:
            typ, _ = imap.append("INBOX", f"({flags})" if flags else None, None, raw)
            assert typ == "OK"
        finally:
            imap.logout()

    def flags(self, user: str) -> list[str]:
        """The flags of each mail in the user's INBOX, in order."""
        imap = self.client(user)
        try:
            imap.select("INBOX")
            typ, data = imap.uid("FETCH", "1:*", "(FLAGS)")
            return [d.decode() for d in data if isinstance(d, bytes)]
        finally:
            imap.logout()

    def empty(self) -> None:
        for user in USERS:
            imap = self.client(user)
            try:
                imap.select("INBOX")
                imap.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                imap.expunge()
            except imaplib.IMAP4.error:
                pass  # already empty
            finally:
                imap.logout()


def dovecot_available() -> None:
    if shutil.which("dovecot") is None and not Path("/usr/sbin/dovecot").exists():
        unavailable("Dovecot is not installed (apt-get install dovecot-imapd)")
