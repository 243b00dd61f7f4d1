"""The FastAPI application: server-rendered pages, the JSON API under /api/v1, vendored static
assets. Nothing is fetched from outside at run time (deployments may be air-gapped)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from npdesk import __version__
from npdesk.services import audit
from npdesk.store.db import session_factory
from npdesk.web.auth import check_route_actions, public_action, require_action
from npdesk.web.routes import auth, cables, cases, desk, screening
from npdesk.web.templating import templates

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(engine: Engine) -> FastAPI:
    """The web app over `engine` (already migrated: see `npdesk.store.schema.upgrade`)."""
    app = FastAPI(
        title="npdesk",
        version=__version__,
        description="Nonproliferation cooperation desk: cables, cases, firms, commitments.",
        # The schema and its browsable page are served below, behind a login like everything
        # but /login and /healthz, with Swagger UI's assets vendored (no CDN).
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    audit.audit_key()  # the audit chain's key file, created on first start when missing
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
    app.include_router(screening.router)

    _api_docs(app)
    _error_handlers(app)
    check_route_actions(app)  # default deny: a route without a registered action won't start
    return app


def _api_docs(app: FastAPI) -> None:
    signed_in = [Depends(require_action("home"))]

    @app.get("/api/v1/openapi.json", include_in_schema=False, dependencies=signed_in)
    def openapi_schema() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False, dependencies=signed_in)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="npdesk API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            detail: Any = exc.detail
            if exc.status_code == 422 and isinstance(detail, str):
                # One shape for every 422, the one the OpenAPI schema documents.
                detail = [{"loc": [], "msg": detail, "type": "value_error"}]
            return JSONResponse(
                {"detail": detail}, status_code=exc.status_code, headers=exc.headers
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
            return JSONResponse({"detail": _plain(exc.errors())}, status_code=422)
        return _page(request, 422, "The request could not be understood.")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        # Never a traceback (or a stored text fragment) in an answer: log-free generic message.
        if _wants_json(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return _page(request, 500, "Something went wrong. The error has been recorded.")


def _plain(errors: Any) -> list[dict[str, Any]]:
    # Echoing user input back is how error paths leak; keep only where and what.
    return [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]


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
