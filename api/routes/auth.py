"""UI login with a session cookie; `me` and logout."""

from datetime import timedelta

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import delete, select

from api.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    SessionDep,
    SettingsDep,
    get_current_principal,
)
from api.errors import ApiError
from core.models import User, UserSession
from core.schemas.common import STRICT
from core.security import new_session_token, token_hash, verify_password
from core.timeutil import UtcDatetime, utcnow

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(BaseModel):
    model_config = STRICT

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class MeResponse(BaseModel):
    kind: str  # user | api_key
    email: str | None = None
    api_key_prefix: str | None = None
    expires_at: UtcDatetime | None = None


@router.post("/login", operation_id="auth-login", response_model=MeResponse)
def login(body: LoginRequest, response: Response, session: SessionDep, settings: SettingsDep):
    user = session.exec(select(User).where(User.email == body.email.strip().lower())).first()
    if user is None or not verify_password(body.password, user.password_hash):
        raise ApiError(401, "wrong email or password")
    token = new_session_token()
    expires_at = utcnow() + timedelta(seconds=settings.session_ttl_seconds)
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, expires_at=expires_at))
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
        path="/",
    )
    return MeResponse(kind="user", email=user.email, expires_at=expires_at)


@router.get("/me", operation_id="auth-me", response_model=MeResponse)
def me(principal: CurrentPrincipal):
    if principal.user:
        return MeResponse(kind="user", email=principal.user.email)
    return MeResponse(kind="api_key", api_key_prefix=principal.api_key.prefix)


@router.post(
    "/logout",
    operation_id="auth-logout",
    status_code=204,
    dependencies=[Depends(get_current_principal)],
)
def logout(request: Request, response: Response, session: SessionDep) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        session.exec(delete(UserSession).where(UserSession.token_hash == token_hash(cookie)))
        session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
