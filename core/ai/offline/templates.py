"""Flow and campaign drafts from templates keyed by goal words, filled with the store's figures.

A template is plain data in the shape the API accepts; the answer parsers validate it like any
model answer."""

import re

from core.ai.context import StoreContext

DAY = 86400
HOUR = 3600

HELLO = "<p>Hi {{ first_name }},</p>"
SIGN_OFF = "<p>See you soon,<br>The team</p>"


def _email(subject: str, *paragraphs: str, preheader: str | None = None, key=None) -> dict:
    step = {"type": "SEND_EMAIL", "subject": subject, "html": HELLO + "".join(
        f"<p>{p}</p>" for p in paragraphs) + SIGN_OFF}  # fmt: skip
    if preheader:
        step["preheader"] = preheader
    if key:
        step["key"] = key
    return step


def _push(title: str, body: str) -> dict:
    return {"type": "SEND_PUSH", "title": title, "body": body}


def _wait(seconds: int) -> dict:
    return {"type": "WAIT", "duration_seconds": seconds}


def _within(field: str, amount: int, unit: str) -> dict:
    return {"field": field, "op": "within_last", "value": {"amount": amount, "unit": unit}}


ORDERED_RECENTLY = {"match": "all", "conditions": [_within("last_order_at", 2, "days")]}
LAPSED_90 = {
    "match": "all",
    "conditions": [
        {"field": "order_count", "op": "gte", "value": 1},
        {
            "field": "last_order_at",
            "op": "not_within_last",
            "value": {"amount": 90, "unit": "days"},
        },
    ],
}


def _top_category(ctx: StoreContext) -> str:
    return ctx.categories[0] if ctx.categories else "new"


# --- flows ------------------------------------------------------------------------------------


def welcome_flow(ctx: StoreContext) -> tuple[dict, str]:
    top = _top_category(ctx)
    flow = {
        "name": "Welcome series",
        "description": "Greets new sign-ups, then nudges them towards a first order.",
        "trigger": {"type": "event", "event": "signed_up"},
        "reentry": "once_ever",
        "exit_events": ["placed_order"],
        "steps": [
            _email("Welcome! Here's what's in store", "Thanks for joining us.",
                   f"Our customers' favourite right now is {top}: take a look.",
                   preheader="Glad you're here"),
            _wait(2 * DAY),
            {"type": "CONDITION",
             "criteria": {"match": "all", "conditions": [
                 {"field": "order_count", "op": "gte", "value": 1}]},
             "if_true": [{"type": "EXIT"}], "if_false": []},
            _email("A little something for your first order",
                   "Use code WELCOME10 for 10% off your first order this week."),
            _wait(3 * DAY),
            _push("Your welcome offer ends soon", "10% off your first order: code WELCOME10"),
            {"type": "EXIT"},
        ],
    }  # fmt: skip
    return flow, (
        "Starts on each `signed_up` event (track it with POST /api/events); stops when the "
        "customer orders. A welcome email, then after 2 days a first-order offer by email and "
        "push for those who have not ordered."
    )


def abandoned_cart_flow(_ctx: StoreContext) -> tuple[dict, str]:
    flow = {
        "name": "Abandoned cart",
        "description": "Brings back shoppers who added to cart without ordering.",
        "trigger": {"type": "event", "event": "added_to_cart"},
        "reentry": "once_at_a_time",
        "exit_events": ["placed_order"],
        "steps": [
            _wait(1 * HOUR),
            {"type": "CONDITION", "criteria": ORDERED_RECENTLY, "if_true": [{"type": "EXIT"}],
             "if_false": []},
            _email("You left something in your cart",
                   "Your cart is saved and waiting for you.",
                   "Questions about sizing or delivery? Just reply to this email."),
            _wait(1 * DAY),
            {"type": "CONDITION", "criteria": ORDERED_RECENTLY, "if_true": [{"type": "EXIT"}],
             "if_false": []},
            _push("Still thinking it over?", "Your cart is waiting, and it's selling fast."),
            {"type": "EXIT"},
        ],
    }  # fmt: skip
    return flow, (
        "Starts on `added_to_cart`; waits an hour, then emails and a day later pushes, skipping "
        "anyone who ordered in the meantime (and exiting on `placed_order`)."
    )


def win_back_flow(_ctx: StoreContext) -> tuple[dict, str]:
    flow = {
        "name": "Win-back",
        "description": "Re-engages customers who have not ordered for 90 days.",
        "trigger": {"type": "segment", "criteria": LAPSED_90},
        "reentry": "once_at_a_time",
        "exit_events": ["placed_order"],
        "steps": [
            _email("We miss you", "It's been a while, and a lot has changed in the store.",
                   "Come and see what's new."),
            _wait(3 * DAY),
            _email("15% off, just for you", "Here's 15% off your next order: code COMEBACK15.",
                   preheader="Valid for 7 days"),
            _wait(4 * DAY),
            _push("Last chance: 15% off", "Your COMEBACK15 code expires tomorrow."),
            {"type": "EXIT"},
        ],
    }  # fmt: skip
    return flow, (
        "Starts when a customer who has ordered before goes 90 days without an order: a "
        "we-miss-you email, an offer 3 days later, and a last-chance push."
    )


def birthday_flow(_ctx: StoreContext) -> tuple[dict, str]:
    flow = {
        "name": "Birthday",
        "description": "A birthday greeting with a gift.",
        "trigger": {"type": "event", "event": "birthday"},
        "reentry": "every_time",
        "steps": [
            {"type": "WAIT", "until_local_time": "09:00"},
            _email("Happy birthday, {{ first_name }}!", "Happy birthday from all of us.",
                   "Here's 20% off anything this week: code BDAY20."),
            _wait(5 * DAY),
            _push("Your birthday gift is waiting", "20% off with BDAY20, two days left."),
            {"type": "EXIT"},
        ],
    }  # fmt: skip
    return flow, (
        "Starts on a `birthday` event (send one per customer per year with POST /api/events); "
        "emails at 9:00 in the customer's timezone and reminds by push 5 days later."
    )


def launch_flow(ctx: StoreContext) -> tuple[dict, str]:
    top = _top_category(ctx)
    flow = {
        "name": "Product launch",
        "description": f"Teaser, launch and reminder for a new {top} release.",
        "trigger": {"type": "manual"},
        "reentry": "once_ever",
        "steps": [
            _email("Something new is coming", f"Our new {top} collection lands in two days.",
                   "You'll be the first to know."),
            _wait(2 * DAY),
            _email("It's here", f"The new {top} collection is live. Take a look."),
            _wait(1 * DAY),
            _push("New arrivals are live", f"Shop the new {top} collection today."),
            {"type": "EXIT"},
        ],
    }  # fmt: skip
    return flow, (
        f"Enrol an audience (POST /api/flows/{{id}}/enroll): a teaser, the launch email two days "
        f"later and a push reminder. Uses your best-selling category ({top})."
    )


def post_purchase_flow(_ctx: StoreContext) -> tuple[dict, str]:
    flow = {
        "name": "Post-purchase",
        "description": "Thanks buyers and asks for a review.",
        "trigger": {"type": "event", "event": "placed_order"},
        "reentry": "every_time",
        "steps": [
            _wait(1 * DAY),
            _email("Thank you for your order", "Thanks for shopping with us.",
                   "Here are a few tips to get the most out of your purchase."),
            _wait(7 * DAY),
            _email("How did we do?", "We'd love to hear what you think: reply with a review."),
            {"type": "EXIT"},
        ],
    }  # fmt: skip
    return flow, "Starts on each `placed_order` event: a thank-you, then a review request."


def browse_flow(ctx: StoreContext) -> tuple[dict, str]:
    top = _top_category(ctx)
    flow = {
        "name": "Browse abandonment",
        "description": "Follows up on product views that did not lead to a cart.",
        "trigger": {"type": "event", "event": "viewed_product"},
        "reentry": "once_at_a_time",
        "exit_events": ["added_to_cart", "placed_order"],
        "steps": [
            _wait(2 * HOUR),
            _email("Still thinking about it?", "The items you looked at are still in stock.",
                   f"Our {top} bestsellers are a good place to start."),
            {"type": "EXIT"},
        ],
    }  # fmt: skip
    return flow, "Starts on `viewed_product`; one email 2 hours later unless they add to cart."


def generic_flow(goal: str) -> tuple[dict, str]:
    name = goal.strip().rstrip(".")[:60] or "New flow"
    flow = {
        "name": name[0].upper() + name[1:],
        "description": goal[:2000],
        "trigger": {"type": "manual"},
        "steps": [
            _email("A note from us", "We have something we think you'll like."),
            _wait(3 * DAY),
            _push("Don't miss out", "Take a look before it's gone."),
            {"type": "EXIT"},
        ],
    }  # fmt: skip
    return flow, (
        "No template matched that goal, so this is a plain two-touch flow (email, then push "
        "3 days later) to edit. Goal words with templates: welcome, abandoned cart, win-back, "
        "birthday, launch, post-purchase, browse."
    )


FLOW_TEMPLATES = [
    (r"abandon|cart|basket|checkout", abandoned_cart_flow),
    (r"welcome|onboard|sign[- ]?ups?|new (?:customers|subscribers)", welcome_flow),
    (r"win[- ]?back|lapsed|re-?engage|inactive|dormant|churn|miss you|come back", win_back_flow),
    (r"birthday|anniversary", birthday_flow),
    (r"launch|new (?:product|collection|arrival)|release|drop|announce", launch_flow),
    (r"post[- ]purchase|thank|review|after (?:an? )?(?:order|purchase)|cross[- ]sell",
     post_purchase_flow),
    (r"brows|viewed|looked at", browse_flow),
]  # fmt: skip


def flow_for(goal: str, ctx: StoreContext) -> tuple[dict, str]:
    for pattern, build in FLOW_TEMPLATES:
        if re.search(pattern, goal, re.IGNORECASE):
            return build(ctx)
    return generic_flow(goal)


# --- campaigns --------------------------------------------------------------------------------


def _opted_in(channel: str) -> dict:
    return {"field": f"{channel}_opt_in", "op": "eq", "value": True}


CAMPAIGN_TEMPLATES = {
    "launch": {
        "pattern": r"launch|new (?:product|collection|arrival)|release|drop|announce",
        "name": "New collection launch",
        "audience": ("Recent and engaged buyers", [_within("last_order_at", 180, "days")]),
        "timing": (["tuesday", "thursday"], "10:00", "Mid-week mornings, customer's local time."),
        "subjects": ["Just landed: the new {top} collection", "First look: new {top} is here",
                     "{{ first_name }}, you're first in line"],
        "ab": ("Subject: announcement vs. personal", "Just landed: the new {top} collection",
               "{{ first_name }}, you're first in line", "open"),
        "body": ["Our new {top} collection is live.", "Be among the first to shop it."],
    },
    "sale": {
        "pattern": r"sale|discount|promo|offer|black friday|cyber|% off|coupon|clearance",
        "name": "Sale",
        "audience": ("Customers who bought before", [{"field": "order_count", "op": "gte",
                                                       "value": 1}]),
        "timing": (["thursday"], "09:00", "Thursday mornings lead into weekend shopping."),
        "subjects": ["Our sale starts now: up to 30% off", "30% off {top}, this week only",
                     "Your favourites, now on sale"],
        "ab": ("Subject: urgency vs. value", "Ends Sunday: up to 30% off",
               "Your favourites, now up to 30% off", "click"),
        "body": ["Our sale is on: up to 30% off, including {top}.", "It ends Sunday at midnight."],
    },
    "win-back": {
        "pattern": r"win[- ]?back|lapsed|re-?engage|inactive|dormant|churn|miss you|come back",
        "name": "Win-back",
        "audience": ("Lapsed customers (90 days)", LAPSED_90["conditions"]),
        "timing": (["tuesday"], "11:00", "A quieter mid-week inbox leaves room to come back."),
        "subjects": ["We miss you, {{ first_name }}",
                     "It's been a while: 15% off to welcome you back",
                     "See what's new since your last visit"],
        "ab": ("Offer vs. no offer", "We miss you, {{ first_name }}",
               "15% off to welcome you back", "click"),
        "body": ["It's been a while. Here's 15% off your next order: code COMEBACK15."],
    },
    "vip": {
        "pattern": r"vip|loyal|best customers|top customers|thank",
        "name": "VIP appreciation",
        "audience": ("Top spenders", [{"field": "total_spent", "op": "gt", "value": 500}]),
        "timing": (["wednesday"], "18:00", "Evenings suit personal, non-urgent notes."),
        "subjects": ["A thank-you, just for you", "Early access for our best customers",
                     "{{ first_name }}, this one's on us"],
        "ab": ("Perk: early access vs. gift", "Early access for our best customers",
               "{{ first_name }}, this one's on us", "click"),
        "body": ["Thank you for being one of our best customers.",
                 "Enjoy early access to everything new, starting today."],
    },
    "newsletter": {
        "pattern": r"newsletter|update|news|digest|roundup|content",
        "name": "Monthly newsletter",
        "audience": ("Everyone subscribed", []),
        "timing": (["tuesday"], "08:00", "Early mornings catch the first inbox check."),
        "subjects": ["What's new this month", "This month: new {top} and more",
                     "Your monthly roundup"],
        "ab": ("Subject: generic vs. specific", "What's new this month",
               "This month: new {top} and more", "open"),
        "body": ["Here's what's new this month, from the latest {top} to our favourite picks."],
    },
}  # fmt: skip


def campaign_for(
    goal: str, ctx: StoreContext, audience: tuple[dict, str, str] | None = None
) -> dict:
    """The plan as a dict for parse_campaign_answer. `audience` (criteria, name, explanation),
    when given, comes from the goal's own words and replaces the template's."""
    key = next(
        (k for k, t in CAMPAIGN_TEMPLATES.items() if re.search(t["pattern"], goal, re.I)),
        "newsletter",
    )
    t = CAMPAIGN_TEMPLATES[key]
    top = _top_category(ctx)
    channel = "push" if re.search(r"\bpush\b", goal, re.IGNORECASE) else "email"
    fill = lambda text: text.replace("{top}", top)  # noqa: E731
    if audience is None:
        name, conditions = t["audience"]
        criteria = {"match": "all", "conditions": [*conditions, _opted_in(channel)]}
        audience = (criteria, name, f"{name}, opted in to {channel}.")
    criteria, audience_name, audience_why = audience
    subjects = [fill(s) for s in t["subjects"]]
    html = HELLO + "".join(f"<p>{fill(p)}</p>" for p in t["body"]) + SIGN_OFF
    if channel == "email":
        draft = {"name": t["name"], "channel": "email", "subject": subjects[0], "html": html}
    else:
        body = re.sub(r"<[^>]+>", " ", fill(" ".join(t["body"])))
        draft = {"name": t["name"], "channel": "push", "title": subjects[0], "body": body}
    days, time, why = t["timing"]
    ab_name, a, b, metric = t["ab"]
    return {
        "audience": {"name": audience_name, "criteria": criteria, "explanation": audience_why},
        "channel": channel,
        "timing": {"days": days, "local_time": time, "timezone": "customer",
                   "rationale": why + _history_note(ctx)},
        "subject_lines": subjects,
        "ab_ideas": [{"name": ab_name, "variant_a": fill(a), "variant_b": fill(b),
                      "metric": metric, "hypothesis": "Test on 20% of the audience for 4 hours, "
                      "then send the winner to the rest."}],
        "campaign": draft,
        "explanation": f"The {key} template, filled with your store's best-selling category "
                       f"({top}).",
    }  # fmt: skip


def _history_note(ctx: StoreContext) -> str:
    rated = [c for c in ctx.recent_campaigns if c.get("open_rate") is not None]
    if not rated:
        return ""
    best = max(rated, key=lambda c: c["open_rate"])
    return f" Your best recent campaign, {best['name']!r}, opened at {best['open_rate']:.0%}."
