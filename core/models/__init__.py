"""All tables. Import from here so that SQLModel.metadata is complete (Alembic relies on it)."""

from core.models.auth import ApiKey, User, UserSession
from core.models.campaign import Campaign, CampaignStep
from core.models.commerce import (
    CustomerProductAffinity,
    Order,
    OrderItem,
    Product,
    ProductSalesMetrics,
)
from core.models.customer import Customer, CustomerMetrics, CustomerPreferences, PushDevice
from core.models.event import Event
from core.models.flow import (
    Flow,
    FlowCohort,
    FlowRun,
    FlowSegmentMember,
    FlowStep,
    FlowVersion,
)
from core.models.message import Message
from core.models.segment import Audience, AudienceMember, Segment
from core.models.segment_indexes import (  # noqa: F401 - registers the indexes
    ix_event_name_occurred_customer,
    ix_order_item_category_placed_customer,
)

__all__ = [
    "ApiKey",
    "Audience",
    "AudienceMember",
    "Campaign",
    "CampaignStep",
    "Customer",
    "CustomerMetrics",
    "CustomerPreferences",
    "CustomerProductAffinity",
    "Event",
    "Flow",
    "FlowCohort",
    "FlowRun",
    "FlowSegmentMember",
    "FlowStep",
    "FlowVersion",
    "Message",
    "Order",
    "OrderItem",
    "Product",
    "ProductSalesMetrics",
    "PushDevice",
    "Segment",
    "User",
    "UserSession",
]
