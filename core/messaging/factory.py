"""Channels chosen by settings: EMAIL_CHANNEL (outbox | smtp) and PUSH_CHANNEL (outbox | http)."""

from core.config import Settings
from core.messaging.channel import EmailChannel, OutboxEmail, OutboxPush, PushChannel


def build_email_channel(settings: Settings) -> EmailChannel:
    if settings.email_channel == "smtp":
        from core.messaging.smtp import SmtpEmail

        return SmtpEmail.from_settings(settings)
    return OutboxEmail()


def build_push_channel(settings: Settings) -> PushChannel:
    if settings.push_channel == "http":
        from core.messaging.push_http import HttpPush

        return HttpPush.from_settings(settings)
    return OutboxPush()
