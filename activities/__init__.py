"""Activities do all the I/O. `build_activities` wires them to their dependencies for a worker."""

from sqlalchemy.engine import Engine

from core.config import Settings


def build_activities(settings: Settings, engine: Engine) -> list:
    from activities.system import SystemActivities

    system = SystemActivities(engine)
    return [system.count_customers]
