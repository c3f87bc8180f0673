"""E-mail templates (notes of kind `template`): a subject and a body with merge fields, rendered for one lead by
jinja2's sandboxed environment (DESIGN.md section 5; issue 15).

What a template may name: `lead.<field>` (company, contact, title, email, phone, source, stage, tags, … and the
kana readings), `rep.name`, `rep.display`, `rep.email` (the sender, from the roster), `unsubscribe` (the opt-out
line of campaign mail; empty in a one-to-one mail) and `today` (the workspace's date). A field the lead has no
value for is missing, not blank: the render is refused with one sentence naming the field and the lead, unless the
template gives a fallback (`{{ lead.contact | default("ご担当者") }}`). The sandbox refuses attribute tricks
(`{{ ''.__class__ }}`), and the output is plain text: nothing is escaped or interpreted.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Mapping
from datetime import date
from typing import Any

from istui.domain import labels
from istui.domain.errors import BadInput
from istui.i18n import _

#: The lead fields a template sees (the record's others, ids and bookkeeping, stay out of mail).
LEAD_FIELDS = ("company", "company_kana", "contact", "contact_kana", "title", "email", "phone", "source", "motion",
               "stage", "temp", "tags", "owner", "next_action", "amount")


class _Missing(Exception):
    """A merge field the lead or the sender has no value for."""


class _TooMuch(Exception):
    """A template that would make too much text or loop too long (it reaches teammates through sync)."""


#: What a rendered part may come to, and how many loop turns and how large a repeated value a render may make:
#: far beyond a mail, small enough that a hostile template cannot fill the memory or keep istui busy.
MAX_OUTPUT = 200_000
MAX_TURNS = 20_000
MAX_REPEAT = 100_000
_TURNS: contextvars.ContextVar[int] = contextvars.ContextVar("turns", default=0)
#: String methods a template may call (any other, like ljust or zfill, could make a string of any size).
SAFE_METHODS = frozenset({"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "startswith",
                          "endswith", "split", "isdigit", "isalpha", "replace", "count", "find"})
#: Filters that make text as long as a number says (center, indent, wordwrap) or format anything: left out.
UNSAFE_FILTERS = ("center", "indent", "wordwrap", "format", "xmlattr", "urlize", "filesizeformat", "pprint", "tojson")


def bounded_replace(text: Any, old: Any, new: Any, count: int | None = None) -> str:
    """`text.replace(old, new)`, refused before it is made when the result would be longer than a mail may be."""
    text, old, new = str(text), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if type(count) is int and count >= 0:
        times = min(times, count)
    if len(text) + times * (len(new) - len(old)) > MAX_OUTPUT:
        raise _TooMuch()
    return text.replace(old, new) if count is None else text.replace(old, new, count)


@functools.cache
def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class Missing(StrictUndefined):  # the name of what was missing, for the sentence (`default` still works)
        def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
            raise _Missing(self._undefined_name)

        __str__ = __iter__ = __len__ = __eq__ = __bool__ = _fail_with_undefined_error  # type: ignore[assignment]

    class Bounded(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%"})

        def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
            """Every `{% for %}` counts its turns (`counted`): a loop over a list or a text, not only over range()."""
            from jinja2 import nodes

            tree = super()._parse(source, name, filename)
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Call(nodes.Name("__counted", "load"), [loop.iter], [], None, None)
            return tree

        def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
            if isinstance(getattr(obj, "__self__", None), str) and getattr(obj, "__name__", "") == "replace":
                return bounded_replace(obj.__self__, *args, **kwargs)  # (a text's replace can make any size)
            return super().call(context, obj, *args, **kwargs)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            sizes = [len(v) for v in (left, right) if isinstance(v, (str, list, tuple))]
            times = [abs(v) for v in (left, right) if isinstance(v, int)]
            if operator == "**" or (operator == "%" and isinstance(left, str)) or (
                    sizes and max(sizes) * max(times, default=1) > MAX_REPEAT):
                raise _TooMuch()  # (a power of a power, or a format's width, is a value too large to make)
            return super().call_binop(context, operator, left, right)

        def wrap_str_format(self, value: Any) -> Any:  # str.format and format_map: a width can be any size
            if super().wrap_str_format(value) is None:
                return None

            def refused(*args: Any, **kwargs: Any) -> Any:
                raise _TooMuch()  # (before the text is made: '{:>1000000000}' would be a gigabyte)

            return refused

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if isinstance(obj, str) and attr not in SAFE_METHODS:
                return False
            return super().is_safe_attribute(obj, attr, value)

    environment = Bounded(undefined=Missing, autoescape=False, keep_trailing_newline=True)

    def bounded_range(*args: int) -> range:
        made = range(*args)
        if len(made) > MAX_TURNS:  # (its turns are counted as a loop takes them; a list of it would be as large)
            raise _TooMuch()
        return made

    def counted(items: Any) -> Any:
        for item in items:
            _TURNS.set(_TURNS.get() + 1)
            if _TURNS.get() > MAX_TURNS:  # the turns of all the render's loops (nested loops add up)
                raise _TooMuch()
            yield item

    environment.globals = {"range": bounded_range, "dict": dict, "__counted": counted}  # (no lipsum, cycler, joiner)
    for name in UNSAFE_FILTERS:
        environment.filters.pop(name, None)
    environment.filters["replace"] = lambda text, old, new, count=None: bounded_replace(text, old, new, count)
    environment.loader = None
    return environment


def _rendered(text: str, context: dict[str, Any]) -> str:
    """`text` rendered with `context`, streamed: more than MAX_OUTPUT characters, or loops of more than MAX_TURNS
    turns all told, stop it (_TooMuch)."""
    import time

    _TURNS.set(0)
    started, made, size = time.monotonic(), [], 0
    for chunk in _compiled(text).generate(context):
        made.append(chunk)
        size += len(chunk)
        if size > MAX_OUTPUT or time.monotonic() - started > 5:
            raise _TooMuch()
    return "".join(made)


def _present(record: Mapping[str, Any], names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The fields with a value (an empty text or list is no value: missing, so refused or defaulted)."""
    return {name: value for name, value in record.items()
            if (names is None or name in names) and value not in (None, "", [], {})}


def render(template: Mapping[str, Any], lead: Mapping[str, Any], rep: Mapping[str, Any], *, unsubscribe: str = "",
           today: date | None = None) -> tuple[str, str]:
    """The (subject, body) of `template` (a note of kind template) for `lead`, sent by `rep` (a roster entry:
    name, display, email). BadInput, one sentence, when a field is missing or the template does not parse."""
    from jinja2 import TemplateSyntaxError
    from jinja2.exceptions import SecurityError, TemplateError

    title = template.get("title") or template.get("id", "")
    context = {"lead": _present(lead, LEAD_FIELDS), "rep": _present(rep, ("name", "display", "email")),
               "today": (today or date.today()).isoformat()}
    if unsubscribe:
        context["unsubscribe"] = unsubscribe
    rendered = []
    for part in ("subject", "body"):
        text = str(template.get(part) or "")
        try:
            rendered.append(_rendered(text, context))
        except _Missing as missing:
            raise BadInput(_("template {template}: {lead} has no {field} for {{{{ {name} }}}}; fill it in, or give the "
                             "template a fallback such as {{{{ {name} | default(\"…\") }}}}.").format(
                template=title, lead=lead.get("company") or lead.get("id", ""), field=str(missing),
                name=_dotted(text, str(missing)))) from None
        except TemplateSyntaxError as error:
            raise BadInput(_("template {template}: the {part} does not read as a template at line {line}: {error}.").format(
                template=title, part=labels.field(part), line=error.lineno, error=error.message)) from None
        except SecurityError:
            raise BadInput(_("template {template}: the {part} reaches for something a template may not use; merge "
                             "fields are lead.…, rep.…, unsubscribe and today.").format(template=title, part=labels.field(part))) from None
        except _TooMuch:
            raise BadInput(_("template {template}: the {part} would make too much text or loop too long; a mail "
                             "template renders at most {size} characters.").format(
                template=title, part=labels.field(part), size=f"{MAX_OUTPUT:,}")) from None
        except (TemplateError, TypeError, ValueError, OverflowError, ArithmeticError, LookupError, AttributeError,
                RecursionError, MemoryError) as error:  # a template reaching for what it may not (an include, …)
            raise BadInput(_("template {template}: the {part} cannot be rendered: {error}.").format(
                template=title, part=labels.field(part), error=" ".join(str(error).split())[:200])) from None
    subject = " ".join(rendered[0].split())  # one line: a line break in a subject would start a header of its own
    return subject, rendered[1]


@functools.lru_cache(maxsize=64)
def _compiled(text: str) -> Any:
    """A template's text compiled once (a campaign renders it for thousands of leads)."""
    return _environment().from_string(text)


def _dotted(text: str, name: str) -> str:
    """How the template wrote the missing name (`lead.contact` for a missing `contact`), for the sentence."""
    for owner in ("lead", "rep"):
        if f"{owner}.{name}" in text:
            return f"{owner}.{name}"
    return name
