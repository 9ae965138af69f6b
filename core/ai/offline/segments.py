"""Plain English → segment criteria, without a model.

Each rule is a regular expression that recognises one kind of condition ("spent over $500",
"in the US or UK", "haven't ordered in 6 months", "bought shoes", "viewed products 3 times this
week", "subscribed to email", "VIP"...). Rules find their spans anywhere in the sentence; the
longest wins where they overlap. The words between spans decide how they combine: "or" makes
alternatives, anything else ("and", "who", ",") makes all-of, and "and" binds tighter than "or"
except after a relative clause ("US customers who spent over $500 or have 5+ orders" is US and
(spent or orders)). Words no rule understood are reported in the explanation, never guessed."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.ai.errors import AINotUnderstood
from core.ai.offline.vocabulary import (
    AMOUNT,
    CALENDAR,
    CAPITALS_ONLY,
    COMPARATOR,
    COUNTRIES,
    EVENT_PHRASES,
    NUMBER,
    UNIT,
    amount_value,
    comparator_op,
    to_number,
    window,
)

NEG = r"(?:never|haven't|have not|hasn't|has not|didn't|did not|don't|do not|not|no)"
WINDOW = (
    r"(?:(?:in|within|during|over|for)\s+(?:the\s+)?(?:(?:last|past|previous)\s+)?"
    rf"(?P<wn>{NUMBER})?\s*(?P<wu>{UNIT})"
    r"|(?P<cal>this week|this month|this year|today|recently|lately))"
)
COUNT = (
    rf"(?:(?P<cmp>{COMPARATOR})\s+)?(?:(?P<n>{NUMBER})\s*(?P<plus>\+)?\s*times|(?P<nw>once|twice|thrice))"
    r"(?:\s+or\s+(?P<post>more|less|fewer))?"
)
_COUNTRY_NAMES = sorted(COUNTRIES, key=len, reverse=True)
COUNTRY = r"(?<![\w.])(?:" + "|".join(re.escape(c) for c in _COUNTRY_NAMES) + r")(?![\w])"
# Atomic separators and bounded lists: long repetitive inputs cannot make the engine backtrack.
LIST_SEP = r"(?>\s*(?:,\s*(?:or\b|and\b)?|/|&|\bor\b|\band\b)\s*(?:the\s+)?)"
COUNTRY_LIST = rf"{COUNTRY}(?:{LIST_SEP}{COUNTRY}){{0,20}}"
PEOPLE = r"(?:customers|shoppers|buyers|users|people|subscribers|members|clients|contacts)"


@dataclass
class Found:
    start: int
    end: int
    condition: dict
    label: str


def _window_of(m: re.Match, default: dict | None = None) -> dict | None:
    groups = m.groupdict()
    if groups.get("cal"):
        amount, unit = CALENDAR[groups["cal"].lower()]
        return {"amount": amount, "unit": unit}
    if groups.get("wu"):
        return window(groups.get("wn"), groups["wu"])
    return default


def _window_text(w: dict | None) -> str:
    if not w:
        return ""
    unit = w["unit"][:-1] if w["amount"] == 1 else w["unit"]
    return f" in the last {w['amount']} {unit}" if w["amount"] != 1 else f" in the last {unit}"


def _money(value, currency) -> str:
    sign = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency or "", "")
    return f"{sign}{value:,}" if sign else f"{value:,}"


def _negated(condition: dict) -> dict:
    return {"match": "all", "negate": True, "conditions": [condition]}


# --- rules: each returns (condition, label) or None ----------------------------------------

OP_WORDS = {"gt": "more than", "gte": "at least", "lt": "less than", "lte": "at most", "eq": ""}


def _amount_op(m: re.Match, default: str = "gte") -> str:
    post = (m.groupdict().get("post") or "").lower()
    if post in ("or more", "+", "plus"):
        return "gte"
    if post == "or less":
        return "lte"
    return comparator_op(m.group("cmp"), default)


def spend_between(m, _ctx):
    low, cur = amount_value(m, "a_")
    high, _ = amount_value(m, "b_")
    if low > high:
        low, high = high, low
    cond = {"field": "total_spent", "op": "between", "value": [low, high]}
    return cond, f"spent between {_money(low, cur)} and {_money(high, cur)} in total"


def spend(m, _ctx):
    value, cur = amount_value(m)
    op = _amount_op(m)
    return {"field": "total_spent", "op": op, "value": value}, (
        f"spent {OP_WORDS[op]} {_money(value, cur)} in total".replace("  ", " ")
    )


def aov(m, _ctx):
    value, cur = amount_value(m)
    op = _amount_op(m)
    return {"field": "avg_order_value", "op": op, "value": value}, (
        f"have an average order value of {OP_WORDS[op]} {_money(value, cur)}".replace("  ", " ")
    )


def _count_op(m: re.Match, default: str) -> tuple[str, int]:
    groups = m.groupdict()
    n = to_number(groups.get("n") or groups.get("nw"))
    if groups.get("plus") or (groups.get("post") or "").lower() == "more":
        return "gte", n
    if (groups.get("post") or "").lower() in ("less", "fewer"):
        return "lte", n
    return comparator_op(groups.get("cmp"), default), n


def orders_count(m, _ctx):
    op, n = _count_op(m, "eq")
    noun = "order" if n == 1 else "orders"
    return {"field": "order_count", "op": op, "value": n}, (
        f"placed {OP_WORDS[op]} {n} {noun}".replace("  ", " ")
    )


def orders_times(m, _ctx):
    op, n = _count_op(m, "gte")
    return {"field": "order_count", "op": op, "value": n}, (
        f"placed {OP_WORDS[op]} {n} {'order' if n == 1 else 'orders'}".replace("  ", " ")
    )


def repeat_buyers(_m, _ctx):
    return {"field": "order_count", "op": "gte", "value": 2}, "placed at least 2 orders"


def one_time_buyers(_m, _ctx):
    return {"field": "order_count", "op": "eq", "value": 1}, "placed exactly one order"


def never_ordered(_m, _ctx):
    return {"field": "order_count", "op": "eq", "value": 0}, "never placed an order"


def ordered_within(m, _ctx):
    w = _window_of(m, {"amount": 30, "unit": "days"})
    return {"field": "last_order_at", "op": "within_last", "value": w}, "ordered" + _window_text(w)


def not_ordered_within(m, _ctx):
    w = _window_of(m)
    if w is None:
        return None
    cond = {"field": "last_order_at", "op": "not_within_last", "value": w}
    return cond, "did not order" + _window_text(w)


def last_order_ago(m, _ctx):
    w = window(m.group("an"), m.group("au"))
    cond = {"field": "last_order_at", "op": "more_than_ago", "value": w}
    return cond, f"last ordered more than {w['amount']} {w['unit']} ago"


def inactive_for(m, _ctx):
    w = window(m.group("an"), m.group("au")) if m.group("au") else {"amount": 6, "unit": "months"}
    cond = {
        "match": "all",
        "conditions": [
            {"field": "order_count", "op": "gte", "value": 1},
            {"field": "last_order_at", "op": "not_within_last", "value": w},
        ],
    }
    return cond, f"ordered before but not in the last {w['amount']} {w['unit']}"


def recent_buyers(_m, _ctx):
    w = {"amount": 30, "unit": "days"}
    return {
        "field": "last_order_at",
        "op": "within_last",
        "value": w,
    }, "ordered in the last 30 days"


def first_order_within(m, _ctx):
    w = _window_of(m, {"amount": 30, "unit": "days"})
    cond = {"field": "first_order_at", "op": "within_last", "value": w}
    return cond, "placed their first order" + _window_text(w)


def signed_up_within(m, _ctx):
    w = _window_of(m, {"amount": 30, "unit": "days"})
    return {"field": "created_at", "op": "within_last", "value": w}, "signed up" + _window_text(w)


def _countries(text: str, original: str) -> list[str] | None:
    codes: list[str] = []
    for c in re.finditer(COUNTRY, text, re.IGNORECASE):
        word = c.group(0)
        if word.lower() in CAPITALS_ONLY and original[c.start() : c.end()] != word.upper():
            return None  # "us" the pronoun, not the United States
        code = COUNTRIES[word.lower()]
        if code not in codes:
            codes.append(code)
    return codes or None


def country(m, ctx):
    codes = _countries(m.group("list"), ctx.original[m.start("list") : m.end("list")])
    if not codes:
        return None
    negate = bool(m.groupdict().get("out"))
    if len(codes) == 1:
        cond = {"field": "country", "op": "ne" if negate else "eq", "value": codes[0]}
    else:
        cond = {"field": "country", "op": "not_in" if negate else "in", "value": codes}
    where = " or ".join(codes)
    return cond, (f"live outside {where}" if negate else f"live in {where}")


NOT_CITIES = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "the", "total", "vip", "email", "push",
}  # fmt: skip


def city(m, _ctx):
    names = [n.strip() for n in re.split(r",|\bor\b|\band\b|/", m.group("cities")) if n.strip()]
    if not names or any(n.lower() in COUNTRIES or n.lower() in NOT_CITIES for n in names):
        return None
    if len(names) == 1:
        return {"field": "city", "op": "eq", "value": names[0]}, f"live in {names[0]}"
    return {"field": "city", "op": "in", "value": names}, f"live in {' or '.join(names)}"


def category(m, ctx):
    name = ctx.category_of(m.group("cat"))
    if name is None:
        return None
    negate = bool(m.groupdict().get("neg"))
    w = _window_of(m)
    cond = {"product": {"category": name}, "op": "not_purchased" if negate else "purchased"}
    if w:
        cond["within_last"] = w
    verb = "did not buy" if negate else "bought"
    return cond, f"{verb} {name}" + _window_text(w)


def event(m, ctx):
    name = next((k[3:] for k, v in m.groupdict().items() if k.startswith("ev_") and v), None)
    if name is None:
        return None
    name = ctx.event_names.get(name, name)
    w = _window_of(m)
    verb = EVENT_VERBS.get(name, f"did {name}")
    if m.groupdict().get("neg"):
        cond = {"event": name, "op": "never"}
        label = f"never {verb}"
    elif m.group("n") or m.group("nw"):
        op, n = _count_op(m, "gte")
        if op == "gt":
            op, n = "gte", n + 1
        elif op == "lt":
            op, n = "lte", max(n - 1, 0)
        cond = {"event": name, "op": f"count_{op}", "value": n}
        words = {"gte": "at least", "lte": "at most", "eq": "exactly"}[op]
        label = f"{verb} {words} {n} {'time' if n == 1 else 'times'}"
    else:
        cond = {"event": name, "op": "count_gte", "value": 1}
        label = verb
    if w:
        cond["within_last"] = w
    return cond, label + _window_text(w)


EVENT_VERBS = {
    "viewed_product": "viewed products",
    "added_to_cart": "added to cart",
    "started_checkout": "started checkout",
    "searched": "searched",
    "page_view": "viewed pages",
}


def abandoned_cart(m, _ctx):
    w = _window_of(m, {"amount": 7, "unit": "days"})
    cond = {
        "match": "all",
        "conditions": [
            {"event": "added_to_cart", "op": "count_gte", "value": 1, "within_last": w},
            {"field": "last_order_at", "op": "not_within_last", "value": w},
        ],
    }
    return cond, "added to cart but did not order" + _window_text(w)


def email_opt_in(_m, _ctx):
    return {"field": "email_opt_in", "op": "eq", "value": True}, "are subscribed to email"


def email_opt_out(_m, _ctx):
    return {"field": "email_opt_in", "op": "eq", "value": False}, "are unsubscribed from email"


def push_opt_in(_m, _ctx):
    return {"field": "push_opt_in", "op": "eq", "value": True}, "are subscribed to push"


def push_opt_out(_m, _ctx):
    return {"field": "push_opt_in", "op": "eq", "value": False}, "are unsubscribed from push"


def vip(m, _ctx):
    negate = bool(m.group("neg"))
    cond = {"field": "attributes.vip", "op": "eq", "value": not negate}
    return cond, "are not VIPs" if negate else "are VIPs"


def tier(m, _ctx):
    value = (m.group("tier") or m.group("tier2")).lower()
    return {"field": "attributes.tier", "op": "eq", "value": value}, f"are {value} tier"


def attribute(m, _ctx):
    raw = m.group("val")
    value: object = raw
    if raw.lower() in ("true", "yes"):
        value = True
    elif raw.lower() in ("false", "no"):
        value = False
    elif re.fullmatch(r"-?\d+(?:\.\d+)?", raw):
        value = float(raw) if "." in raw else int(raw)
    key = m.group("key")
    return {"field": f"attributes.{key}", "op": "eq", "value": value}, f"have {key} = {raw}"


ORDERED = (
    r"(?:(?:(?:ordered|purchased|bought)(?: something| anything)?|placed (?:an |a |any )?orders?"
    r"|made (?:a |any )?purchases?|shopped|been active|last ordered)(?: from us| with us)?)"
)
SPEND = (
    r"(?:spent|spend(?:s|ing)?|total spend(?:ing)?|total spent|lifetime (?:value|spend)|ltv"
    r"|purchases? (?:totall?ing|worth))"
)
AOV = r"(?:average order value|avg\.? order value|aov|average order|average basket)"


def _amount(prefix: str) -> str:
    return AMOUNT.replace("?P<", f"?P<{prefix}")


Rule = tuple[str, Callable]

STATIC_RULES: list[Rule] = [
    (rf"{SPEND}\s+(?:of\s+)?between\s+{_amount('a_')}\s+(?:and|to|-)\s+{_amount('b_')}",
     spend_between),
    (rf"{SPEND}\s+(?:of\s+|is\s+|was\s+)?(?:(?P<cmp>{COMPARATOR})\s*)?{AMOUNT}"
     r"(?:\s*(?P<post>or more|or less|\+|plus))?(?:\s+(?:in total|overall|total|in all))?", spend),
    (rf"(?:(?P<cmp>{COMPARATOR})\s*)?{AMOUNT}(?:\s*(?P<post>\+|or more|or less))?\s+"
     r"(?:in\s+)?(?:total\s+)?(?:spend|spent|purchases|lifetime (?:value|spend)|ltv)", spend),
    (rf"{AOV}\s+(?:of\s+|is\s+)?(?:(?P<cmp>{COMPARATOR})\s*)?{AMOUNT}"
     r"(?:\s*(?P<post>or more|or less|\+))?", aov),
    (r"(?<!\d)(?P<n>\d{1,9})\s*(?P<plus>\+)\s*(?:orders|purchases)", orders_count),
    (rf"(?P<cmp>{COMPARATOR})\s+(?P<n>{NUMBER})\s+(?:orders|purchases)", orders_count),
    (rf"(?P<n>{NUMBER})\s+or\s+(?P<post>more|fewer|less)\s+(?:orders|purchases)", orders_count),
    (rf"(?:placed|made|with|have|has|having)\s+(?P<n>{NUMBER})\s+(?:orders?|purchases?)",
     orders_count),
    (rf"(?:ordered|purchased|bought(?: something)?|shopped)\s+{COUNT}", orders_times),
    (r"repeat (?:customers|buyers|purchasers|shoppers)|returning customers"
     r"|(?:bought|ordered|purchased) more than once", repeat_buyers),
    (r"one[- ]time (?:buyers|customers|purchasers|shoppers)"
     r"|(?:bought|ordered|purchased) (?:only |just |exactly )?once", one_time_buyers),
    (r"(?:never|not yet|yet to)\s+(?:ordered|purchased|bought(?: anything)?|placed an order"
     r"|made a purchase|order|purchase|buy)|(?:no|zero|without(?: any)?) (?:orders|purchases)"
     rf"|{NEG}\s+(?:ever\s+|yet\s+)?(?:ordered|purchased|bought anything|placed an order"
     r"|made a purchase)(?:\s+yet)?|non[- ]?(?:buyers|purchasers)", never_ordered),
    (rf"{ORDERED}\s+{WINDOW}", ordered_within),
    (rf"(?:active|recent) (?:buyers|customers|purchasers)\s+{WINDOW}", ordered_within),
    (r"recent (?:buyers|purchasers|customers)", recent_buyers),
    (rf"{NEG}\s+(?:ever\s+)?(?:{ORDERED}|orders?|purchases?|bought)\s+{WINDOW}",
     not_ordered_within),
    (rf"(?:last (?:order(?:ed)?|purchase[d]?)|(?:ordered|purchased|bought))\s+(?:was\s+)?"
     rf"(?:more than|over)\s+(?P<an>{NUMBER})\s+(?P<au>{UNIT})\s+ago", last_order_ago),
    (rf"(?:inactive|lapsed|dormant|churned)(?:\s+{PEOPLE})?(?:\s+(?:for\s+)?(?:(?:the\s+)?"
     rf"(?:last|past)\s+)?(?:over\s+|more than\s+)?(?P<an>{NUMBER})?\s*(?P<au>{UNIT}))?",
     inactive_for),
    (r"(?:first[- ]time (?:buyers|customers|purchasers)|first (?:order|purchase)(?:ed)?"
     rf"|(?:made|placed) (?:their|a) first (?:order|purchase))\s+{WINDOW}", first_order_within),
    (r"(?:signed up|joined|registered|created (?:an |their )?accounts?|became customers"
     rf"|new (?:customers|subscribers|sign[- ]?ups|users|members)|sign[- ]?ups?)\s+{WINDOW}"
     r"|new (?:customers|subscribers|sign[- ]?ups|users|members)", signed_up_within),
    (rf"(?:(?:who\s+)?(?:live|living|lives|located|based|residing|are)\s+in|in|from)\s+"
     rf"(?:the\s+)?(?P<list>{COUNTRY_LIST})", country),
    (rf"(?P<out>outside(?: of)?|not in|not from|except(?: in| from)?)\s+(?:the\s+)?"
     rf"(?P<list>{COUNTRY_LIST})", country),
    (rf"(?P<list>{COUNTRY_LIST})[- ](?:based\s+)?{PEOPLE}", country),
    (rf"abandon(?:ed|s|ing)?\s+(?:their\s+|a\s+|the\s+)?(?:carts?|baskets?|checkouts?)"
     rf"(?:\s+{WINDOW})?|cart abandoners", abandoned_cart),
    (r"added (?:\w+ )?to (?:their |the |a )?(?:cart|basket),? but (?:didn't|did not|haven't"
     rf"|have not|never) (?:buy|order|purchase|check out)\w*(?:\s+{WINDOW})?", abandoned_cart),
    (rf"(?:left|leave) (?:items|something|products) in (?:their|the) (?:cart|basket)"
     rf"(?:\s+{WINDOW})?", abandoned_cart),
    (r"(?:subscribed|opted[- ]in|signed up|consented)\s+(?:to|for)\s+(?:the\s+)?(?:emails?"
     r"|newsletters?|email marketing|marketing emails?|mailing list)|email (?:subscribers|opt[- ]"
     r"ins?|opted[- ]in|subscribed|consent|marketable)|newsletter subscribers|(?:can|who can) "
     r"(?:receive|get) (?:marketing )?emails?|emailable|accept(?:s|ing)? (?:marketing )?emails?"
     r"|on the (?:mailing|email) list", email_opt_in),
    (r"(?:unsubscribed|opted[- ]out)\s+(?:from|of)\s+(?:the\s+)?(?:emails?|newsletters?"
     r"|email marketing|marketing emails?|mailing list)|(?:not|never) subscribed to (?:emails?"
     r"|the newsletter|newsletters?)|email (?:unsubscribers|opt[- ]outs?|unsubscribed)"
     r"|unsubscribers|unsubscribed", email_opt_out),
    (r"push (?:subscribers|opt[- ]ins?|opted[- ]in|enabled|notifications? enabled)"
     r"|(?:subscribed|opted[- ]in)\s+(?:to|for)\s+push(?: notifications)?|(?:can|who can) "
     r"(?:receive|get) push(?: notifications)?|(?:have|with) push (?:notifications )?(?:on|"
     r"enabled)", push_opt_in),
    (r"(?:unsubscribed|opted[- ]out)\s+(?:from|of)\s+push(?: notifications)?|push (?:opt[- ]"
     r"outs?|unsubscribers|disabled)|(?:not|never) subscribed to push(?: notifications)?",
     push_opt_out),
    (rf"(?P<neg>non[- ]?|not\s+(?:a\s+)?)?\bvips?\b(?:\s+(?:{PEOPLE}|status))?", vip),
    (r"(?P<tier>gold|silver|bronze|platinum|diamond)\s+(?:tier|level|members?|customers|status)"
     r"|(?:tier|loyalty tier|level)\s+(?:is\s+)?(?P<tier2>gold|silver|bronze|platinum|diamond)",
     tier),
    (r"attribute\s+(?P<key>[a-z_][a-z0-9_]{0,63})\s*(?:=|is|equals?)\s*(?P<val>[\w.-]+)",
     attribute),
]  # fmt: skip

# Cities are names in capitals: the only case-sensitive rule.
CITY_RULE = (
    r"(?i:(?:live|living|lives|located|based|residing)\s+in|in|from)\s+"
    r"(?P<cities>[A-Z][a-zà-ÿ]+(?:[ -][A-Z][a-zà-ÿ]+)?"
    r"(?:(?>\s*(?:,|(?i:or)|/)\s*)[A-Z][a-zà-ÿ]+(?:[ -][A-Z][a-zà-ÿ]+)?){0,10})"
)

STOPWORDS = {
    "a", "an", "the", "and", "or", "but", "who", "whom", "that", "which", "with", "whose",
    "have", "has", "had", "having", "are", "is", "was", "were", "be", "been", "being", "do",
    "does", "did", "customers", "customer", "shoppers", "shopper", "buyers", "buyer", "users",
    "user", "people", "person", "subscribers", "subscriber", "members", "member", "clients",
    "client", "contacts", "contact", "all", "everyone", "any", "of", "in", "on", "at", "to",
    "for", "from", "by", "my", "our", "their", "them", "they", "i", "me", "find", "show", "give",
    "get", "list", "want", "need", "segment", "audience", "those", "these", "ones", "one",
    "also", "both", "either", "please", "only", "just", "some", "each", "every", "can", "could",
    "would", "should", "make", "create", "build", "target", "targeting",
}  # fmt: skip


class SegmentParser:
    """Parses against a store's categories and event names."""

    def __init__(self, categories: list[str], events: list[str] = ()):
        self.categories = {c.lower(): c for c in categories}
        for c in categories:  # "shoe" and "shoes", "electronics" and "electronic"
            low = c.lower()
            self.categories.setdefault(low[:-1] if low.endswith("s") else low + "s", c)
        self.event_names = {e.lower(): e for e in events}
        self.original = ""
        self.rules = [(re.compile(p, re.IGNORECASE), fn) for p, fn in STATIC_RULES]
        self.rules.append((re.compile(CITY_RULE), city))
        self.rules += self._dynamic_rules(events)

    def category_of(self, word: str) -> str | None:
        return self.categories.get(word.lower().strip())

    def _dynamic_rules(self, events) -> list:
        rules: list[Rule] = []
        if self.categories:
            cats = "|".join(re.escape(c) for c in sorted(self.categories, key=len, reverse=True))
            cat = rf"(?P<cat>{cats})\b"
            bought = (
                rf"(?:(?P<neg>{NEG})\s+(?:ever\s+)?)?(?:bought|buy|buys|buying|purchased|purchase"
                r"|ordered|order|shopped(?: for)?)\s+(?:any(?:thing)?\s+|some\s+|a\s+|an\s+)?"
                r"(?:(?:from|in)\s+(?:the\s+)?)?(?:products?\s+(?:from|in)\s+(?:the\s+)?)?"
                rf"{cat}(?:\s+(?:products?|items?|category|section|range))?(?:\s+{WINDOW})?"
            )
            rules.append((bought, category))
            buyers = rf"{cat}\s+(?:buyers|shoppers|customers|purchasers)(?:\s+{WINDOW})?"
            rules.append((buyers, category))
        phrases = {_group_name(name): (pattern, name) for pattern, name in EVENT_PHRASES}
        for name in events:  # literal event names ("did signed_up", "placed_order")
            if _group_name(name) not in phrases and re.fullmatch(r"[\w.:-]+", name):
                literal = r"(?:did |performed |triggered |had )?" + re.escape(name)
                phrases[_group_name(name)] = (literal, name)
        self.event_names.update({group: name for group, (_p, name) in phrases.items()})
        alternation = "|".join(f"(?P<ev_{group}>{p})" for group, (p, _n) in phrases.items())
        events_rule = (
            rf"(?:(?P<neg>{NEG})\s+(?:ever\s+)?)?(?:{alternation})(?:\s+{COUNT})?(?:\s+{WINDOW})?"
        )
        rules.append((events_rule, event))
        return [(re.compile(p, re.IGNORECASE), fn) for p, fn in rules]

    def parse(self, prompt: str) -> tuple[dict, str]:
        """(criteria, explanation); raises AINotUnderstood when no rule matches."""
        text = re.sub(r"\s+", " ", prompt.replace("’", "'")).strip()
        self.original = text
        found = self._find(text)
        if not found:
            raise AINotUnderstood(
                "the offline assistant found no condition it understands in that prompt. It knows "
                'amounts spent ("spent over $500"), countries ("in the US or UK"), recency '
                '("ordered in the last 90 days", "haven\'t ordered in 6 months"), order counts '
                '("3+ orders"), categories ("bought shoes"), events ("viewed products 3 times'
                ' this week"), consent ("subscribed to email") and VIPs; combine with and/or'
            )
        criteria, label = _combine(
            found, [text[a.end : b.start] for a, b in zip(found, found[1:], strict=False)]
        )
        if criteria.get("conditions") and "match" not in criteria:
            criteria = {"match": "all", "conditions": [criteria]}
        explanation = f"Customers who {label}."
        leftover = _leftover(text, found)
        if leftover:
            leftover = leftover if len(leftover) <= 200 else leftover[:200] + "…"
            explanation += f" Not understood, so ignored: {leftover!r}."
        if re.search(r"[€£]|\beuros?\b|\bpounds?\b|\bgbp\b|\beur\b", text, re.IGNORECASE):
            explanation += " Amounts are compared with order totals as recorded (no conversion)."
        return criteria, explanation[:2000]

    def _find(self, text: str) -> list[Found]:
        candidates: list[Found] = []
        for priority, (regex, fn) in enumerate(self.rules):
            for m in regex.finditer(text):
                if m.end() == m.start() or not _at_word_start(text, m.start()):
                    continue
                result = fn(m, self)
                if result is not None:
                    cond, label = result
                    candidates.append((-(m.end() - m.start()), priority, Found(
                        m.start(), m.end(), cond, label)))  # fmt: skip
        candidates.sort(key=lambda c: (c[0], c[1], c[2].start))
        chosen: list[Found] = []
        for _length, _priority, item in candidates:
            if all(item.end <= c.start or item.start >= c.end for c in chosen):
                chosen.append(item)
        return sorted(chosen, key=lambda f: f.start)


def _group_name(name: str) -> str:
    return re.sub(r"\W", "_", name.lower())


def _at_word_start(text: str, index: int) -> bool:
    return index == 0 or not (text[index - 1].isalnum() or text[index - 1] in "_")


RELATIVE = re.compile(r"\b(?:who|that|which|whose|with)\b", re.IGNORECASE)
OR = re.compile(r"\bor\b|\beither\b", re.IGNORECASE)


def _combine(found: list[Found], between: list[str]) -> tuple[dict, str]:
    """And binds tighter than or; a leading part before a relative clause applies to all."""
    ors = [bool(OR.search(b)) for b in between]
    for index, gap in enumerate(between):
        if RELATIVE.search(gap) and not ors[index] and any(ors[index + 1 :]):
            head, head_label = _all(found[: index + 1])
            rest, rest_label = _combine(found[index + 1 :], between[index + 1 :])
            conditions = _members(head, "all") + [rest]
            return {"match": "all", "conditions": conditions}, f"{head_label} and ({rest_label})"
    alternatives, current = [], [found[0]]
    for item, is_or in zip(found[1:], ors, strict=True):
        if is_or:
            alternatives.append(current)
            current = [item]
        else:
            current.append(item)
    alternatives.append(current)
    if len(alternatives) == 1:
        return _all(alternatives[0])
    parts = [_all(a) for a in alternatives]
    conditions = [
        c if len(a) > 1 else a[0].condition for (c, _l), a in zip(parts, alternatives, strict=True)
    ]
    labels = [
        f"({label})" if len(a) > 1 else label
        for (_c, label), a in zip(parts, alternatives, strict=True)
    ]
    return {"match": "any", "conditions": conditions}, " or ".join(labels)


def _all(items: list[Found]) -> tuple[dict, str]:
    conditions = []
    for item in items:
        conditions += _members(item.condition, "all")
    return {"match": "all", "conditions": conditions}, " and ".join(i.label for i in items)


def _members(condition: dict, match: str) -> list[dict]:
    """A plain all-group inside an all-group adds nothing: splice its conditions in."""
    if condition.get("match") == match and not condition.get("negate"):
        return list(condition["conditions"])
    return [condition]


def _leftover(text: str, found: list[Found]) -> str:
    pieces, last = [], 0
    for item in found:
        pieces.append(text[last : item.start])
        last = item.end
    pieces.append(text[last:])
    words = re.findall(r"[\w$€£'+-]+", " ".join(pieces).lower())
    meaningful = [w for w in words if w not in STOPWORDS and not OR.fullmatch(w)]
    return " ".join(meaningful)
