"""Activities do all the I/O. `build_activities` wires them to their dependencies for a worker."""

from sqlalchemy.engine import Engine

from core.config import Settings


def build_activities(settings: Settings, engine: Engine) -> list:
    from activities.messaging import MessagingActivities
    from activities.system import SystemActivities
    from core.messaging.sender import MessageSender

    system = SystemActivities(engine)
    messaging = MessagingActivities(MessageSender(engine, settings))
    return [system.count_customers, messaging.send_messages]
