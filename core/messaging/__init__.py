"""Messaging: channels, templates, signed links and the exactly-once sender."""

from core.messaging.sender import MessageContent, MessageSender, Recipient, SendOutcome
from core.messaging.templates import validate_template

__all__ = ["MessageContent", "MessageSender", "Recipient", "SendOutcome", "validate_template"]
