"""The FastAPI app: a thin layer over the database and Temporal."""

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from sqlmodel import Session

from api.errors import install_error_handlers
from api.observability import install_observability
from api.openapi_errors import document_error_shapes
from api.routes import api_router, public_router
from api.security import install_security
from core.auth_bootstrap import ensure_admin
from core.config import ROOT_DIR, Settings, get_settings
from core.db import make_engine
from core.logging_config import configure_logging

FRONTEND_DIST = ROOT_DIR / "frontend" / "dist"


def _operation_ids(app: FastAPI) -> None:
    for route in app.routes:
        if isinstance(route, APIRoute) and not route.operation_id:
            route.operation_id = f"{route.tags[0] if route.tags else 'api'}-{route.name}"


def create_app(settings: Settings | None = None, engine=None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = engine or make_engine(settings.database_url, settings.database_echo)
        with Session(app.state.engine) as session:
            ensure_admin(session, settings)
        yield
        client = getattr(app.state, "temporal_client", None)
        app.state.temporal_client = None
        del client
        if engine is None:
            app.state.engine.dispose()

    app = FastAPI(
        title="Nudge",
        version="0.1.0",
        description="Marketing automation on Temporal: customers, segments, campaigns, flows.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.temporal_client = None
    install_security(app, settings)  # CORS, rate limits, security headers
    install_observability(app, settings)  # latency histogram; counts for GET /metrics
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(public_router)
    _operation_ids(app)
    document_error_shapes(app)
    _mount_frontend(app, FRONTEND_DIST)
    return app


def _mount_frontend(app: FastAPI, dist: Path) -> None:
    """Serve the built React app at `/`, with client-side routes falling back to index.html."""
    index = dist / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str):
        if path.startswith(("api/", "t/", "u/")):
            from fastapi import HTTPException

            raise HTTPException(404, "not found")
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and dist.resolve() in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index)
        return {"detail": "Nudge API. The web app is not built: run `make dev`.", "docs": "/docs"}
