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


@functools.cache
def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class Missing(StrictUndefined):  # the name of what was missing, for the sentence (`default` still works)
        def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
            raise _Missing(self._undefined_name)

        __str__ = __iter__ = __len__ = __eq__ = __bool__ = _fail_with_undefined_error  # type: ignore[assignment]

    return SandboxedEnvironment(undefined=Missing, autoescape=False, keep_trailing_newline=True)


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
            rendered.append(_compiled(text).render(context))
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
        except TemplateError as error:
            raise BadInput(_("template {template}: the {part} cannot be rendered: {error}.").format(
                template=title, part=labels.field(part), error=error)) from None
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
