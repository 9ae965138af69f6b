"""Numbers beyond what the database can store are bad input (422), never a 500.

Route parameters are plain `int`s, which Python allows to be any size; SQLite refuses integers
past 64 bits with OverflowError and PostgreSQL refuses out-of-range values with a DataError.
Handled once here, so every route (including ones added later) answers the same way, in the
shape of a validation error (`detail` is a list, as the OpenAPI schema documents for 422).
"""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

log = logging.getLogger("nudge.api")


def _unprocessable(message: str) -> JSONResponse:
    error = {"loc": ["request"], "msg": message, "type": "value_error"}
    return JSONResponse(status_code=422, content={"detail": [error], "message": message})


def install_input_limit_handlers(app: FastAPI) -> None:
    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError):
        log.info("out-of-range number in %s %s: %s", request.method, request.url.path, exc)
        return _unprocessable("a number in the request is too large for the database")

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError):
        log.info(
            "value refused by the database in %s %s: %s", request.method, request.url.path, exc.orig
        )
        return _unprocessable(
            "a value in the request is out of range or malformed for the database"
        )
