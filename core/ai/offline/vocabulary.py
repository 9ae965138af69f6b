"""Words the offline parser knows: countries, numbers, durations, comparisons, events."""

import re

# name or adjective → ISO 3166-1 alpha-2
COUNTRIES = {
    "united states of america": "US",
    "united states": "US",
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "american": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "british": "GB",
    "england": "GB",
    "gb": "GB",
    "germany": "DE",
    "german": "DE",
    "france": "FR",
    "french": "FR",
    "canada": "CA",
    "canadian": "CA",
    "australia": "AU",
    "australian": "AU",
    "japan": "JP",
    "japanese": "JP",
    "brazil": "BR",
    "brazilian": "BR",
    "india": "IN",
    "indian": "IN",
    "spain": "ES",
    "spanish": "ES",
    "netherlands": "NL",
    "the netherlands": "NL",
    "holland": "NL",
    "dutch": "NL",
    "italy": "IT",
    "italian": "IT",
    "ireland": "IE",
    "irish": "IE",
    "mexico": "MX",
    "mexican": "MX",
    "sweden": "SE",
    "swedish": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "switzerland": "CH",
    "swiss": "CH",
    "austria": "AT",
    "belgium": "BE",
    "portugal": "PT",
    "poland": "PL",
    "polish": "PL",
    "new zealand": "NZ",
    "singapore": "SG",
    "china": "CN",
    "chinese": "CN",
    "south korea": "KR",
    "korea": "KR",
}
# Short names that are also ordinary words: only counted when written in capitals.
CAPITALS_ONLY = {"us", "gb"}

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "once": 1,
    "two": 2,
    "twice": 2,
    "three": 3,
    "thrice": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# Bounded digit runs that start and end at a number's edge: no backtracking over long inputs.
NUMBER = r"(?:(?<!\d)\d{1,9}(?!\d)|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"

UNITS = {"hour": "hours", "day": "days", "week": "weeks", "month": "months", "year": "years"}
UNIT = r"(?:hours?|days?|weeks?|months?|years?)"
# "this week", "today": windows ending now.
CALENDAR = {
    "today": (1, "days"),
    "this week": (7, "days"),
    "this month": (30, "days"),
    "this year": (1, "years"),
    "recently": (30, "days"),
    "lately": (30, "days"),
}

# comparison words → operator (for "at least 3" etc.)
COMPARATORS = [
    (r"more than|over|above|greater than|exceeding|in excess of|upwards of", "gt"),
    (r"at least|no less than|minimum of|a minimum of|min\.?", "gte"),
    (r"less than|under|below|fewer than", "lt"),
    (r"at most|no more than|up to|maximum of|a maximum of|max\.?", "lte"),
    (r"exactly|precisely|equal to", "eq"),
]
COMPARATOR = "(?:" + "|".join(pattern for pattern, _ in COMPARATORS) + ")"

CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP"}
CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "usd": "USD",
    "bucks": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "gbp": "GBP",
}
AMOUNT = (
    r"(?P<cur>[$€£])?\s?(?<![\d.,])(?P<num>\d[\d,]{0,14}(?:\.\d{1,2})?)(?![\d,])\s?(?P<k>k\b)?"
    r"(?:\s?(?P<curw>dollars?|usd|bucks|euros?|eur|pounds?|gbp)\b)?"
)

# Event names the demo store and trackers use, and the English that names them.
EVENT_PHRASES = [
    (
        r"viewed (?:a |any |some )?products?|product views?|looked at (?:a )?products?"
        r"|browsed (?:the )?(?:products?|catalog(?:ue)?|store)",
        "viewed_product",
    ),
    (
        r"added (?:something |items? |products? |anything )?to (?:their |the |a )?(?:cart|basket)"
        r"|add(?:ed)?[- ]to[- ]cart",
        "added_to_cart",
    ),
    (
        r"started (?:the |a )?checkout|began (?:the |a )?checkout|checkout starts?",
        "started_checkout",
    ),
    (r"searched(?: the store)?|made (?:a )?searche?s?|used (?:the )?search", "searched"),
    (r"visited (?:the )?(?:site|store|website|shop)|viewed (?:a )?pages?|page views?", "page_view"),
]


def to_number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def comparator_op(words: str | None, default: str) -> str:
    if not words:
        return default
    for pattern, op in COMPARATORS:
        if re.fullmatch(pattern, words.strip(), re.IGNORECASE):
            return op
    return default


def amount_value(match: re.Match, prefix: str = "") -> tuple[float, str | None]:
    """The number of an AMOUNT match (group names prefixed for a second amount) and currency."""
    number = float(match.group(prefix + "num").replace(",", ""))
    if match.group(prefix + "k"):
        number *= 1000
    sign, word = match.group(prefix + "cur"), match.group(prefix + "curw")
    currency = CURRENCY_SIGNS.get(sign) if sign else CURRENCY_WORDS.get((word or "").lower())
    return (int(number) if number.is_integer() else number), currency


def window(amount: str | None, unit: str) -> dict:
    """`{"amount", "unit"}` for "90 days", "6 months", "a week"."""
    count = to_number(amount) if amount else 1
    return {"amount": count, "unit": UNITS[unit.lower().rstrip("s")]}
