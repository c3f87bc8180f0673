"""The leads today's queue can hold, kept per lead bucket (`services.today.queue_leads`) so the TUI shows its
first screen before reading every lead: the queue made from them equals the queue made from every lead, at
any time of any day, after other processes change, add or reassign leads, for another rep, and with the
cache damaged."""

from __future__ import annotations

from datetime import timedelta

from istui.services.leads import change_stage, create_lead, log_activity, set_lead_fields
from istui.services.today import queue_leads, today_queue
from istui.store.workspace import Workspace

from conftest import fixed_clock

WHEN = [timedelta(0), timedelta(hours=5), timedelta(days=1), timedelta(days=9), timedelta(days=40)]


def same_queue(root, rep: str) -> list:
    ws = Workspace.open(root, rep, clock=fixed_clock)  # a new process, as the TUI starting
    kept = queue_leads(ws)
    everyone = list(ws.leads())
    assert len(kept) < len(everyone)  # not every lead: closed, do-not-call and others' leads are left out
    for later in WHEN:
        now = ws.now() + later
        assert [(e["reason"], e["lead"]["id"]) for e in today_queue(kept, now, rep)] == \
               [(e["reason"], e["lead"]["id"]) for e in today_queue(everyone, now, rep)], later
    return kept


def test_the_kept_queue_leads_make_the_same_queue_as_every_lead(demo_ws: Workspace) -> None:
    root = demo_ws.root
    first = same_queue(root, "sato")
    again = Workspace.open(root, "sato", clock=fixed_clock)
    read: list = []
    again.bucket_leads = lambda bucket: read.append(bucket) or Workspace.bucket_leads(again, bucket)  # type: ignore[method-assign]
    assert queue_leads(again) == first and read == []  # nothing changed: no bucket is read

    other = Workspace.open(root, "sato", clock=fixed_clock)  # another process changes leads meanwhile
    open_leads = [lead for lead in first if lead["stage"] in ("working", "new")]
    log_activity(other, open_leads[0]["id"], "call", "connected", next_when="next monday 10:00")
    change_stage(other, open_leads[1]["id"], "lost")
    set_lead_fields(other, open_leads[2]["id"], {"owner": "ben"})
    set_lead_fields(other, open_leads[3]["id"], {"dnc": "yes"})
    added = create_lead(other, {"company": "Queued Newcomer KK", "contact": "Ueda", "source": "web_inquiry",
                                "phone": "03-5555-0166", "owner": "sato"})
    kept = same_queue(root, "sato")
    ids = {lead["id"] for lead in kept}
    assert added["id"] in ids and open_leads[1]["id"] not in ids and open_leads[2]["id"] not in ids
    same_queue(root, "ben")  # another rep on the same machine: their own leads


def test_a_damaged_or_foreign_cache_is_read_again(demo_ws: Workspace) -> None:
    first = same_queue(demo_ws.root, "sato")
    path = demo_ws.local.queue_leads
    for damage in (b"{not json", b'{"version": 1, "rep": "sato", "buckets": {"00.json": {"sig": 1, "leads": [3]}}}',
                   b'{"version": 1, "rep": "sato", "buckets": []}', b"[]"):
        path.write_bytes(damage)
        assert same_queue(demo_ws.root, "sato") == first
    path.unlink()
    path.symlink_to(demo_ws.root / "notes.json")
    assert same_queue(demo_ws.root, "sato") == first
    assert (demo_ws.root / "notes.json").read_bytes().startswith(b'{"notes"')  # the link was never written through
