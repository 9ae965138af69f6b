"""Security wrapped around the whole app: CORS, rate limits, response headers, input limits.

Everything here works on paths and responses, not on routes, so routes added later are covered.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.security.headers import SecurityHeadersMiddleware
from api.security.input_limits import install_input_limit_handlers
from api.security.rate_limit import RateLimitMiddleware, default_rules
from core.config import Settings


def install_security(app: FastAPI, settings: Settings) -> None:
    install_input_limit_handlers(app)
    # Added innermost first: headers wrap everything, so 429s and CORS answers carry them too.
    app.add_middleware(
        CORSMiddleware,
        # Credentials (the session cookie) are allowed, so a wildcard origin never is.
        allow_origins=[o for o in settings.cors_origins if o != "*"],
        allow_credentials=True,
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.add_middleware(
        RateLimitMiddleware,
        rules=default_rules(
            settings.rate_limit_login_per_minute, settings.rate_limit_public_per_minute
        ),
    )
    app.add_middleware(
        SecurityHeadersMiddleware, hsts=settings.public_url.lower().startswith("https://")
    )
