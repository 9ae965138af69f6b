"""SMTP with STARTTLS and implicit TLS, and AUTH, against a real aiosmtpd server."""

import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from core.messaging import MessageSender
from core.messaging.smtp import SmtpEmail
from tests.test_messaging_smtp import CONTENT, Sink, free_port, make_customers, recipients, rows


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (openssl is part of every Debian image)."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))  # verifies the chain and the IP
    return server, client


class Logins:
    def __init__(self):
        self.seen: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            self.seen.append((login, password))
            return AuthResult(success=(login, password) == ("nudge", "s3cret"), handled=False)
        return AuthResult(success=False, handled=False)


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_tls_and_auth(engine, settings, certificate, security):
    server_ctx, client_ctx = certificate
    sink, logins, port = Sink(), Logins(), free_port()
    # aiosmtpd offers AUTH only after STARTTLS; with implicit TLS the whole session is TLS.
    tls = (
        {"tls_context": server_ctx, "require_starttls": True, "auth_require_tls": True}
        if security == "starttls"
        else {"ssl_context": server_ctx, "auth_require_tls": False}
    )
    controller = Controller(sink, hostname="127.0.0.1", port=port, authenticator=logins, **tls)
    controller.start()
    try:
        good = SmtpEmail(
            "127.0.0.1", port, settings.email_from, security=security,
            username="nudge", password="s3cret", tls_context=client_ctx,
        )  # fmt: skip
        (cid,) = make_customers(engine, 1)
        outcome = await MessageSender(engine, settings, email_channel=good).send_batch(
            CONTENT, recipients([cid])
        )
        await good.aclose()
        assert outcome.sent == 1 and logins.seen == [("nudge", "s3cret")]
        assert [rcpt for rcpt, _ in sink.messages] == ["p0@example.com"]

        bad = SmtpEmail(
            "127.0.0.1", port, settings.email_from, security=security,
            username="nudge", password="wrong", tls_context=client_ctx,
        )  # fmt: skip
        refused = await MessageSender(engine, settings, email_channel=bad).send_batch(
            CONTENT, recipients([cid], tag="again")
        )
        await bad.aclose()
        assert refused.retry_later == 1  # a refused login is kept pending, never lost
        assert "login refused" in rows(engine)[1].last_error
        assert len(sink.messages) == 1
    finally:
        controller.stop()
