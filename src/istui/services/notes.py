"""What a rep does to the team's notes: add, edit (only the fields changed, re-read under the lock),
pin, find. Talk scripts, objection answers, materials, cases, tips and e-mail templates (with a subject) share one
record type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from istui.domain.errors import BadInput
from istui.domain.model import NoteKind
from istui.domain.text import fold, note_search_text
from istui.domain.validation import clean_note_fields
from istui.i18n import _
from istui.store.workspace import Record, Workspace

NEW_NOTE = {"title": "", "kind": "tip", "tags": [], "body": "", "pinned": False}


def add_note(ws: Workspace, fields: Mapping[str, Any]) -> Record:
    """A new note from typed fields (a title is required; kind defaults to tip)."""
    record = {**NEW_NOTE, **clean_note_fields({"title": fields.get("title", ""), **fields})}
    _require_subject(record)
    return ws.add_note(record)


def edit_note(ws: Workspace, note_id: str, fields: Mapping[str, Any]) -> Record:
    """Change the given fields of a note; the others stay as they are on disk now."""
    changes = clean_note_fields(fields)
    _require_subject({**ws.get_note(note_id), **changes})  # (NotFound before anything else)
    return ws.update_note(note_id, changes) if changes else ws.get_note(note_id)


def _require_subject(note: Mapping[str, Any]) -> None:
    """An e-mail template has a subject line."""
    if note.get("kind") == NoteKind.TEMPLATE and not note.get("subject"):
        raise BadInput(_("subject: an e-mail template needs a subject line; give it with --subject (merge fields "
                         "such as {{ lead.company }} allowed)."))


TEXT_FIELDS = ("body",)  # text two people may edit at once: merged line by line, never overwritten


def merge_edit(base: str, mine: str, theirs: str) -> tuple[str, str]:
    """`mine` (an edit of `base`) with `theirs` (what is on disk now, changed meanwhile): merged line by line
    ("merged"), or, where both changed the same lines, both kept one after the other ("kept both"); "saved"
    when nobody else changed it."""
    from istui.store.merge import merge_lines, merge_text

    if theirs in (base, mine):
        return mine, "saved"
    merged = merge_text(base, mine, theirs)
    if merged is None:
        merged = merge_lines(base, mine, theirs, numbered=False)
    if merged is not None:
        return merged, "merged"
    marker = _("--- the edit below overlapped a change made meanwhile; both are kept ---")
    return f"{theirs.rstrip()}\n\n{marker}\n{mine}", "kept both"


def edit_note_text(ws: Workspace, note_id: str, fields: Mapping[str, Any], base: Mapping[str, Any]) -> tuple[Record, str]:
    """`edit_note` for a form or an editor opened on `base` (the note as it was then): a text field another
    writer changed meanwhile is merged with the edit (`merge_edit`), never overwritten. Returns the note and
    "saved", "merged" or "kept both"."""
    changes = clean_note_fields(fields)
    outcome = "saved"
    with ws.lock.held():
        current = ws.get_note(note_id)
        _require_subject({**current, **changes})
        for name in TEXT_FIELDS:
            if name in changes:
                changes[name], result = merge_edit(str(base.get(name) or ""), changes[name], str(current.get(name) or ""))
                outcome = result if result != "saved" else outcome
        record = ws.update_note(note_id, clean_note_fields(changes)) if changes else current
    return record, outcome


def toggle_pin(ws: Workspace, note_id: str) -> Record:
    with ws.lock.held():
        return ws.update_note(note_id, {"pinned": not ws.get_note(note_id).get("pinned")})


def find_notes(notes: Iterable[Record], text: str = "", tag: str | None = None, kind: str | None = None) -> list[Record]:
    """Notes matching a search (widths and kana folded), a tag and a kind; pinned first, then by title."""
    wanted = fold(text)
    found = [note for note in notes
             if (not tag or tag in (note.get("tags") or []))
             and (not kind or note.get("kind") == kind)
             and (not wanted or wanted in note_search_text(note))]
    return sorted(found, key=lambda n: (not n.get("pinned"), n["title"].casefold()))
