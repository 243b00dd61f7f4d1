"""The FastAPI application: server-rendered pages, the JSON API under /api/v1, vendored static
assets. Nothing is fetched from outside at run time (deployments may be air-gapped)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from npdesk import __version__
from npdesk.store.db import session_factory
from npdesk.web.auth import public_action
from npdesk.web.routes import auth, cables, cases, desk
from npdesk.web.templating import templates

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(engine: Engine) -> FastAPI:
    """The web app over `engine` (already migrated: see `npdesk.store.schema.upgrade`)."""
    app = FastAPI(
        title="npdesk",
        version=__version__,
        description="Nonproliferation cooperation desk: cables, cases, firms, commitments.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/healthz", tags=["health"], dependencies=[Depends(public_action("health"))])
    def health() -> dict[str, str]:
        """Liveness check (no login needed)."""
        return {"status": "ok"}

    routers = (auth, cables, cases, desk)
    for router in [r for module in routers for r in (module.router, module.api)]:
        app.include_router(router)

    _error_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return _page(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "not found"}, status_code=404)
        return _page(request, 404, "Not found.")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": "invalid request", "errors": _plain(exc.errors())}, status_code=422
            )
        return _page(request, 422, "The request could not be understood.")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        # Never a traceback (or a stored text fragment) in an answer: log-free generic message.
        if _wants_json(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return _page(request, 500, "Something went wrong. The error has been recorded.")


def _plain(errors: Any) -> list[dict[str, Any]]:
    # Echoing user input back is how error paths leak; keep only where and what.
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in errors]


def _page(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    return templates.TemplateResponse(
        request,
        "error.html",
        {"title": f"Error {status}", "message": message, "user": None},
        status_code=status,
        headers=headers,
    )
