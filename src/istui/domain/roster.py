"""The team roster (DESIGN.md section 3): who may own leads, receive handoffs and work in the workspace.

The roster is a mapping name → {"display", "email", "role"}; a name is the id used in `rep`, `owner` and
`handoff.to` (a rep name, see `parsing.parse_rep`), unique without regard to case. `None` is a workspace
without a roster yet (an older one that could not be migrated): then any name is taken, as before.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from istui.domain import labels
from istui.domain.errors import BadInput
from istui.domain.parsing import normalize_email, optional_text, parse_rep
from istui.i18n import N_, _

#: role: its label (inside sales, field sales who receive handoffs, manager)
ROLES = {"is": N_("inside sales"), "field": N_("field sales"), "manager": N_("manager")}
DEFAULT_ROLE = "is"

Roster = dict[str, dict[str, str]]


def name_key(name: str) -> str:
    """What makes two rep names one person's: compared after NFKC (full-width ｔａｎａｋａ is tanaka) and
    case folding (İstanbul, whose İ folds to i and a combining dot, is istanbul)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).replace("i\u0307", "i")


def find(roster: Mapping[str, Any] | None, name: str) -> str | None:
    """The roster's spelling of `name` (compared by `name_key`: without regard to case or width), or None."""
    key = name_key(name)
    return next((member for member in roster or {} if name_key(member) == key), None)


def find_person(roster: Mapping[str, Any] | None, text: str) -> str | None:
    """The roster name of the person another tool names by their name, display name or e-mail address (a CRM's
    `Contact owner` column: `Alice Sato`, `alice@example.com`), or None."""
    key = name_key(" ".join(text.split()))
    for member, entry in (roster or {}).items():
        if key in (name_key(member), name_key(str(entry.get("display") or "")), name_key(str(entry.get("email") or ""))):
            return member
    return None


def roster_names(roster: Mapping[str, Any] | None) -> str:
    return ", ".join(sorted(roster or {}, key=str.casefold)) or _("(nobody)")


def require_member(roster: Mapping[str, Any] | None, name: str, field: str = "rep", *, strict: bool = False) -> str:
    """`name` as spelled on the roster; BadInput listing the roster when it is not on it. Without a
    roster (None or empty) any usable rep name is taken, unless `strict`."""
    name = parse_rep(name, field)
    if not roster and not strict:
        return name
    found = find(roster, name)
    if found is None:
        raise BadInput(_("{field}: '{name}' is not on the team roster ({names}); add them with "
                         "`istui rep add {name}`.").format(field=labels.field(field), name=name, names=roster_names(roster)))
    return found


def require_recipient(roster: Mapping[str, Any] | None, name: str) -> str:
    """A handoff recipient: on the roster and in field sales (a handoff goes to field sales, so another
    role is refused, naming the field-sales people and how to change the role)."""
    name = parse_rep(name, "to")
    if roster and find(roster, name) is None:  # added in field sales: a handoff goes there
        raise BadInput(_("{field}: '{name}' is not on the team roster ({names}); add them in field sales with "
                         "`istui rep add {name} --role field`.").format(field=labels.field("to"), name=name,
                                                                        names=roster_names(roster)))
    name = require_member(roster, name, "to")
    if roster and roster[name].get("role") != "field":
        field_names = roster_names({n: m for n, m in roster.items() if m.get("role") == "field"})
        raise BadInput(_("{field}: '{name}' is not in field sales on the roster; hand off to one of {names}, or "
                         "`istui rep set {name} --role field`.").format(field=labels.field("to"), name=name,
                                                                        names=field_names))
    return name


def clean_member(name: str, fields: Mapping[str, Any], roster: Mapping[str, Any] | None,
                 existing: Mapping[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """A roster entry made from typed fields (`display`, `email`, `role`), over `existing` when editing;
    a new name must differ from every other name on the roster without regard to case."""
    name = parse_rep(name, "name")
    if existing is None:
        clash = find(roster, name)
        if clash is not None:
            raise BadInput(_("name: '{name}' is already on the roster as '{existing}'; names differ by more than "
                             "upper and lower case (change it with `istui rep set {existing}`).").format(
                name=name, existing=clash))
    entry = {"display": name, "email": "", "role": DEFAULT_ROLE, **(existing or {})}
    for key, value in fields.items():
        if value is None:
            continue
        if key == "display":
            entry["display"] = optional_text(str(value), "display") or name
        elif key == "email":
            entry["email"] = normalize_email(str(value))
        elif key == "role":
            role = str(value).strip().lower()
            if role not in ROLES:
                raise BadInput(_("role: '{value}' is not one of {options}.").format(value=value, options=", ".join(ROLES)))
            entry["role"] = role
        else:
            raise BadInput(_("'{name}' is not a roster field; fields are display, email, role.").format(name=key))
    return name, entry


def validate_roster(roster: Any) -> None:
    """BadInput naming the first wrong entry of a roster read from istui.toml."""
    if roster is None:
        return
    if not isinstance(roster, dict):
        raise BadInput(_("roster: it is not a table of people ([roster.NAME] with display, email, role)."))
    seen: dict[str, str] = {}
    for name, entry in roster.items():
        if not isinstance(entry, dict):
            raise BadInput(_("roster.{name}: it is not a table with display, email, role.").format(name=name))
        if parse_rep(name, "roster") != name:
            raise BadInput(_("roster: '{name}' is not a usable rep name.").format(name=name))
        if name_key(name) in seen:
            raise BadInput(_("roster: '{name}' and '{other}' differ only in upper and lower case; keep one.").format(
                name=name, other=seen[name_key(name)]))
        seen[name_key(name)] = name
        for key, value in entry.items():
            if not isinstance(value, str):
                raise BadInput(_("roster.{name}.{key}: {value} is not text.").format(name=name, key=key, value=repr(value)[:40]))
        try:
            clean_member(name, {key: entry.get(key) for key in ("display", "email", "role")}, None, {})
        except BadInput as exc:
            raise BadInput(f"roster.{name}: {exc}") from None


def display_name(roster: Mapping[str, Any] | None, name: str) -> str:
    entry = (roster or {}).get(name)
    return (entry or {}).get("display") or name
