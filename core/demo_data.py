"""A believable demo store: products in categories, customers across countries and timezones,
two years of orders with seasonality, and browsing events.

Rows are generated in chunks and written with bulk `INSERT`s (never one ORM object at a time),
and the aggregates are computed by the database with `INSERT ... SELECT ... GROUP BY`, so a
million customers with their orders take minutes, in flat memory.

    python -m scripts.seed --customers 1000000
"""

import bisect
import random
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, insert, select
from sqlalchemy.engine import Engine

from core.models import (
    Customer,
    CustomerMetrics,
    CustomerPreferences,
    CustomerProductAffinity,
    Event,
    Order,
    OrderItem,
    Product,
    ProductSalesMetrics,
)

CHUNK = 20_000

# country, weight, [(city, timezone)]
COUNTRIES = [
    (
        "US",
        30,
        [
            ("New York", "America/New_York"),
            ("Chicago", "America/Chicago"),
            ("Denver", "America/Denver"),
            ("Los Angeles", "America/Los_Angeles"),
        ],
    ),
    ("GB", 12, [("London", "Europe/London"), ("Manchester", "Europe/London")]),
    ("DE", 10, [("Berlin", "Europe/Berlin"), ("Munich", "Europe/Berlin")]),
    ("FR", 9, [("Paris", "Europe/Paris"), ("Lyon", "Europe/Paris")]),
    ("CA", 6, [("Toronto", "America/Toronto"), ("Vancouver", "America/Vancouver")]),
    ("AU", 5, [("Sydney", "Australia/Sydney"), ("Perth", "Australia/Perth")]),
    ("JP", 5, [("Tokyo", "Asia/Tokyo")]),
    ("BR", 5, [("São Paulo", "America/Sao_Paulo")]),
    ("IN", 8, [("Mumbai", "Asia/Kolkata"), ("Bangalore", "Asia/Kolkata")]),
    ("ES", 5, [("Madrid", "Europe/Madrid")]),
    ("NL", 5, [("Amsterdam", "Europe/Amsterdam")]),
]
FIRST_NAMES = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "Katherine",
    "Guido",
    "Sophie",
    "Yukihiro",
    "Anita",
    "Donald",
    "Lea",
    "Mateo",
    "Amara",
    "Priya",
    "Kenji",
    "Lucia",
    "Noah",
    "Olivia",
    "Liam",
    "Emma",
    "Hugo",
    "Chloe",
    "Ines",
    "Omar",
    "Sara",
    "Jonas",
    "Mia",
    "Leo",
    "Zoe",
    "Ravi",
    "Aiko",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Garcia",
    "Müller",
    "Martin",
    "Rossi",
    "Tanaka",
    "Silva",
    "Kumar",
    "Dubois",
    "Schmidt",
    "Brown",
    "Lopez",
    "Wilson",
    "Nguyen",
    "Kowalski",
    "Jensen",
    "Novak",
    "Costa",
    "Moreau",
    "Fischer",
    "Patel",
    "Sato",
    "Clark",
    "Young",
    "Walker",
    "Hall",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
]
CATALOG = {
    "shoes": ["Runner", "Trail Runner", "Court Sneaker", "Leather Boot", "Sandal", "Loafer"],
    "apparel": ["Tee", "Hoodie", "Rain Jacket", "Chinos", "Denim Jacket", "Wool Sweater"],
    "accessories": ["Socks 3-pack", "Cap", "Backpack", "Belt", "Beanie", "Sunglasses"],
    "outdoor": ["Tent", "Sleeping Bag", "Headlamp", "Water Bottle", "Trekking Poles"],
    "home": ["Candle", "Throw Blanket", "Mug Set", "Cushion", "Plant Pot"],
    "beauty": ["Face Cream", "Lip Balm", "Shampoo", "Body Lotion", "Sunscreen"],
    "electronics": ["Earbuds", "Charger", "Smart Watch", "Speaker", "Phone Case"],
    "kids": ["Kids Sneaker", "Kids Jacket", "Puzzle", "Plush Toy"],
}
PRICE_RANGE = {
    "shoes": (49, 180),
    "apparel": (15, 140),
    "accessories": (8, 70),
    "outdoor": (12, 400),
    "home": (10, 90),
    "beauty": (6, 60),
    "electronics": (15, 300),
    "kids": (10, 80),
}
# Relative order volume by month (1 = January): a December peak and a summer bump.
SEASONALITY = [0.8, 0.7, 0.85, 0.9, 1.0, 1.1, 1.15, 1.0, 0.95, 1.05, 1.5, 1.9]
EVENT_NAMES = [
    ("viewed_product", 6),
    ("added_to_cart", 2),
    ("page_view", 8),
    ("started_checkout", 1),
    ("searched", 2),
]


def _chunks(rows, size=CHUNK):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed_demo_data(
    engine: Engine,
    customers: int = 2000,
    *,
    seed: int = 42,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
) -> dict[str, int]:
    """Add `customers` customers (and products when there are none) with orders and events."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    start = now - timedelta(days=730)
    counts = {"customers": customers, "orders": 0, "order_items": 0, "events": 0, "products": 0}

    with engine.begin() as conn:
        products = conn.execute(select(Product.id, Product.category, Product.price)).all()
        if not products:
            rows = []
            for category, names in CATALOG.items():
                low, high = PRICE_RANGE[category]
                for index, name in enumerate(names):
                    for edition, suffix in (("", ""), (" Pro", "-P")):
                        price = Decimal(rng.randint(low * 100, high * 100)) / 100
                        rows.append(
                            {
                                "name": f"{name}{edition}",
                                "category": category,
                                "price": price,
                                "sku": f"{category[:3].upper()}-{index:03d}{suffix}",
                                "created_at": start,
                            }
                        )
            conn.execute(insert(Product), rows)
            products = conn.execute(select(Product.id, Product.category, Product.price)).all()
            conn.execute(
                insert(ProductSalesMetrics),
                [
                    {"product_id": p.id, "units_sold": 0, "order_count": 0, "revenue": 0}
                    for p in products
                ],
            )
            counts["products"] = len(products)
        first_id = (conn.execute(select(func.max(Customer.id))).scalar() or 0) + 1
        first_order_id = (conn.execute(select(func.max(Order.id))).scalar() or 0) + 1

    # Popular products sell more: a skewed choice over the catalogue.
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(products))]
    rng.shuffle(weights)
    country_weights = [c[1] for c in COUNTRIES]
    month_weights = SEASONALITY
    span_days = (now - start).days
    day_weights = [month_weights[(start + timedelta(days=d)).month - 1] for d in range(span_days)]
    cum_days = _cumulative(day_weights)
    cum_products = _cumulative(weights)

    order_id = first_order_id
    for offset in range(0, customers, CHUNK):
        size = min(CHUNK, customers - offset)
        customer_rows, pref_rows, order_rows, item_rows, event_rows = [], [], [], [], []
        for i in range(size):
            cid = first_id + offset + i
            country, _w, places = rng.choices(COUNTRIES, weights=country_weights)[0]
            city, tz = rng.choice(places)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            created = start + timedelta(days=rng.uniform(0, span_days - 1))
            customer_rows.append(
                {
                    "id": cid,
                    "email": _ascii(f"{first}.{last}.{cid}@example.com").lower(),
                    "first_name": first,
                    "last_name": last,
                    "country": country,
                    "city": city,
                    "timezone": tz,
                    "phone": None,
                    "attributes": {
                        "vip": rng.random() < 0.05,
                        "loyalty_tier": rng.choice(["bronze", "silver", "gold"]),
                        "signup_source": rng.choice(["web", "app", "store", "referral"]),
                    },
                    "created_at": created,
                    "updated_at": created,
                }
            )
            email_opt_in = rng.random() < 0.85
            pref_rows.append(
                {
                    "customer_id": cid,
                    "email_opt_in": email_opt_in,
                    "push_opt_in": rng.random() < 0.6,
                    "source": "demo",
                    "email_unsubscribed_at": None if email_opt_in else created,
                    "updated_at": created,
                }
            )
            n_orders = min(int(rng.expovariate(0.6)), 12)
            for _ in range(n_orders):
                day = _pick(cum_days, rng)
                placed = start + timedelta(days=day, seconds=rng.randint(0, 86_399))
                if placed < created:
                    placed = created + timedelta(hours=rng.randint(1, 48))
                if placed > now:
                    continue
                total = Decimal("0")
                for _ in range(1 + int(rng.expovariate(1.2))):
                    pid, category, price = products[_pick(cum_products, rng)]
                    quantity = 1 if rng.random() < 0.8 else rng.randint(2, 4)
                    total += Decimal(price) * quantity
                    item_rows.append(
                        {
                            "order_id": order_id,
                            "product_id": pid,
                            "customer_id": cid,
                            "category": category,
                            "placed_at": placed,
                            "quantity": quantity,
                            "unit_price": price,
                        }
                    )
                order_rows.append(
                    {
                        "id": order_id,
                        "customer_id": cid,
                        "placed_at": placed,
                        "total": total,
                        "currency": "USD",
                        "created_at": placed,
                    }
                )
                order_id += 1
            for _ in range(int(rng.expovariate(0.35))):
                name = rng.choices(EVENT_NAMES, weights=[w for _n, w in EVENT_NAMES])[0][0]
                at = now - timedelta(days=rng.uniform(0, 60))
                props = {}
                if name in ("viewed_product", "added_to_cart"):
                    pid, category, _price = products[_pick(cum_products, rng)]
                    props = {"product_id": pid, "category": category}
                event_rows.append(
                    {
                        "customer_id": cid,
                        "name": name,
                        "properties": props,
                        "occurred_at": at,
                        "created_at": at,
                    }
                )
        with engine.begin() as conn:
            conn.execute(insert(Customer), customer_rows)
            conn.execute(insert(CustomerPreferences), pref_rows)
            for batch in _chunks(order_rows):
                conn.execute(insert(Order), batch)
            for batch in _chunks(item_rows):
                conn.execute(insert(OrderItem), batch)
            for batch in _chunks(event_rows):
                conn.execute(insert(Event), batch)
        counts["orders"] += len(order_rows)
        counts["order_items"] += len(item_rows)
        counts["events"] += len(event_rows)
        progress(f"customers {offset + size:,}/{customers:,}")

    progress("computing metrics")
    _aggregate(engine, first_id)
    return counts


def _aggregate(engine: Engine, first_customer_id: int) -> None:
    """Metrics for the new customers and every product, computed by the database."""
    with engine.begin() as conn:
        orders = (
            select(
                Order.customer_id.label("customer_id"),
                func.sum(Order.total).label("total_spent"),
                func.count(Order.id).label("order_count"),
                func.min(Order.placed_at).label("first_order_at"),
                func.max(Order.placed_at).label("last_order_at"),
            )
            .where(Order.customer_id >= first_customer_id)
            .group_by(Order.customer_id)
            .subquery()
        )
        count = func.coalesce(orders.c.order_count, 0)
        conn.execute(
            insert(CustomerMetrics).from_select(
                [
                    "customer_id",
                    "total_spent",
                    "order_count",
                    "avg_order_value",
                    "first_order_at",
                    "last_order_at",
                    "updated_at",
                ],
                select(
                    Customer.id,
                    func.coalesce(orders.c.total_spent, 0),
                    count,
                    case((count > 0, func.round(orders.c.total_spent / count, 2)), else_=0),
                    orders.c.first_order_at,
                    orders.c.last_order_at,
                    func.coalesce(orders.c.last_order_at, Customer.created_at),
                )
                .select_from(Customer)
                .outerjoin(orders, orders.c.customer_id == Customer.id)
                .where(Customer.id >= first_customer_id),
            )
        )
        conn.execute(
            CustomerProductAffinity.__table__.delete().where(
                CustomerProductAffinity.customer_id >= first_customer_id
            )
        )
        conn.execute(
            insert(CustomerProductAffinity).from_select(
                [
                    "customer_id",
                    "product_id",
                    "units",
                    "order_count",
                    "total_spent",
                    "last_purchased_at",
                ],
                select(
                    OrderItem.customer_id,
                    OrderItem.product_id,
                    func.sum(OrderItem.quantity),
                    func.count(func.distinct(OrderItem.order_id)),
                    func.sum(OrderItem.quantity * OrderItem.unit_price),
                    func.max(OrderItem.placed_at),
                )
                .where(OrderItem.customer_id >= first_customer_id)
                .group_by(OrderItem.customer_id, OrderItem.product_id),
            )
        )
        conn.execute(ProductSalesMetrics.__table__.delete())
        conn.execute(
            insert(ProductSalesMetrics).from_select(
                ["product_id", "units_sold", "order_count", "revenue", "last_sold_at"],
                select(
                    Product.id,
                    func.coalesce(func.sum(OrderItem.quantity), 0),
                    func.count(func.distinct(OrderItem.order_id)),
                    func.coalesce(func.sum(OrderItem.quantity * OrderItem.unit_price), 0),
                    func.max(OrderItem.placed_at),
                )
                .select_from(Product)
                .outerjoin(OrderItem, OrderItem.product_id == Product.id)
                .group_by(Product.id),
            )
        )


def _ascii(text: str) -> str:
    """Müller → Muller: demo addresses stay plain ASCII, which every mail server accepts."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _pick(cumulative: list[float], rng: random.Random) -> int:
    return bisect.bisect_left(cumulative, rng.random() * cumulative[-1])
