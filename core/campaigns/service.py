"""Creating and editing campaigns (rows only; starting and steering workflows is the API's)."""

from sqlalchemy import delete
from sqlmodel import Session

from core.campaigns import lifecycle
from core.campaigns.content import campaign_steps
from core.models import Campaign, CampaignStep, Flow, Segment
from core.schemas.campaign import CampaignCreate, CampaignUpdate, StepIn
from core.timeutil import utcnow


class CampaignInputError(ValueError):
    """Input that refers to something missing or cannot apply now; `status` is the HTTP code."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


def _check_refs(session: Session, segment_id: int | None, flow_id: int | None) -> None:
    if segment_id is not None and session.get(Segment, segment_id) is None:
        raise CampaignInputError(422, f"segment {segment_id} does not exist", "segment_id")
    if flow_id is not None and session.get(Flow, flow_id) is None:
        raise CampaignInputError(422, f"flow {flow_id} does not exist", "flow_id")


def _replace_steps(session: Session, campaign: Campaign, steps: list[StepIn]) -> None:
    session.execute(delete(CampaignStep).where(CampaignStep.campaign_id == campaign.id))
    for position, step in enumerate(steps):
        session.add(
            CampaignStep(
                campaign_id=campaign.id,
                position=position,
                channel=step.channel or campaign.channel,
                **step.model_dump(exclude={"channel"}),
            )
        )


def _set_ab(campaign: Campaign, body) -> None:
    if body.ab_test is not None:
        campaign.kind = "ab_test"
        campaign.ab_test_percent = body.ab_test.test_percent
        campaign.ab_winner_metric = body.ab_test.winner_metric
        campaign.ab_wait_seconds = body.ab_test.wait_seconds


def create_campaign(session: Session, body: CampaignCreate) -> Campaign:
    _check_refs(session, body.segment_id, body.flow_id)
    campaign = Campaign(
        name=body.name,
        channel=body.channel,
        segment_id=body.segment_id,
        flow_id=body.flow_id,
        kind="flow" if body.flow_id is not None else "standard",
        send_rate_per_second=body.send_rate_per_second,
    )
    _set_ab(campaign, body)
    session.add(campaign)
    session.flush()
    _replace_steps(session, campaign, body.build_steps())
    session.flush()
    return campaign


# What may change once a workflow exists (scheduled): what the run reads at send time.
_SCHEDULED_EDITABLE = {"name", "segment_id", "subject", "preheader", "html", "text", "title"}
_SCHEDULED_EDITABLE |= {"body", "deep_link", "steps"}


def update_campaign(session: Session, campaign: Campaign, body: CampaignUpdate) -> Campaign:
    changes = body.model_dump(exclude_unset=True)
    if set(changes) - {"name"}:
        try:
            lifecycle.check("edit", campaign.status)
        except lifecycle.IllegalTransition as exc:
            raise CampaignInputError(409, str(exc)) from None
        if campaign.status == lifecycle.SCHEDULED:
            fixed = sorted(set(changes) - _SCHEDULED_EDITABLE)
            if fixed:
                raise CampaignInputError(
                    409,
                    f"cannot change {', '.join(fixed)} of a scheduled campaign: its run has "
                    "started; cancel it and create a new campaign",
                    fixed[0],
                )
    old_channel = campaign.channel
    for name in ("name", "channel"):
        if changes.get(name) is not None:
            setattr(campaign, name, changes[name])
    if "segment_id" in changes or "flow_id" in changes:
        _check_refs(session, changes.get("segment_id"), changes.get("flow_id"))
    if "segment_id" in changes:
        campaign.segment_id = changes["segment_id"]
    if "flow_id" in changes:
        campaign.flow_id = changes["flow_id"]
        campaign.kind = "flow" if campaign.flow_id is not None else "standard"
    if "send_rate_per_second" in changes:
        campaign.send_rate_per_second = changes["send_rate_per_second"]
    if body.ab_test is not None:
        _set_ab(campaign, body)
    elif "ab_test" in changes:  # explicit null: no longer an A/B test
        campaign.kind = "flow" if campaign.flow_id is not None else "standard"
        campaign.ab_test_percent = campaign.ab_winner_metric = campaign.ab_wait_seconds = None
    if body.content_given():
        new_steps = body.build_steps()
        if body.steps is None:
            # The simple form edits the single step's fields and keeps the rest.
            current = campaign_steps(session, campaign.id)
            base = StepIn(**_step_fields(current[0])) if current else StepIn()
            fields = set(StepIn.model_fields) - {"channel"}
            new_steps = [
                base.model_copy(update=body.model_dump(exclude_unset=True, include=fields))
            ]
            # ...and the steps on the other channel.
            new_steps += [StepIn(**_step_fields(s)) for s in current if s.channel != old_channel]
        _replace_steps(session, campaign, new_steps)
    elif "channel" in changes:
        for step in campaign_steps(session, campaign.id):
            if step.channel == old_channel:
                step.channel = campaign.channel
                session.add(step)
    _check_kind(session, campaign)
    campaign.updated_at = utcnow()
    session.add(campaign)
    session.flush()
    return campaign


def _step_fields(step: CampaignStep) -> dict:
    return {name: getattr(step, name) for name in StepIn.model_fields}


def _check_kind(session: Session, campaign: Campaign) -> None:
    all_steps = campaign_steps(session, campaign.id)
    steps = [s for s in all_steps if s.channel == campaign.channel]  # the A/B variants
    others = [s.channel for s in all_steps if s.channel != campaign.channel]
    if len(set(others)) != len(others):
        raise CampaignInputError(
            422, "steps: give one step per channel besides the campaign's own", "steps"
        )
    if all_steps and all_steps[0].channel != campaign.channel:
        raise CampaignInputError(
            422, "steps[0].channel: the first step is on the campaign's channel", "steps"
        )
    if campaign.kind == "ab_test":
        if len(steps) < 2 or sum(s.split_percent for s in steps) != 100:
            raise CampaignInputError(
                422, "steps: an A/B test needs two or more variants splitting 100 %", "steps"
            )
    elif len(steps) > 1:
        raise CampaignInputError(422, "steps: several variants need an ab_test", "steps")
    if campaign.kind == "flow" and all_steps:
        raise CampaignInputError(
            422, "flow_id: a flow campaign sends the flow's messages, not its own", "flow_id"
        )
