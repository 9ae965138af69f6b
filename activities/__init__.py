"""Activities do all the I/O. `build_activities` wires them to their dependencies for a worker."""

from sqlalchemy.engine import Engine

from core.config import Settings


def build_activities(settings: Settings, engine: Engine) -> list:
    from activities.campaign import CampaignActivities
    from activities.flow import FlowActivities
    from activities.flow_cohort import FlowCohortActivities
    from activities.flow_entry import FlowEntryActivities
    from activities.messaging import MessagingActivities
    from activities.system import SystemActivities
    from core.messaging.sender import MessageSender

    # One sender per worker: one SMTP connection pool and one template cache for every sender
    # of messages (campaigns, flows, cohorts, the generic activity).
    sender = MessageSender(engine, settings)
    system = SystemActivities(engine)
    messaging = MessagingActivities(sender)
    flows = FlowActivities(engine, settings, sender)
    flow_entries = FlowEntryActivities(engine, settings)
    flow_cohorts = FlowCohortActivities(engine, settings, sender)
    campaigns = CampaignActivities(settings, engine, sender)
    return [
        system.count_customers,
        messaging.send_messages,
        flows.flow_run_step,
        flows.flow_evaluate_condition,
        flow_entries.flow_segment_entry,
        flow_entries.enroll_audience_in_flow,
        flow_cohorts.flow_cohort_step,
        flow_cohorts.flow_cohort_zones,
        flow_cohorts.flow_cohort_split,
        campaigns.snapshot_audience,
        campaigns.send_batch,
        campaigns.mirror,
        campaigns.pick_winner,
        campaigns.send_test,
    ]
