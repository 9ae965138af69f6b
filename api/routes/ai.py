"""AI drafts: segments from words, flow and campaign drafts, and a suggestive chat assistant.

Nothing here is saved or run: every answer is a draft in the shape of the matching create
endpoint, for the marketer to review and apply."""

import json
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from api.deps import EngineDep, SettingsDep
from api.errors import ApiError
from core.ai.errors import AIError
from core.ai.service import AIService, make_assistant
from core.schemas.ai import (
    CampaignStrategy,
    ChatRequest,
    FlowSuggestion,
    GoalPrompt,
    SegmentPrompt,
    SegmentSuggestion,
)
from core.schemas.common import Message

router = APIRouter(prefix="/ai", tags=["ai"])

# 422 (bad request, or an answer still invalid after one retry) is documented by the app.
AI_ERRORS = {
    502: {
        "model": Message,
        "description": "the AI provider failed (timeout, rate limit, server error, bad key)",
    }
}


def _service(request: Request, settings: SettingsDep, engine: EngineDep) -> AIService:
    # One assistant per app (the model client keeps its connection pool); tests may preset it.
    state = request.app.state
    if getattr(state, "ai_assistant", None) is None:
        try:
            state.ai_assistant = make_assistant(settings)
        except AIError as exc:
            raise ApiError(exc.status_code, exc.detail) from None
    return AIService(settings, engine, state.ai_assistant)


def _api_error(exc: AIError) -> ApiError:
    return ApiError(exc.status_code, exc.detail)


@router.post(
    "/segment",
    operation_id="ai-segment",
    response_model=SegmentSuggestion,
    responses=AI_ERRORS,
)
def segment(body: SegmentPrompt, request: Request, settings: SettingsDep, engine: EngineDep):
    """Words → segment criteria (checked against the field registry) and how many match now."""
    try:
        return _service(request, settings, engine).segment(body.prompt)
    except AIError as exc:
        raise _api_error(exc) from None


@router.post("/flow", operation_id="ai-flow", response_model=FlowSuggestion, responses=AI_ERRORS)
def flow(body: GoalPrompt, request: Request, settings: SettingsDep, engine: EngineDep):
    """A goal → a flow draft with its email and push copy (the body of POST /api/flows)."""
    try:
        return _service(request, settings, engine).flow(body.goal)
    except AIError as exc:
        raise _api_error(exc) from None


@router.post(
    "/campaign-strategy",
    operation_id="ai-campaign_strategy",
    response_model=CampaignStrategy,
    response_model_exclude_none=True,
    responses=AI_ERRORS,
)
def campaign_strategy(body: GoalPrompt, request: Request, settings: SettingsDep, engine: EngineDep):
    """A goal → audience (with its size), timing, subject lines, A/B ideas and a campaign draft."""
    try:
        return _service(request, settings, engine).campaign_strategy(body.goal)
    except AIError as exc:
        raise _api_error(exc) from None


@router.post(
    "/chat",
    operation_id="ai-chat",
    responses={
        200: {
            "description": "NDJSON, one event per line: "
            '{"type": "text", "text"} pieces of the reply as they come; '
            '{"type": "proposal", "proposal": {"kind": "segment"|"flow"|"campaign", "title", '
            '"data"}} drafts to apply with one click; {"type": "error", "status", "detail"}; '
            'and last {"type": "done"}.',
            "content": {"application/x-ndjson": {}},
        },
        **AI_ERRORS,
    },
)
def chat(body: ChatRequest, request: Request, settings: SettingsDep, engine: EngineDep):
    """A suggestive assistant: streams its answer and proposes drafts; it never acts itself."""
    events = _service(request, settings, engine).chat([m.model_dump() for m in body.messages])
    try:
        first = next(events)  # a provider failure before anything streamed is a plain 502
    except AIError as exc:
        raise _api_error(exc) from None
    return StreamingResponse(
        _ndjson(first, events),
        media_type="application/x-ndjson",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _ndjson(first: dict, events: Iterator[dict]) -> Iterator[bytes]:
    yield _line(first)
    try:
        for event in events:
            yield _line(event)
    except AIError as exc:  # mid-stream: the status line is sent, so report it in-band
        yield _line({"type": "error", "status": exc.status_code, "detail": exc.detail})
        yield _line({"type": "done"})


def _line(event: dict) -> bytes:
    return (json.dumps(event, ensure_ascii=False) + "\n").encode()
