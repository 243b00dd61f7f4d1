"""The FastAPI application: server-rendered pages, the JSON API under /api/v1, vendored static
assets. Nothing is fetched from outside at run time (deployments may be air-gapped)."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import anyio
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from npdesk import __version__
from npdesk.security.audit import Outcome
from npdesk.security.model import Party
from npdesk.services import audit, audit_scope
from npdesk.settings import retry_after_seconds, secure_cookies, upload_max_bytes
from npdesk.store.db import (
    ATTEMPTS,
    is_lock_failure,
    may_retry,
    retry_pause,
    session_factory,
    transaction,
    unit_of_work,
)
from npdesk.web.auth import check_route_actions, public_action, require_action
from npdesk.web.deps import answers
from npdesk.web.routes import (
    auth,
    cables,
    cases,
    commitments,
    events,
    firms,
    handovers,
    metrics,
    proposals,
    releases,
    reviews,
    screening,
    search,
)
from npdesk.web.templating import templates

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = logging.getLogger("npdesk.web")

# No inline script and no eval: scripts only from /static. Inline styles stay allowed for now:
# three templates carry style="" attributes and htmx injects its indicator <style>.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
BUSY_MESSAGE = "The desk's database is busy right now; nothing was saved. Try again shortly."
PARTLY_SAVED_MESSAGE = (
    "The desk's database was too busy to finish this request, and part of it was saved "
    "already: look at what it changed before trying again."
)


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
        # The one error mapping, on every route: what a route, its dependencies or the services
        # refuse is answered by kind (`npdesk.web.deps.answers`).
        dependencies=[Depends(answers)],
    )
    audit.audit_key()  # the audit chain's key file, created on first start when missing
    secure_cookies()  # a mistyped NPDESK_SECURE_COOKIES stops the start, not a request
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/healthz", tags=["health"], dependencies=[Depends(public_action("health"))])
    def health() -> dict[str, str]:
        """Liveness check (no login needed)."""
        return {"status": "ok"}

    routers = (
        auth,
        cables,
        search,
        cases,
        handovers,
        reviews,
        metrics,
        firms,
        events,
        commitments,
        proposals,
        releases,
        screening,
    )
    for router in [r for module in routers for r in (module.router, module.api)]:
        app.include_router(router)

    _api_docs(app)
    _error_handlers(app)
    # Outermost last: headers go on every answer, including the ones errors turn into.
    app.add_middleware(AuditedRequests)
    app.add_middleware(AnswerErrors)
    app.add_middleware(SecurityHeaders)
    check_route_actions(app)  # default deny: a route without a registered action won't start
    return app


def _api_docs(app: FastAPI) -> None:
    signed_in = [Depends(require_action("home"))]

    @app.get("/api/v1/openapi.json", include_in_schema=False, dependencies=signed_in)
    def openapi_schema() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False, dependencies=signed_in)
    def api_docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="npdesk API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
        # FastAPI starts Swagger UI with one inline script: allow exactly that script, by hash.
        page.headers["content-security-policy"] = CONTENT_SECURITY_POLICY.replace(
            "script-src 'self'", "script-src 'self' " + " ".join(_script_hashes(page.body))
        )
        return page


def _script_hashes(html: bytes | memoryview) -> list[str]:
    scripts = re.findall(rb"<script>(.*?)</script>", bytes(html), flags=re.DOTALL)
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in scripts
    ]


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
        return _page(request, 422, _what_was_wrong(exc.errors()))


class AnswerErrors:
    """Turn whatever escaped the routes into a proper answer, so no exception ever reaches the
    server: a database too busy to take the work is 503 with Retry-After, anything else a
    plain 500 (logged here, never shown). An exception that reaches the server makes it close
    the connection, which reset the client's next keep-alive request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:  # half an answer is out: nothing better than to end the connection
                raise
            request = Request(scope)
            if is_lock_failure(exc):
                log.warning("database busy: %s %s answered 503", request.method, scope["path"])
                answer = _busy(request)
            else:
                log.exception("internal error: %s %s", request.method, scope["path"])
                answer = _crashed(request)
            await answer(scope, receive, send)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SPOOL_BYTES = 1_048_576  # request bodies above this wait on disk, not in memory, for a replay
CHUNK_BYTES = 65_536
# What a path parameter names, for the audit entry of a request (`number` by its action).
PARAMETER_KINDS = {
    "cable_id": "cable",
    "reference": "case",
    "key": "firm",
    "commitment_id": "commitment",
    "proposal_id": "proposal",
    "dialogue_id": "dialogue",
    "release_id": "release",
    "month": "month",
}
NUMBER_KINDS = {"handovers": "handover_list", "reviews": "review"}
FORMAT_PARAMS = {"fmt"}  # how a record is exported, not which (the path in the detail says)


class AuditedRequests:
    """Every request as one unit of work, audited whatever its route does:

    - a body larger than `NPDESK_UPLOAD_MAX_BYTES` is answered 413 before any of it is kept;
    - a request PostgreSQL aborted (deadlock, serialization failure) before anything of it
      committed is run again from the start, its body replayed (see `npdesk.store.db`);
    - services write their own audit entries with their changes, in the same transaction
      (`npdesk.services.audit_scope` adds one for an ORM change a service did not audit).
      Here, before the answer leaves, goes what only the web sees: every request of a partner
      user not audited yet (a read of a case, list, minutes, an export, a search...), and
      every refusal the services did not audit (404s on records hidden from the user,
      403s such as CSRF refusals). Without its audit entry no answer goes out: a database
      too busy to take it makes the answer a 503. A home user's read of records above
      CONFIDENTIAL (noted by `audit_scope` as they load) is audited here too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = upload_max_bytes()
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(scope, int(declared), limit)(scope, receive, send)
            return
        spool, size = await _read_body(receive, limit)
        if size > limit:
            await _too_large(scope, size, limit)(scope, receive, send)
            return
        if spool is None:
            return  # the client went away before sending its request
        with spool:
            for attempt in range(1, ATTEMPTS + 1):
                if await self._attempt(scope, _replay(spool, size, receive), send, attempt):
                    return
                log.info("retrying %s %s: the database aborted it", scope["method"], scope["path"])
                await anyio.sleep(retry_pause(attempt))

    async def _attempt(self, scope: Scope, receive: Receive, send: Send, attempt: int) -> bool:
        """Run the request once; False when it should run again."""
        http = {**scope, "state": dict(scope.get("state") or {})}
        source = _client(scope)
        with (
            unit_of_work() as unit,
            audit_scope.scoped(
                source, state=http["state"], find_action=lambda: _action(http)
            ) as audited,
        ):

            async def audited_send(message: Message) -> None:
                if message["type"] == "http.response.start" and not sender["started"]:
                    entry = _entry_for(http, audited, unit.committed_writes, message["status"])
                    if entry is not None and not await _write(http, entry, send):
                        sender["swallow"] = True  # answered 503 instead
                    sender["started"] = True
                if not sender["swallow"]:
                    await send(message)

            sender = {"started": False, "swallow": False}
            try:
                await self.app(http, receive, audited_send)
            except DBAPIError as exc:
                if sender["started"]:
                    raise
                if may_retry(exc, attempt, unit.committed_writes, ATTEMPTS):
                    return False
                if not (is_lock_failure(exc) and unit.committed_writes):
                    raise
                # Not "nothing was saved" (what `AnswerErrors` says of a busy database).
                log.warning("database busy: %s %s half done", scope["method"], scope["path"])
                await _busy(Request(http), PARTLY_SAVED_MESSAGE)(http, receive, send)
        return True


async def _read_body(receive: Receive, limit: int) -> tuple[IO[bytes] | None, int]:
    """The whole request body, spooled (None when the client left), and its size; reading
    stops once it passes `limit`."""
    # Closed by the caller (or here when the body is refused).
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            spool.close()
            return None, size
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            spool.close()
            return None, size
        spool.write(chunk)
        if not message.get("more_body"):
            return spool, size


def _replay(spool: IO[bytes], size: int, receive: Receive) -> Receive:
    spool.seek(0)
    left = size
    sent = False

    async def replayed() -> Message:
        nonlocal left, sent
        if sent:
            return await receive()  # after the body: the client's disconnect, when it comes
        chunk = spool.read(min(CHUNK_BYTES, left))
        left -= len(chunk)
        sent = left <= 0
        return {"type": "http.request", "body": chunk, "more_body": not sent}

    return replayed


def _too_large(scope: Scope, size: int, limit: int) -> Response:
    message = (
        f"The request is too large: {size:,} bytes, and this desk accepts at most {limit:,} "
        "bytes in one request. Upload the files in smaller parts."
    )
    if _wants_json(Request(scope)):
        return JSONResponse({"detail": message}, status_code=413)
    return HTMLResponse(_plain_page("Too large", message), status_code=413)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _action(http: Scope) -> str | None:
    """The registered action of the route that took the request (None: no route did)."""
    route = http.get("route")
    if not isinstance(route, APIRoute):
        return None
    pending = [route.dependant]
    while pending:
        dependant = pending.pop(0)
        name = getattr(dependant.call, "npdesk_action", None)
        if isinstance(name, str):
            return name
        pending.extend(dependant.dependencies)
    return None


def _entry_for(
    http: Scope, scope: audit_scope.AuditScope, committed_writes: int, status: int
) -> audit.Pending | None:
    """The entry the web adds for a request about to be answered `status`, if any."""
    action = _action(http)
    if action is None:
        return None  # static files and unknown paths: no route, so no sign-in either
    user = scope.actor
    outcomes = {entry.outcome for entry in scope.audited}
    detail: dict[str, Any] = {"method": http["method"], "path": http["path"], "status": status}
    if http.get("query_string"):
        detail["query"] = http["query_string"].decode("latin-1")[:300]
    if status in (403, 404) and (user is not None or status == 403):
        if Outcome.DENIED in outcomes:
            return None
        outcome = Outcome.DENIED
    elif user is None:
        return None  # not signed in: a failed sign-in is audited by the accounts service
    elif user.party is not Party.HOME and not outcomes:
        outcome = Outcome.ALLOWED if status < 400 else Outcome.ERROR
    elif http["method"] in SAFE_METHODS and status < 400 and scope.read_above and not outcomes:
        # A home read of records above CONFIDENTIAL: which ones (the first few) it loaded.
        outcome = Outcome.ALLOWED
        detail["above_confidential"] = scope.read_above[:5]
    elif http["method"] not in SAFE_METHODS and status < 400 and committed_writes and not outcomes:
        # A change went through, and no service audited it: say so, late rather than never.
        outcome = Outcome.OK
        detail["note"] = "audited by the web layer after the change committed"
    else:
        return None
    kind, ident = _record_of(action, http.get("path_params") or {})
    return audit.Pending(
        user if user is not None else "(anonymous)",
        action,
        outcome,
        scope.source,
        record_kind=kind,
        record_id=ident,
        detail=detail,
    )


def _record_of(action: str, params: Mapping[str, Any]) -> tuple[str | None, str | None]:
    named = {name: value for name, value in params.items() if name not in FORMAT_PARAMS}
    if not named:
        return None, None
    first = next(iter(named))
    kind = PARAMETER_KINDS.get(first) or NUMBER_KINDS.get(action.split(".")[0], "record")
    return kind, "/".join(str(value) for value in named.values())[:64]


async def _write(http: Scope, entry: audit.Pending, send: Send) -> bool:
    """Append `entry`; when the database is too busy to take it, answer 503 instead (False)."""

    def append() -> None:
        with transaction(http["app"].state.engine) as session:
            audit.record_many(session, [entry])

    try:
        await run_in_threadpool(append)
    except Exception as exc:
        if not is_lock_failure(exc):
            raise
        log.warning("database busy: %s %s not audited, answered 503", http["method"], http["path"])

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        await _busy(Request(http))(http, nothing, send)
        return False
    return True


def _busy(request: Request, message: str = BUSY_MESSAGE) -> Response:
    headers = {"Retry-After": str(retry_after_seconds())}
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=503, headers=headers)
    return HTMLResponse(_plain_page("Busy", message), status_code=503, headers=headers)


def _crashed(request: Request) -> Response:
    # Never a traceback (or a stored text fragment) in an answer.
    if _wants_json(request):
        return JSONResponse({"detail": "internal error"}, status_code=500)
    message = "Something went wrong. The error has been recorded."
    return HTMLResponse(_plain_page("Error 500", message), status_code=500)


def _plain_page(title: str, message: str) -> str:
    # Not the error template: rendering it may need the database (the CSRF secret), which is
    # the very thing that may have failed.
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title} — npdesk"
        '</title><link rel="stylesheet" href="/static/npdesk.css"></head>'
        f'<body><main class="error"><h1>{title}</h1><p>{message}</p>'
        '<p><a href="/">Back to the desk</a></p></main></body></html>'
    )


class SecurityHeaders:
    """CSP, frame denial, nosniff and a referrer policy on every answer (a route may set its
    own CSP, as the API docs page does); HSTS when cookies are always Secure (TLS in front)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = dict(SECURITY_HEADERS)
        if secure_cookies() is True or scope.get("scheme") == "https":
            extra["strict-transport-security"] = "max-age=31536000"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                for name, value in extra.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _what_was_wrong(errors: Any) -> str:
    """A 422 page's message: each refused field and why, never the value sent."""
    lines = []
    for error in _plain(errors):
        where = ".".join(str(part) for part in error["loc"] if part not in ("body", "query"))
        lines.append(f"{where}: {error['msg']}" if where else error["msg"])
    return "The request could not be accepted. " + "; ".join(lines)


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
