"""All routers, gathered in one place."""

from fastapi import APIRouter, Depends

from api.deps import get_current_principal
from api.routes import (
    ai,
    api_keys,
    auth,
    campaigns,
    customers,
    events,
    flow_runs,
    flows,
    health,
    messages,
    metrics,
    orders,
    products,
    prometheus,
    public_links,
    segments,
    templates,
)

# Everything under /api needs a principal, except logging in.
protected = APIRouter(dependencies=[Depends(get_current_principal)])
protected.include_router(customers.router)
protected.include_router(products.router)
protected.include_router(orders.router)
protected.include_router(events.router)
protected.include_router(segments.router)
protected.include_router(api_keys.router)
protected.include_router(metrics.router)
protected.include_router(campaigns.router)
protected.include_router(flows.router)
protected.include_router(flow_runs.router)
protected.include_router(ai.router)
protected.include_router(messages.router)
protected.include_router(templates.router)

api_router = APIRouter(prefix="/api")
api_router.include_router(auth.router)
api_router.include_router(protected)

public_router = APIRouter()
public_router.include_router(health.router)
public_router.include_router(prometheus.router)
public_router.include_router(public_links.router)
