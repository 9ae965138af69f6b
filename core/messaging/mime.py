"""A MIME email built directly as bytes: multipart/alternative (text + HTML), quoted-printable.

Built by hand rather than with `email.message.EmailMessage` because it runs once per message and
the standard library's policy machinery costs more than the rest of a send. The output parses
cleanly with `email.message_from_bytes` (the tests check it).
"""

import binascii
import hashlib
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

CRLF = "\r\n"


def _header_value(value: str) -> str:
    """RFC 2047-encode non-ASCII header values; never let a line break through."""
    value = " ".join(value.split())
    if value.isascii():
        return value
    return Header(value, "utf-8").encode()


def _qp(text: str) -> str:
    data = CRLF.join(text.splitlines()).encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True).decode("ascii")


def format_from(email_from: str) -> tuple[str, str]:
    """(header value, envelope address) of the configured sender."""
    name, address = parseaddr(email_from)
    return formataddr((name, address), charset="utf-8"), address


def build_email(
    from_header: str,
    to_address: str,
    subject: str,
    html: str,
    text: str,
    headers: dict[str, str],
    date: str | None = None,
) -> bytes:
    boundary = "=_nudge_" + hashlib.sha1(headers.get("Message-ID", "").encode()).hexdigest()[:24]
    lines = [
        f"From: {from_header}",
        f"To: {to_address}",
        f"Subject: {_header_value(subject)}",
        f"Date: {date or formatdate(usegmt=True)}",
        "MIME-Version: 1.0",
    ]
    lines += [f"{name}: {_header_value(value)}" for name, value in headers.items()]
    lines += [
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        _qp(text),
        f"--{boundary}",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        _qp(html),
        f"--{boundary}--",
        "",
    ]
    return CRLF.join(lines).encode("ascii")
