"""The links inside messages: unsubscribe (page + RFC 8058 one-click), open pixel, click redirect,
view in browser. No auth: each takes only a token signed with SECRET_KEY. A bad token changes
nothing and answers 400 (404 when the message is gone); the click redirect goes only to a URL
that was in that very message, so it can never be used as an open redirect."""

import base64
import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from core.messaging.tokens import LinkSigner, LinkToken, TokenError
from core.messaging.tracking import (
    click_target,
    find_message,
    record_click,
    record_open,
    unsubscribe,
)
from core.models import Message

router = APIRouter(tags=["links"])

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;"
        "padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem}</style>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers=NO_STORE)


class _Refused(Exception):
    def __init__(self, status: int, reason: str):
        self.status, self.reason = status, reason


def _resolve(session, settings, token: str, kind: str) -> tuple[Message, LinkToken]:
    try:
        parsed = LinkSigner(settings.secret_key).verify(token, kind)
    except TokenError as exc:
        raise _Refused(400, str(exc)) from exc
    message = find_message(session, parsed.message_key)
    if message is None:
        raise _Refused(404, "this message no longer exists")
    return message, parsed


def _mask(address: str | None) -> str:
    if not address or "@" not in address:
        return "your address"
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


@router.get("/u/{token}", operation_id="links-unsubscribe-page", response_class=HTMLResponse)
def unsubscribe_page(token: str, session: SessionDep, settings: SettingsDep):
    """Asks before unsubscribing: mail scanners fetch links, so a GET never changes consent."""
    try:
        message, _ = _resolve(session, settings, token, "u")
    except _Refused as refused:
        return _page("Link not valid", f"<p>{html.escape(refused.reason)}.</p>", refused.status)
    what = "push notifications" if message.channel == "push" else "marketing emails"
    body = (
        f"<p>Stop sending {what} to {html.escape(_mask(message.to_address))}?</p>"
        f'<form method="post" action="/u/{html.escape(token)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        "<button type=submit>Unsubscribe</button></form>"
    )
    return _page("Unsubscribe", body)


@router.post("/u/{token}", operation_id="links-unsubscribe", response_class=HTMLResponse)
def unsubscribe_now(token: str, session: SessionDep, settings: SettingsDep):
    """RFC 8058 one-click (`List-Unsubscribe=One-Click`) and the page's button both land here."""
    try:
        message, _ = _resolve(session, settings, token, "u")
    except _Refused as refused:
        return _page("Link not valid", f"<p>{html.escape(refused.reason)}.</p>", refused.status)
    unsubscribe(session, message, source="unsubscribe_link")
    session.commit()
    what = "push notifications" if message.channel == "push" else "marketing emails"
    return _page("You are unsubscribed", f"<p>You will not get {what} from us any more.</p>")


@router.get("/t/o/{token}", operation_id="links-open-pixel", response_class=Response)
def open_pixel(token: str, session: SessionDep, settings: SettingsDep):
    try:
        message, _ = _resolve(session, settings, token, "o")
    except _Refused as refused:
        return Response(status_code=refused.status, headers=NO_STORE)
    record_open(session, message)
    session.commit()
    return Response(PIXEL, media_type="image/gif", headers=NO_STORE)


@router.get("/t/c/{token}", operation_id="links-click", response_class=RedirectResponse)
def click(token: str, session: SessionDep, settings: SettingsDep):
    try:
        message, parsed = _resolve(session, settings, token, "c")
    except _Refused as refused:
        return _page("Link not valid", f"<p>{html.escape(refused.reason)}.</p>", refused.status)
    url = click_target(message, parsed.index)
    if url is None:
        return _page("Link not valid", "<p>This link is not part of the message.</p>", 404)
    record_click(session, message, url)
    session.commit()
    return RedirectResponse(url, status_code=302, headers=NO_STORE)


@router.get("/t/v/{token}", operation_id="links-view-in-browser", response_class=HTMLResponse)
def view_in_browser(token: str, session: SessionDep, settings: SettingsDep):
    try:
        message, _ = _resolve(session, settings, token, "v")
    except _Refused as refused:
        return _page("Link not valid", f"<p>{html.escape(refused.reason)}.</p>", refused.status)
    if message.channel != "email" or not message.html:
        return _page("Not available", "<p>This message has no web version.</p>", 404)
    return HTMLResponse(message.html, headers=NO_STORE)
