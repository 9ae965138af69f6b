"""Message templates: Jinja2 in an immutable sandbox, checked when saved, compiled once per batch.

HTML parts are autoescaped (customer data can never inject markup); subject, preheader, text and
push parts are plain text. Templates see only `customer`, `metrics`, `preferences`,
`unsubscribe_url` and `view_in_browser_url`.
"""

import html as htmllib
import re
from dataclasses import dataclass, field, fields
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes, pass_context
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# What a template may name, and the attributes of each object (customer.attributes is free-form).
CUSTOMER_FIELDS = frozenset(
    {
        "id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "country",
        "city",
        "timezone",
        "attributes",
        "created_at",
    }
)
METRICS_FIELDS = frozenset(
    {"total_spent", "order_count", "avg_order_value", "first_order_at", "last_order_at"}
)
PREFERENCES_FIELDS = frozenset({"email_opt_in", "push_opt_in"})
OBJECTS = {
    "customer": CUSTOMER_FIELDS,
    "metrics": METRICS_FIELDS,
    "preferences": PREFERENCES_FIELDS,
}
VARIABLES = frozenset(OBJECTS) | {"unsubscribe_url", "view_in_browser_url"}

# Parts of a MessageContent that are templates, and whether each is HTML (autoescaped).
EMAIL_PARTS = {"subject": False, "preheader": False, "html": True, "text": False}
PUSH_PARTS = {"title": False, "body": False, "deep_link": False}
MAX_TEMPLATE_CHARS = 500_000


class _Undefined(ChainableUndefined):
    """A missing value renders empty (e.g. an attribute a customer does not have)."""


def _env(autoescape: bool) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=autoescape, undefined=_Undefined, auto_reload=False, cache_size=0
    )
    return env


HTML_ENV = _env(True)
TEXT_ENV = _env(False)


class TemplateInvalid(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def parts_of(content: Any) -> dict[str, tuple[str, bool]]:
    """The template parts of a content ({name: (source, is_html)}) for its channel."""
    spec = EMAIL_PARTS if content.channel == "email" else PUSH_PARTS
    return {name: (getattr(content, name) or "", is_html) for name, is_html in spec.items()}


def _check_ast(part: str, tree: nodes.Template) -> list[str]:
    errors: list[str] = []
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        errors.append(f"{part}: line {node.lineno}: include/import/extends are not allowed")
    for node in tree.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            errors.append(
                f"{part}: line {node.lineno}: '{node.attr}' is not allowed "
                "(attributes starting with '_' are internals)"
            )
        elif isinstance(node.node, nodes.Name) and node.node.name in OBJECTS:
            allowed = OBJECTS[node.node.name]
            if node.attr not in allowed:
                errors.append(
                    f"{part}: line {node.lineno}: unknown variable "
                    f"'{node.node.name}.{node.attr}' (known: {', '.join(sorted(allowed))})"
                )
    for node in tree.find_all(nodes.Getitem):
        arg = node.arg
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str) and arg.value[:1] == "_":
            errors.append(f"{part}: line {node.lineno}: '{arg.value}' is not allowed (internals)")
    for node in tree.find_all((nodes.Filter, nodes.FilterBlock)):
        name = node.name if isinstance(node, nodes.Filter) else node.filter.name
        if name == "attr" or name.startswith("_"):
            errors.append(f"{part}: line {node.lineno}: the '{name}' filter is not allowed")
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name not in VARIABLES and node.name not in assigned:
            if node.name in ("loop", "range", "dict", "lipsum", "cycler", "joiner", "namespace"):
                continue
            errors.append(
                f"{part}: line {node.lineno}: unknown variable '{node.name}' "
                f"(known: {', '.join(sorted(VARIABLES))})"
            )
    return errors


def sample_context() -> dict[str, Any]:
    return {
        "customer": {
            "id": 1,
            "email": "ada@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phone": None,
            "country": "GB",
            "city": "London",
            "timezone": "Europe/London",
            "attributes": {},
            "created_at": None,
        },
        "metrics": {
            "total_spent": 0,
            "order_count": 0,
            "avg_order_value": 0,
            "first_order_at": None,
            "last_order_at": None,
        },
        "preferences": {"email_opt_in": True, "push_opt_in": True},
        "unsubscribe_url": "https://example.com/u/x",
        "view_in_browser_url": "https://example.com/t/v/x",
    }


def validate_template(content: Any) -> list[str]:
    """Problems with a content's templates, each naming the part and line; [] when it is fine.

    Refuses syntax errors, unknown variables, and anything reaching for internals
    (`{{ ''.__class__.__mro__ }}`), which the sandbox would also refuse when rendering.
    """
    errors: list[str] = []
    if getattr(content, "channel", None) not in ("email", "push"):
        return ["channel: must be 'email' or 'push'"]
    if content.channel == "email" and not (content.html or "").strip():
        errors.append("html: an email needs an HTML body")
    if content.channel == "email" and not (content.subject or "").strip():
        errors.append("subject: an email needs a subject")
    if content.channel == "push" and not (content.title or content.body or "").strip():
        errors.append("title: a push needs a title or a body")
    context = sample_context()
    for part, (source, is_html) in parts_of(content).items():
        if not source:
            continue
        if len(source) > MAX_TEMPLATE_CHARS:
            errors.append(f"{part}: longer than {MAX_TEMPLATE_CHARS} characters")
            continue
        env = HTML_ENV if is_html else TEXT_ENV
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            errors.append(f"{part}: line {exc.lineno}: {exc.message}")
            continue
        found = _check_ast(part, tree)
        if found:
            errors += found
            continue
        try:
            env.from_string(source).render(context)
        except SecurityError as exc:
            errors.append(f"{part}: not allowed in a template: {exc}")
        except (UndefinedError, TypeError, ValueError, ArithmeticError) as exc:
            errors.append(f"{part}: fails on a sample customer: {exc}")
        except Exception as exc:  # noqa: BLE001 - any render failure is the template's fault
            errors.append(f"{part}: fails on a sample customer: {type(exc).__name__}: {exc}")
    return errors


_SEP = "\x1e"  # joins the parts of a content into one template, rendered in one pass


@dataclass
class CompiledContent:
    """A content's templates compiled once; render() is then called per recipient.

    All parts are compiled into ONE template (plain-text parts inside `{% autoescape false %}`),
    so a recipient costs one Jinja context instead of four. If a recipient's data happens to
    contain the separator, the parts are rendered one by one instead.
    """

    channel: str
    names: list[str]
    combined: Any  # jinja Template of all parts, or None
    templates: dict[str, Any]  # part name -> jinja Template, the fallback
    # The fields of each object the templates read, so a batch loads only those columns.
    uses: dict[str, frozenset[str]] = field(default_factory=dict)
    static_links: list[str] = field(default_factory=list)  # literal link URLs, by index

    def render(self, context: dict[str, Any]) -> dict[str, str]:
        context = {**_GLOBALS, **context}
        if "_click" not in context:  # not tracking (a preview): links stay as written
            return self._untracked(context)
        if self.combined is not None:
            tpl = self.combined
            try:
                out = "".join(tpl.root_render_func(tpl.new_context(context, shared=True)))
            except Exception:
                HTML_ENV.handle_exception()
            values = out.split(_SEP)
            if len(values) == len(self.names):
                return dict(zip(self.names, values, strict=True))
        return {name: tpl.render(context) for name, tpl in self.templates.items()}

    def _untracked(self, context: dict[str, Any]) -> dict[str, str]:
        context["_click"] = _CLICK_MARK
        parts = self.render(context)
        if "html" in parts and self.static_links:
            html = parts["html"]
            for i in range(len(self.static_links) - 1, -1, -1):  # 10 before 1
                html = html.replace(f"{_CLICK_MARK}{i}", htmllib.escape(self.static_links[i]))
            parts["html"] = html
        return parts


_CLICK_MARK = "\x1dlink:"  # stands in for the click prefix in an untracked render
_GLOBALS = dict(HTML_ENV.globals)

# Links are tracked at compile time, so no regex runs over every rendered message:
# - a literal `<a href="https://...">` becomes `href="{{ _click }}i"` (a variable, not a call:
#   the cheapest thing Jinja renders); `_click` is the recipient's signed click-URL prefix;
# - a link built from variables becomes `href="{% filter _track %}...{% endfilter %}"`: its
#   rendered URL goes to the same per-recipient tracker;
# - links to `unsubscribe_url` / `view_in_browser_url`, mailto: and anchors are left alone.
_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
_OWN = re.compile(r"^\s*\{\{\s*(unsubscribe_url|view_in_browser_url)\s*\}\}\s*$")


def _wrap_links(source: str) -> tuple[str, list[str]]:
    """The source with links wrapped, and the literal link URLs (index = position)."""
    static: list[str] = []

    def wrap(match: re.Match) -> str:
        url, quote = match.group(3), match.group(2)
        if "{{" not in url and "{%" not in url:
            target = htmllib.unescape(url).strip()
            if not target[:8].lower().startswith(("http://", "https://")):
                return match.group(0)
            if target not in static:
                static.append(target)
            return f"{match.group(1)}{quote}{{{{ _click }}}}{static.index(target)}{quote}"
        balanced = url.count("{{") == url.count("}}") and url.count("{%") == url.count("%}")
        if _OWN.match(url) or not balanced:
            return match.group(0)
        return f"{match.group(1)}{quote}{{% filter _track %}}{url}{{% endfilter %}}{quote}"

    return _HREF.sub(wrap, source), static


@pass_context
def _track(context, value):
    tracker = context.get("_links")
    return value if tracker is None else tracker(value)


HTML_ENV.filters["_track"] = _track


def fields_used(parts: dict[str, tuple[str, bool]]) -> dict[str, frozenset[str]]:
    """{object: fields read}. An object used whole (`{{ customer }}`) counts as every field."""
    attrs: dict[str, set[str]] = {name: set() for name in OBJECTS}
    whole: set[str] = set()
    for source, _ in parts.values():
        if not source:
            continue
        tree = HTML_ENV.parse(source)
        via_attr = 0
        for node in tree.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name in OBJECTS:
                attrs[node.node.name].add(node.attr)
                via_attr += 1
        loads = [n for n in tree.find_all(nodes.Name) if n.ctx == "load" and n.name in OBJECTS]
        if len(loads) > via_attr:
            named = {n.name for n in loads}
            whole |= named  # conservative: some use is not `object.field`
    return {
        name: frozenset(OBJECTS[name]) if name in whole else frozenset(attrs[name] & OBJECTS[name])
        for name in OBJECTS
    }


_COMPILED: dict[tuple, CompiledContent] = {}


def compile_content(content: Any) -> CompiledContent:
    """Compile (and cache by source) a content's templates; raises TemplateInvalid."""
    parts = parts_of(content)
    key = (content.channel, *(source for source, _ in parts.values()))
    cached = _COMPILED.get(key)
    if cached is not None:
        return cached
    errors = validate_template(content)
    if errors:
        raise TemplateInvalid(errors)
    templates, pieces, static_links = {}, [], []
    for name, (source, is_html) in parts.items():
        if source and name == "html":
            source, static_links = _wrap_links(source)
        if source:
            templates[name] = (HTML_ENV if is_html else TEXT_ENV).from_string(source)
            pieces.append(
                source if is_html else f"{{% autoescape false %}}{source}{{% endautoescape %}}"
            )
    try:
        combined = HTML_ENV.from_string(_SEP.join(pieces)) if pieces else None
    except TemplateSyntaxError:
        combined = None  # e.g. a part that only parses on its own: render parts one by one
    compiled = CompiledContent(
        content.channel, list(templates), combined, templates, fields_used(parts), static_links
    )
    if len(_COMPILED) > 256:
        _COMPILED.clear()
    _COMPILED[key] = compiled
    return compiled


# HTML → text, for the text part when none is given. Regexes, not a parser: it runs per message.
_DROP = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>", re.I | re.S)
_HIDDEN = re.compile(r"<(div|span)[^>]*display:\s*none[^>]*>.*?</\1\s*>", re.I | re.S)
_LINK = re.compile(r"<a\b[^>]*?href\s*=\s*([\"'])(.*?)\1[^>]*>(.*?)</a\s*>", re.I | re.S)
_BREAK = re.compile(r"<br\s*/?>|</?(p|div|h[1-6]|li|tr|table|ul|ol|blockquote)\b[^>]*>", re.I)
_ITEM = re.compile(r"<li\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n\s*\n\s*(\n\s*)+")


def _link_text(match: re.Match) -> str:
    href, label = match.group(2), _TAG.sub("", match.group(3)).strip()
    if not href or href.startswith("#") or label == href or href in label:
        return label
    return f"{label} ({href})" if label else href


def html_to_text(html: str) -> str:
    text = _DROP.sub("", html)
    text = _HIDDEN.sub("", text)
    text = _LINK.sub(_link_text, text)
    text = _ITEM.sub("\n- ", text)
    text = _BREAK.sub("\n", text)
    text = htmllib.unescape(_TAG.sub("", text))
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def content_fields(content: Any) -> dict[str, Any]:
    return {f.name: getattr(content, f.name) for f in fields(content)}
