"""Templates: check one before saving it, and preview it for a customer."""

from fastapi import APIRouter
from sqlmodel import select

from api.deps import SessionDep, SettingsDep
from api.errors import ApiError
from core.messaging.preview import render_preview
from core.messaging.sender import MessageContent
from core.messaging.templates import validate_template
from core.models import Customer
from core.schemas.message import (
    TemplateCheck,
    TemplateContent,
    TemplatePreview,
    TemplatePreviewRequest,
)

router = APIRouter(prefix="/templates", tags=["templates"])


@router.post("/validate", operation_id="templates-validate", response_model=TemplateCheck)
def validate(body: TemplateContent):
    """Syntax, unknown variables and sandbox escapes, each naming the part and line."""
    errors = validate_template(MessageContent(**body.model_dump()))
    return TemplateCheck(valid=not errors, errors=errors)


@router.post("/preview", operation_id="templates-preview", response_model=TemplatePreview)
def preview(body: TemplatePreviewRequest, session: SessionDep, settings: SettingsDep):
    """Render for one customer, as it would be sent (links are not tracked in a preview)."""
    content = MessageContent(**body.content.model_dump())
    errors = validate_template(content)
    if errors:
        raise ApiError(422, "; ".join(errors), field="content")
    customer = session.exec(select(Customer).where(Customer.id == body.customer_id)).first()
    if customer is None:
        raise ApiError(404, f"customer {body.customer_id} not found", field="customer_id")
    return render_preview(session, settings, content, customer)
