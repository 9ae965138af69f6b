"""The first admin: an API key from NUDGE_API_KEY and a UI login from ADMIN_EMAIL/ADMIN_PASSWORD."""

from sqlmodel import Session, select

from core.config import Settings
from core.models import ApiKey, User
from core.security import hash_password, key_prefix, token_hash, verify_password


def ensure_admin(session: Session, settings: Settings) -> None:
    if settings.nudge_api_key:
        digest = token_hash(settings.nudge_api_key)
        if session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first() is None:
            session.add(
                ApiKey(
                    name="admin (NUDGE_API_KEY)",
                    prefix=key_prefix(settings.nudge_api_key),
                    key_hash=digest,
                )
            )
    if settings.admin_password:
        user = session.exec(select(User).where(User.email == settings.admin_email.lower())).first()
        if user is None:
            session.add(
                User(
                    email=settings.admin_email.lower(),
                    password_hash=hash_password(settings.admin_password),
                )
            )
        elif not verify_password(settings.admin_password, user.password_hash):
            # The environment is the source of truth for the bootstrap admin's password.
            user.password_hash = hash_password(settings.admin_password)
            session.add(user)
    session.commit()
