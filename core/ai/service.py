"""The AI service the API calls: picks the assistant by settings, gives it the store's context,
and returns drafts with live figures (a segment's count). It saves nothing and runs nothing."""

from collections.abc import Iterator

from sqlalchemy.engine import Engine

from core.ai.context import StoreContext, load_store_context
from core.ai.errors import AIError
from core.ai.offline.assistant import OfflineAssistant
from core.config import Settings
from core.schemas.ai import (
    CampaignStrategy,
    FlowSuggestion,
    Proposal,
    SegmentSuggestion,
)
from core.segments import count_members, registry_json

# Events the demo store and the flows track; criteria may name others.
KNOWN_EVENTS = [
    "viewed_product",
    "added_to_cart",
    "started_checkout",
    "searched",
    "page_view",
    "placed_order",
    "signed_up",
]


def make_assistant(settings: Settings):
    """The model assistant when a model is configured (AI_PROVIDER / OPENAI_API_KEY), else the
    offline one."""
    if settings.ai_enabled:
        from core.ai.llm import ChatModel
        from core.ai.model import ModelAssistant

        return ModelAssistant(ChatModel(settings))
    return OfflineAssistant()


class AIService:
    def __init__(self, settings: Settings, engine: Engine, assistant=None):
        self.engine = engine
        self.assistant = assistant or make_assistant(settings)

    def context(self) -> StoreContext:
        with self.engine.connect() as conn:
            return load_store_context(conn, registry_json(), KNOWN_EVENTS)

    def _count(self, criteria: dict, ctx: StoreContext) -> int:
        with self.engine.connect() as conn:
            return count_members(conn, criteria, ctx.as_of)

    def segment(self, prompt: str, ctx: StoreContext | None = None) -> SegmentSuggestion:
        ctx = ctx or self.context()
        draft = self.assistant.segment(prompt, ctx)
        return SegmentSuggestion(
            **draft.model_dump(),
            count=self._count(draft.criteria, ctx),
            provider=self.assistant.name,
        )

    def flow(self, goal: str, ctx: StoreContext | None = None) -> FlowSuggestion:
        ctx = ctx or self.context()
        flow, explanation = self.assistant.flow(goal, ctx)
        return FlowSuggestion(flow=flow, explanation=explanation, provider=self.assistant.name)

    def campaign_strategy(self, goal: str, ctx: StoreContext | None = None) -> CampaignStrategy:
        ctx = ctx or self.context()
        plan = self.assistant.campaign(goal, ctx)
        return CampaignStrategy(
            **plan.model_dump(exclude_unset=True),
            audience_count=self._count(plan.audience.criteria, ctx),
            provider=self.assistant.name,
        )

    def chat(self, messages: list[dict]) -> Iterator[dict]:
        """Events: {"type": "text", "text"}..., {"type": "proposal", "proposal"} per draft (or
        {"type": "error", "status", "detail"} for one that failed), then {"type": "done"}.
        An AIError before the first event propagates (the API answers it with its status)."""
        ctx = self.context()
        for kind, value in self.assistant.chat_turn(messages, ctx):
            if kind == "text":
                yield {"type": "text", "text": value}
                continue
            for request_kind, text in value.items():
                try:
                    yield {"type": "proposal", "proposal": self._proposal(request_kind, text, ctx)}
                except AIError as exc:
                    yield {"type": "error", "status": exc.status_code, "detail": exc.detail}
        yield {"type": "done"}

    def _proposal(self, kind: str, text: str, ctx: StoreContext) -> dict:
        if kind == "segment":
            data = self.segment(text, ctx)
            title = data.name
        elif kind == "flow":
            data = self.flow(text, ctx)
            title = data.flow.name
        else:
            data = self.campaign_strategy(text, ctx)
            title = data.campaign.name
        return Proposal(kind=kind, title=title, data=data).model_dump(mode="json")
