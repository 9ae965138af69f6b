"""The offline assistant: the segment parser and the templates behind the assistant interface."""

import re
from collections.abc import Iterator

from core.ai.answers import parse_campaign_answer, parse_flow_answer, parse_segment_answer
from core.ai.context import StoreContext
from core.ai.errors import AIInvalidOutput, AINotUnderstood, OutputInvalid
from core.ai.offline.segments import SegmentParser
from core.ai.offline.templates import campaign_for, flow_for
from core.flows.definition import FlowDefinition
from core.schemas.ai import CampaignPlan, SegmentDraft

FLOW_WORDS = re.compile(r"\b(?:flows?|automat\w*|journeys?|sequences?|series|drips?)\b", re.I)
CAMPAIGN_WORDS = re.compile(
    r"\b(?:campaigns?|newsletters?|blasts?|promotions?|promos?|sales?|announce\w*|launch\w*"
    r"|strateg\w*)\b",
    re.I,
)

HELP = (
    "I can draft three things for you to review and apply: a segment (describe who, e.g. "
    '"US customers who spent over $500 in the last year"), a flow (name a goal: welcome, '
    'abandoned cart, win-back, birthday, launch, post-purchase) or a campaign plan ("a '
    'campaign for our summer sale"). Nothing is saved until you click Apply.'
)


def segment_name(prompt: str) -> str:
    words = re.sub(r"[^\w$€£+ -]", "", prompt).split()
    name = " ".join(words[:8]) or "AI segment"
    return name[0].upper() + name[1:200]


def _checked(parse, answer):
    """The same parsers as model answers; a draft they refuse (say, more than 50 conditions)
    is a 422 with the reasons."""
    try:
        return parse(answer)
    except OutputInvalid as exc:
        raise AIInvalidOutput(
            "the offline assistant's draft is not valid: " + "; ".join(exc.errors[:5]),
            errors=exc.errors,
        ) from None


class OfflineAssistant:
    name = "offline"

    def segment(self, prompt: str, ctx: StoreContext) -> SegmentDraft:
        criteria, explanation = SegmentParser(ctx.categories, ctx.events).parse(prompt)
        answer = {"name": segment_name(prompt), "criteria": criteria, "explanation": explanation}
        return _checked(parse_segment_answer, answer)

    def flow(self, goal: str, ctx: StoreContext) -> tuple[FlowDefinition, str]:
        flow, explanation = flow_for(goal, ctx)
        return _checked(parse_flow_answer, {"flow": flow, "explanation": explanation})

    def campaign(self, goal: str, ctx: StoreContext) -> CampaignPlan:
        audience = None
        try:
            criteria, why = SegmentParser(ctx.categories, ctx.events).parse(goal)
        except AINotUnderstood:
            pass
        else:  # the goal names its audience: use it, with consent for the channel
            channel = "push" if re.search(r"\bpush\b", goal, re.I) else "email"
            consent = {"field": f"{channel}_opt_in", "op": "eq", "value": True}
            criteria = {"match": "all", "conditions": [criteria, consent]}
            audience = (criteria, segment_name(goal), why)
        return _checked(parse_campaign_answer, campaign_for(goal, ctx, audience))

    def chat_turn(self, messages: list[dict], ctx: StoreContext) -> Iterator[tuple[str, object]]:
        """Yields ("text", piece) then ("requests", {kind: text}); deterministic."""
        text = messages[-1]["content"]
        requests: dict[str, str] = {}
        if FLOW_WORDS.search(text):
            requests["flow"] = text
        elif CAMPAIGN_WORDS.search(text):
            requests["campaign"] = text
        else:
            try:
                draft = self.segment(text, ctx)
            except AINotUnderstood:
                draft = None
            if draft is not None:
                requests["segment"] = text
        reply = self._reply(text, requests, ctx)
        for piece in re.findall(r"\S+\s*", reply):  # word by word, like a model would stream
            yield "text", piece
        yield "requests", requests

    def _reply(self, text: str, requests: dict[str, str], ctx: StoreContext) -> str:
        if "segment" in requests:
            draft = self.segment(text, ctx)
            return (
                f"Here is a segment for that. {draft.explanation} Review it below and click "
                "Apply to save it."
            )
        if "flow" in requests:
            flow, explanation = self.flow(text, ctx)
            return (
                f'I drafted a flow, "{flow.name}". {explanation} Edit the copy as you like, '
                "then click Apply to save it as a draft flow (it only runs once you activate it)."
            )
        if "campaign" in requests:
            plan = self.campaign(text, ctx)
            return (
                f'Here is a campaign plan: send to "{plan.audience.name}" on '
                f"{' or '.join(d.title() for d in plan.timing.days)} at "
                f"{plan.timing.local_time} (customer's time), with "
                f"{len(plan.subject_lines)} subject lines and an A/B idea. Click Apply to create "
                "the segment and a draft campaign."
            )
        return HELP
