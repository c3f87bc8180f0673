"""What a rep does to the team's notes: add, edit (only the fields changed, re-read under the lock),
pin, find. Talk scripts, objection answers, materials, cases and tips share one record type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from istui.domain.text import fold, note_search_text
from istui.domain.validation import clean_note_fields
from istui.store.workspace import Record, Workspace

NEW_NOTE = {"title": "", "kind": "tip", "tags": [], "body": "", "pinned": False}


def add_note(ws: Workspace, fields: Mapping[str, Any]) -> Record:
    """A new note from typed fields (a title is required; kind defaults to tip)."""
    record = {**NEW_NOTE, **clean_note_fields({"title": fields.get("title", ""), **fields})}
    return ws.add_note(record)


def edit_note(ws: Workspace, note_id: str, fields: Mapping[str, Any]) -> Record:
    """Change the given fields of a note; the others stay as they are on disk now."""
    changes = clean_note_fields(fields)
    ws.get_note(note_id)  # NotFound before anything else
    return ws.update_note(note_id, changes) if changes else ws.get_note(note_id)


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
