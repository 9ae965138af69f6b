"""Product and order request and response models."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from core.schemas.common import STRICT, NonEmptyStr
from core.timeutil import UtcDatetime

Money = Decimal


class ProductCreate(BaseModel):
    model_config = STRICT

    name: NonEmptyStr = Field(max_length=200)
    sku: NonEmptyStr = Field(max_length=64)
    category: NonEmptyStr = Field(max_length=100)
    price: Money = Field(ge=0, max_digits=12, decimal_places=2)


class ProductPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    sku: str
    category: str
    price: float
    created_at: UtcDatetime


class OrderItemCreate(BaseModel):
    model_config = STRICT

    product_id: int = Field(gt=0)
    quantity: int = Field(gt=0, le=100_000)
    # Defaults to the product's current price when omitted.
    unit_price: Money | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)


class OrderCreate(BaseModel):
    model_config = STRICT

    customer_id: int = Field(gt=0)
    items: list[OrderItemCreate] = Field(min_length=1, max_length=500)
    placed_at: UtcDatetime | None = None
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


class OrderItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: int
    category: str
    quantity: int
    unit_price: float


class OrderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    placed_at: UtcDatetime
    total: float
    currency: str
    items: list[OrderItemPublic] = []
