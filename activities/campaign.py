"""Campaign activities: snapshot the audience, send one keyset page, mirror status, pick A/B
winners, and test sends. Every database write is idempotent so any of them can be retried."""

import asyncio
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.campaigns import ab, lifecycle
from core.campaigns.content import campaign_steps, channels_of, step_content
from core.campaigns.stats import variant_scores
from core.config import Settings
from core.db import session_scope
from core.messaging import MessageSender, Recipient, SendOutcome
from core.models import AudienceMember, Campaign, Customer, Message, Segment
from core.timeutil import utcnow
from workflows.campaign_types import (
    MirrorInput,
    SendBatchInput,
    SendBatchResult,
    SnapshotInput,
    SnapshotResult,
    TestSendInput,
    WinnerInput,
)

AM = AudienceMember.__table__
M = Message.__table__


def campaign_key(campaign_id: int, customer_id: int, channel: str | None = None) -> str:
    """One message per (campaign, customer, channel); the primary channel keeps the short key."""
    if channel is None:
        return f"campaign:{campaign_id}:{customer_id}"
    return f"campaign:{campaign_id}:{customer_id}:{channel}"


class CampaignActivities:
    def __init__(self, settings: Settings, engine: Engine, sender: MessageSender | None = None):
        self.settings = settings
        self.engine = engine
        self.sender = sender or MessageSender(engine, settings)

    @activity.defn(name="snapshot_campaign_audience")
    def snapshot_audience(self, data: SnapshotInput) -> SnapshotResult:
        """Freeze the segment's members as of the send time; a retry returns the same audience."""
        from core.segments import CriteriaError, snapshot_audience

        with session_scope(self.engine) as session:
            campaign = self._campaign(session, data.campaign_id, lock=True)
            # Progress counts messages: each recipient gets one per channel.
            per_recipient = len(channels_of(campaign_steps(session, campaign.id), campaign.channel))
            if campaign.audience_id is not None:
                size = session.execute(
                    select(func.count())
                    .select_from(AM)
                    .where(AM.c.audience_id == campaign.audience_id)
                ).scalar_one()
                return SnapshotResult(audience_id=campaign.audience_id, total=size * per_recipient)
            segment = session.get(Segment, campaign.segment_id) if campaign.segment_id else None
            if segment is None:
                raise ApplicationError(
                    "the campaign's segment no longer exists", type="NoSegment", non_retryable=True
                )
            try:
                audience = snapshot_audience(session, segment.criteria, data.as_of, segment.id)
            except CriteriaError as exc:
                raise ApplicationError(
                    f"the segment's criteria are invalid: {exc}",
                    type="BadCriteria",
                    non_retryable=True,
                ) from None
            campaign.audience_id = audience.id
            session.add(campaign)
            return SnapshotResult(audience_id=audience.id, total=audience.size * per_recipient)

    @activity.defn(name="send_campaign_batch")
    async def send_batch(self, data: SendBatchInput) -> SendBatchResult:
        """Send one keyset page of the audience (customer_id > after) through the sender.

        When some rows were already finished (a retry after a crash), the counts come from the
        message log for this page's keys, so the batch reports what was really sent, once.
        """
        page, steps, primary = await _to_thread(self._load_page, data)
        result = SendBatchResult(
            scanned=len(page),
            last_customer_id=page[-1] if page else data.after_customer_id,
            attempted=0,
        )
        groups = self._assign(data, page, steps, primary)
        keys = {
            step_id: (
                lambda cid, ch=s.channel: campaign_key(
                    data.campaign_id, cid, None if ch == primary else ch
                )
            )
            for step_id, s in steps.items()
        }
        total = SendOutcome()
        for step_id, customer_ids in groups.items():
            step = steps[step_id]
            recipients = [
                Recipient(
                    customer_id=cid,
                    idempotency_key=keys[step_id](cid),
                    campaign_id=data.campaign_id,
                    campaign_step_id=step_id,
                )
                for cid in customer_ids
            ]
            base = result.attempted
            outcome = await self.sender.send_batch(
                step_content(step.channel, step),
                recipients,
                heartbeat=lambda done, base=base: activity.heartbeat(base + done),
            )
            result.attempted += len(recipients)
            total.add(outcome)
        if total.retry_later:
            # Transient failures stay pending; retrying the activity retries only them.
            raise ApplicationError(f"{total.retry_later} messages must be retried later")
        if total.already_done:
            # A retry (e.g. after a crash): what the lost attempt did is in the log, not here.
            counted = await _to_thread(self._count, groups, keys)
            result.sent, result.failed, result.skipped, result.pending = counted
        else:
            result.sent, result.failed, result.skipped = total.sent, total.failed, total.skipped
        return result

    def _load_page(self, data: SendBatchInput):
        with Session(self.engine) as session:
            stmt = (
                select(AM.c.customer_id)
                .where(
                    AM.c.audience_id == data.audience_id,
                    AM.c.customer_id > data.after_customer_id,
                )
                .order_by(AM.c.customer_id)
                .limit(data.limit)
            )
            if data.lanes > 1:
                stmt = stmt.where(AM.c.customer_id % data.lanes == data.lane)
            page = list(session.execute(stmt).scalars())
            campaign = self._campaign(session, data.campaign_id)
            steps = {s.id: s for s in campaign_steps(session, data.campaign_id)}
        if not any(s.channel == campaign.channel for s in steps.values()):
            raise ApplicationError(
                "the campaign has no message to send", type="NoContent", non_retryable=True
            )
        return page, steps, campaign.channel

    def _assign(
        self, data: SendBatchInput, page: list[int], steps: dict, primary: str
    ) -> dict[int, list[int]]:
        """Which step each customer of the page gets in this phase (absent: not in this phase).

        The primary channel's steps are the A/B variants; a step on another channel goes to
        everyone the phase sends to."""
        ordered = sorted(
            (s for s in steps.values() if s.channel == primary), key=lambda s: (s.position, s.id)
        )
        others = [s for s in steps.values() if s.channel != primary]
        groups: dict[int, list[int]] = {}
        if data.phase == "all":
            groups[ordered[0].id] = page
        elif data.phase == "ab_test":
            splits = [(s.id, s.split_percent) for s in ordered]
            for cid in page:
                if ab.in_test_group(data.campaign_id, cid, data.ab_test_percent or 0):
                    groups.setdefault(ab.pick_variant(data.campaign_id, cid, splits), []).append(
                        cid
                    )
        elif data.phase == "ab_rest":
            winner = data.winner_step_id if data.winner_step_id in steps else ordered[0].id
            groups[winner] = [
                cid
                for cid in page
                if not ab.in_test_group(data.campaign_id, cid, data.ab_test_percent or 0)
            ]
        else:
            raise ApplicationError(f"unknown phase {data.phase!r}", non_retryable=True)
        phase_ids = sorted(cid for ids in groups.values() for cid in ids)
        for step in others:
            groups[step.id] = phase_ids
        return {k: v for k, v in groups.items() if v}

    def _count(self, groups: dict[int, list[int]], key_of: dict) -> tuple[int, int, int, int]:
        keys = [key_of[step_id](cid) for step_id, ids in groups.items() for cid in ids]
        by_status: dict[str, int] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 1000):
                stmt = (
                    select(M.c.status, func.count())
                    .where(M.c.idempotency_key.in_(keys[start : start + 1000]))
                    .group_by(M.c.status)
                )
                for status, n in conn.execute(stmt):
                    by_status[status] = by_status.get(status, 0) + n
        # A customer deleted since the snapshot has no message row: it counts as skipped.
        missing = len(keys) - sum(by_status.values())
        return (
            by_status.get("sent", 0),
            by_status.get("failed", 0),
            by_status.get("skipped", 0) + missing,
            by_status.get("pending", 0),
        )

    @activity.defn(name="mirror_campaign")
    def mirror(self, data: MirrorInput) -> None:
        """Copy the workflow's status and counts into the Campaign row (the API reads it)."""
        now = utcnow()
        values = {
            "status": data.status,
            "total": data.total,
            "sent": data.sent,
            "failed": data.failed,
            "skipped": data.skipped,
            "error": data.error,
            "scheduled_at": data.scheduled_at,
            "updated_at": now,
        }
        if data.audience_id is not None:
            values["audience_id"] = data.audience_id
        table = Campaign.__table__
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == data.campaign_id).values(**values))
            if data.status == lifecycle.SENDING:
                conn.execute(
                    update(table)
                    .where(table.c.id == data.campaign_id, table.c.started_at.is_(None))
                    .values(started_at=now)
                )
            if data.status in lifecycle.CLOSED:
                conn.execute(
                    update(table)
                    .where(table.c.id == data.campaign_id, table.c.completed_at.is_(None))
                    .values(completed_at=now)
                )

    @activity.defn(name="pick_ab_winner")
    def pick_winner(self, data: WinnerInput) -> int:
        with session_scope(self.engine) as session:
            scores = [score for score, _ in variant_scores(session, data.campaign_id)]
            if not scores:
                raise ApplicationError("the campaign has no variants", non_retryable=True)
            winner = ab.winner(scores, data.metric)
            campaign = self._campaign(session, data.campaign_id)
            campaign.ab_winner_step_id = winner
            session.add(campaign)
            return winner

    @activity.defn(name="send_campaign_test")
    async def send_test(self, data: TestSendInput) -> dict:
        """Send the campaign's content now to the customers with these addresses (not counted
        in the campaign's stats: the messages carry no campaign_id)."""
        customers, steps, channel = await _to_thread(self._test_targets, data)
        step = next((s for s in steps if s.variant == data.variant), steps[0])
        channel = step.channel or channel
        run_key = data.run_key or uuid.uuid4().hex
        recipients = [
            Recipient(customer_id=cid, idempotency_key=f"test:{data.campaign_id}:{run_key}:{cid}")
            for cid in customers
        ]
        outcome = await self.sender.send_batch(step_content(channel, step), recipients)
        return {"sent": outcome.sent, "failed": outcome.failed, "skipped": outcome.skipped}

    def _test_targets(self, data: TestSendInput):
        with Session(self.engine) as session:
            campaign = self._campaign(session, data.campaign_id)
            steps = campaign_steps(session, data.campaign_id)
            emails = [e.lower() for e in data.emails]
            ids = list(
                session.execute(select(Customer.id).where(Customer.email.in_(emails))).scalars()
            )
        if not steps:
            raise ApplicationError("the campaign has no message", non_retryable=True)
        return ids, steps, campaign.channel

    @staticmethod
    def _campaign(session: Session, campaign_id: int, lock: bool = False) -> Campaign:
        stmt = select(Campaign).where(Campaign.id == campaign_id)
        if lock:
            stmt = stmt.with_for_update()
        campaign = session.execute(stmt).scalars().first()
        if campaign is None:
            raise ApplicationError(
                f"campaign {campaign_id} was deleted", type="NotFound", non_retryable=True
            )
        return campaign


async def _to_thread(fn, *args):
    return await asyncio.to_thread(fn, *args)
