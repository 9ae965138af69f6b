"""A campaign step as the sender's MessageContent, and the checks run before a launch."""

from sqlmodel import Session, select

from core.messaging import MessageContent, validate_template
from core.models import Campaign, CampaignStep


def step_content(channel: str, step: CampaignStep) -> MessageContent:
    return MessageContent(
        channel=channel,
        subject=step.subject,
        preheader=step.preheader,
        html=step.html,
        text=step.text,
        title=step.title,
        body=step.body,
        deep_link=step.deep_link,
    )


def campaign_steps(session: Session, campaign_id: int) -> list[CampaignStep]:
    stmt = (
        select(CampaignStep)
        .where(CampaignStep.campaign_id == campaign_id)
        .order_by(CampaignStep.position, CampaignStep.id)
    )
    return list(session.exec(stmt))


def channels_of(steps: list[CampaignStep], primary: str) -> list[str]:
    """The campaign's channels, its primary one first (each recipient gets one message each)."""
    return [primary] + sorted({s.channel for s in steps} - {primary})


def launch_problems(campaign: Campaign, steps: list[CampaignStep]) -> list[str]:
    """Why this campaign cannot be sent as it is ([] when it can)."""
    problems: list[str] = []
    if campaign.segment_id is None:
        problems.append("segment_id: choose a segment to send to")
    if campaign.kind == "flow":
        if campaign.flow_id is None:
            problems.append("flow_id: a flow campaign names the flow to enrol its audience in")
        return problems
    if not steps:
        problems.append("content: the campaign has no message (subject and html, or title/body)")
    for step in steps:
        for error in validate_template(step_content(step.channel, step)):
            prefix = f"steps[{step.position}]." if len(steps) > 1 else ""
            problems.append(prefix + error)
    return problems
