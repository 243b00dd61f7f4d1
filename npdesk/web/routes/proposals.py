"""Proposals on the web: what has been read from a cable (firms, meetings, commitments...)
and deciding on each, as the panel of a cable page and as the JSON API. Thin:
`npdesk.services.proposals` applies the policy; refusals are answered by the one mapping in
`npdesk.web.deps`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from npdesk.security.model import Party, User
from npdesk.services import proposals as proposal_service
from npdesk.web import deps
from npdesk.web.auth import require_action
from npdesk.web.deps import RecordNumber, back, engine_of
from npdesk.web.schemas import DecisionIn
from npdesk.web.templating import templates

router, api = deps.feature_routers("proposals")

ListProposals = Annotated[User, Depends(require_action("desk.proposals.list"))]
DecideProposal = Annotated[User, Depends(require_action("desk.proposals.decide"))]


@router.get("/cables/{cable_id}/proposals", response_class=HTMLResponse)
def proposals_panel(request: Request, user: ListProposals, cable_id: str) -> HTMLResponse:
    """The proposals panel fragment for a cable page (htmx: `hx-get` this URL): what has been
    read from the cable, never read on the view; 404 as for a missing cable when the user may
    not read it."""
    found = proposal_service.proposals_for(engine_of(request), user, cable_id)
    # htmx asks for the fragment (the cable page embeds it); a plain visit gets a whole page.
    name = (
        "desk/_proposals.html" if request.headers.get("hx-request") else "desk/proposals_page.html"
    )
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "cable_id": cable_id,
            "proposals": found.proposals,
            "pending": not found.read,
            "may_decide": user.party is Party.HOME,
        },
    )


@router.post("/proposals/{proposal_id}/decide")
def decide_form(
    request: Request,
    user: DecideProposal,
    proposal_id: RecordNumber,
    decision: Annotated[Literal["accept", "edit", "reject"], Form()],
    cable_id: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    shared: Annotated[bool, Form()] = False,
    note: Annotated[str, Form()] = "",
) -> Response:
    values: dict[str, Any] = {}
    if decision == "edit":
        if date:
            values["date"] = date
        if text:
            values["title"] = text
    if shared:
        values["shared_with_partner"] = True
    view = proposal_service.decide(engine_of(request), user, proposal_id, decision, values, note)
    if request.headers.get("hx-request"):
        return proposals_panel(request, user, view.cable_id)
    return back(f"/cables/{cable_id or view.cable_id}/proposals")


# --- JSON API ------------------------------------------------------------------------------


@api.get("/cables/{cable_id}/proposals", responses={202: {}, 404: {}})
def api_proposals(
    request: Request, response: Response, user: ListProposals, cable_id: str
) -> list[dict[str, Any]]:
    """The proposals read from a cable, as the user may see them: 202 while the cable's
    current version is still waiting to be read (in the background, never on request), 404
    as for a missing cable when the user may not read it."""
    found = proposal_service.proposals_for(engine_of(request), user, cable_id)
    if not found.read:
        response.status_code = 202
    return [v.to_dict() for v in found.proposals]


@api.post("/proposals/{proposal_id}/decision")
def api_decide(
    request: Request, user: DecideProposal, proposal_id: RecordNumber, body: DecisionIn
) -> dict[str, Any]:
    """Accept, edit or reject a proposal; accepting creates the desk record."""
    return proposal_service.decide(
        engine_of(request), user, proposal_id, body.decision, body.values, body.note
    ).to_dict()
