"""Errors a person can act on: every failure is a 4xx naming what is wrong, never a 500."""

import logging

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError

log = logging.getLogger("nudge.api")


class ApiError(Exception):
    """Raise from domain code paths in routes: becomes `{"detail": message}` with the status."""

    def __init__(self, status_code: int, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.field = field


def _loc(loc) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path")]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def validation_message(errors) -> str:
    return "; ".join(f"{_loc(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors[:10])


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        errors = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
        for error in errors:
            error.pop("input", None)  # never echo (possibly huge or secret) input back
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content={"detail": errors, "message": validation_message(errors)},
        )

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError):
        body = {"detail": exc.detail}
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(status_code=exc.status_code, content=body)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError):
        log.info("integrity error: %s", exc.orig)
        return JSONResponse(
            status_code=status.HTTP_409_CONFLICT,
            content={"detail": "conflicts with existing data (a duplicate or a missing reference)"},
        )

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError):
        log.warning("database unavailable: %s", exc.orig)
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={"detail": "the database is busy or unavailable; try again"},
        )
