"""Signed link tokens: one spelling per token; any altered character is refused."""

import pytest

from core.messaging.tokens import LinkSigner, TokenError


def test_every_single_character_change_is_refused():
    signer = LinkSigner("secret")
    token = signer.sign("t", "campaign:1:1979") + ".0"
    assert signer.verify(token, "c").message_key == "campaign:1:1979"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for position, char in enumerate(token[:-2]):  # the trailing ".0" is the unsigned link number
        if char == ".":
            continue
        for replacement in alphabet:
            if replacement == char:
                continue
            forged = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(TokenError):
                signer.verify(forged, "c")


def test_expired_and_foreign_tokens_are_refused():
    signer = LinkSigner("secret")
    with pytest.raises(TokenError, match="expired"):
        signer.verify(signer.sign("u", "flow:3:s1", expires=1000), "u", now=2000)
    with pytest.raises(TokenError):
        signer.verify(LinkSigner("other").sign("u", "flow:3:s1"), "u")
    with pytest.raises(TokenError, match="not valid here"):
        signer.verify(signer.sign("u", "flow:3:s1"), "o")
