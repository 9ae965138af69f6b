"""Answer parsers: the assistant's JSON → the models the API accepts, or OutputInvalid listing
every problem (which is what the model gets back to fix). Offline answers go through the same
parsers, so both providers are held to one standard."""

from pydantic import ValidationError

from core.ai.errors import OutputInvalid
from core.flows.definition import FlowDefinition
from core.schemas.ai import CampaignPlan, SegmentDraft
from core.segments import parse_criteria, validate_criteria


def _pydantic_errors(exc: ValidationError, prefix: str = "") -> list[str]:
    out = []
    for error in exc.errors()[:20]:
        loc = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
        out.append(f"{prefix}{loc or 'answer'}: {error['msg']}")
    return out


def _criteria_errors(criteria, prefix: str) -> list[str]:
    errors = validate_criteria(criteria)[:20]
    return [f"{prefix}{_sub(e['path'])}: {e['message']}" for e in errors]


def _sub(path: str) -> str:
    # validate_criteria names the root "criteria"; below it, paths start at "conditions".
    return "" if path == "criteria" else f".{path}"


def parse_segment_answer(data: dict) -> SegmentDraft:
    """`{"name", "criteria", "explanation"}` with criteria valid against the field registry."""
    errors = _criteria_errors(data.get("criteria"), "criteria")
    if errors:
        raise OutputInvalid(errors)
    try:
        draft = SegmentDraft.model_validate(data)
    except ValidationError as exc:
        raise OutputInvalid(_pydantic_errors(exc)) from None
    draft.criteria = parse_criteria(draft.criteria).to_json()  # canonical form
    return draft


def parse_flow_answer(data: dict) -> tuple[FlowDefinition, str]:
    """`{"flow": <flow definition>, "explanation"}`."""
    flow, explanation = data.get("flow"), data.get("explanation", "")
    if not isinstance(flow, dict):
        raise OutputInvalid(['flow: required, the flow definition object {"name", "trigger", ...}'])
    if not isinstance(explanation, str):
        raise OutputInvalid(["explanation: must be a string"])
    try:
        return FlowDefinition.model_validate(flow), explanation[:2000]
    except ValidationError as exc:
        raise OutputInvalid(_pydantic_errors(exc, "flow.")) from None


def parse_campaign_answer(data: dict) -> CampaignPlan:
    audience = data.get("audience")
    criteria = audience.get("criteria") if isinstance(audience, dict) else None
    errors = _criteria_errors(criteria, "audience.criteria")
    if errors:
        raise OutputInvalid(errors)
    try:
        plan = CampaignPlan.model_validate(data)
    except ValidationError as exc:
        raise OutputInvalid(_pydantic_errors(exc)) from None
    plan.audience.criteria = parse_criteria(plan.audience.criteria).to_json()
    return plan
