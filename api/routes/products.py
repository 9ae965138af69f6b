"""Products of the store."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import select

from api.deps import SessionDep
from api.errors import ApiError
from api.pagination import decode_cursor, page_of
from core.models import Product, ProductSalesMetrics
from core.schemas.commerce import ProductCreate, ProductPublic
from core.schemas.common import Page

router = APIRouter(prefix="/products", tags=["products"])


@router.get("", operation_id="products-list", response_model=Page[ProductPublic])
def list_products(
    session: SessionDep,
    category: Annotated[str | None, Query(max_length=100)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    stmt = select(Product).order_by(Product.id).limit(limit + 1)
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Product.id > after)
    if category:
        stmt = stmt.where(Product.category == category)
    rows, next_cursor = page_of(list(session.exec(stmt)), limit)
    return Page[ProductPublic](data=rows, next_cursor=next_cursor)


@router.post("", operation_id="products-create", status_code=201, response_model=ProductPublic)
def create_product(body: ProductCreate, session: SessionDep):
    if session.exec(select(Product.id).where(Product.sku == body.sku)).first() is not None:
        raise ApiError(409, f"a product with sku {body.sku} already exists", field="sku")
    product = Product.model_validate(body)
    session.add(product)
    session.flush()
    session.add(ProductSalesMetrics(product_id=product.id))
    session.commit()
    return product


@router.get("/{product_id}", operation_id="products-get", response_model=ProductPublic)
def get_product(product_id: int, session: SessionDep):
    product = session.get(Product, product_id)
    if product is None:
        raise ApiError(404, f"product {product_id} not found")
    return product
