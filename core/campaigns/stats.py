"""Campaign statistics from the message log (one grouped query, never rows in Python)."""

from sqlalchemy import case, func, select
from sqlmodel import Session

from core.campaigns.ab import VariantScore
from core.models import CampaignStep, Message


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def campaign_stats(session: Session, campaign_id: int) -> dict:
    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(
        select(
            func.count(Message.id),
            count_if(Message.status == "pending"),
            count_if(Message.status == "sent"),
            count_if(Message.status == "failed"),
            count_if(Message.status == "skipped"),
            count_if(Message.first_opened_at.is_not(None)),
            count_if(Message.first_clicked_at.is_not(None)),
            count_if(Message.unsubscribed_at.is_not(None)),
        ).where(Message.campaign_id == campaign_id)
    ).one()
    total, pending, sent, failed, skipped, opened, clicked, unsubscribed = (int(v) for v in row)
    # The channels hand a message over (outbox, SMTP accept, push gateway): sent is delivered.
    delivered = sent
    return {
        "campaign_id": campaign_id,
        "total": total,
        "pending": pending,
        "sent": sent,
        "delivered": delivered,
        "failed": failed,
        "skipped": skipped,
        "opened": opened,
        "clicked": clicked,
        "unsubscribed": unsubscribed,
        "delivery_rate": _rate(delivered, sent + failed),
        "open_rate": _rate(opened, delivered),
        "click_rate": _rate(clicked, delivered),
        "unsubscribe_rate": _rate(unsubscribed, delivered),
        "variants": [
            {
                "step_id": s.step_id,
                "variant": variant,
                "sent": s.sent,
                "opened": s.opened,
                "clicked": s.clicked,
            }
            for s, variant in variant_scores(session, campaign_id)
        ],
        "channels": channel_stats(session, campaign_id),
    }


def channel_stats(session: Session, campaign_id: int) -> list[dict]:
    """Per channel: messages in the log and their outcomes (a campaign may send email and push)."""

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(
        select(
            Message.channel,
            func.count(Message.id),
            count_if(Message.status == "sent"),
            count_if(Message.status == "failed"),
            count_if(Message.status == "skipped"),
            count_if(Message.first_opened_at.is_not(None)),
            count_if(Message.first_clicked_at.is_not(None)),
        )
        .where(Message.campaign_id == campaign_id)
        .group_by(Message.channel)
        .order_by(Message.channel)
    ).all()
    names = ("total", "sent", "failed", "skipped", "opened", "clicked")
    return [
        {"channel": r[0], **dict(zip(names, (int(v) for v in r[1:]), strict=True))} for r in rows
    ]


def variant_scores(session: Session, campaign_id: int) -> list[tuple[VariantScore, str]]:
    """Per step: messages sent, opened and clicked (for A/B winners and the stats)."""
    sent = func.coalesce(func.sum(case((Message.status == "sent", 1), else_=0)), 0)
    opened = func.coalesce(func.sum(case((Message.first_opened_at.is_not(None), 1), else_=0)), 0)
    clicked = func.coalesce(func.sum(case((Message.first_clicked_at.is_not(None), 1), else_=0)), 0)
    rows = session.execute(
        select(CampaignStep.id, CampaignStep.position, CampaignStep.variant, sent, opened, clicked)
        .select_from(CampaignStep)
        .join(
            Message,
            (Message.campaign_step_id == CampaignStep.id) & (Message.campaign_id == campaign_id),
            isouter=True,
        )
        .where(CampaignStep.campaign_id == campaign_id)
        .group_by(CampaignStep.id, CampaignStep.position, CampaignStep.variant)
        .order_by(CampaignStep.position)
    ).all()
    return [(VariantScore(r[0], r[1], int(r[3]), int(r[4]), int(r[5])), r[2]) for r in rows]
