"""The handoff loop between two clones and a bare remote, real git: an inside-sales rep (alice) hands a lead off and
syncs; the field rep (kimura) finds it in Today, returns it with a reason and syncs; alice finds it returned with the
reason, hands it off again; kimura accepts, the meeting is held, kimura wins the deal and rates the handoff. Every
handoff figure is then checked against a count made here from the records."""

from __future__ import annotations

from pathlib import Path

from istui.domain.handoffs import rounds
from istui.services import handoff_loop, meetings
from istui.services.leads import change_stage, create_lead, log_activity
from istui.services.report import kpi_report
from istui.services.review import render_review, review_of
from istui.services.sync import sync
from istui.services.sync_conflicts import conflict_line
from istui.services.today import loop_clock, today_queue
from istui.store.settings import Settings
from istui.store.workspace import Workspace

from git_support import at, git

SHEET = {"budget": "300万円", "authority": "部長決裁", "need": "問い合わせ対応の工数削減", "timeline": "来期4月"}
ROSTER = {"alice": {"display": "Alice", "email": "alice@example.jp", "role": "is"},
          "kimura": {"display": "木村", "email": "kimura@example.jp", "role": "field"}}


class Loop:
    def __init__(self, tmp_path: Path) -> None:
        self.remote = tmp_path / "team.git"
        git(tmp_path, "init", "-q", "--bare", str(self.remote))
        self.alice_root, self.kimura_root = tmp_path / "alice", tmp_path / "kimura"
        alice = Workspace.create(self.alice_root, "alice", Settings(team="Team", timezone="Asia/Tokyo", roster=ROSTER),
                                 remote=str(self.remote), clock=at("2026-11-30T09:00:00+09:00"))
        self.lead = create_lead(alice, {"company": "東洋商事株式会社", "contact": "山田 太郎", "phone": "03-1234-5678",
                                        "source": "seminar"})["id"]
        self.other = create_lead(alice, {"company": "Other Co", "phone": "03-1234-0000", "source": "web_inquiry"})["id"]
        sync(alice)
        git(tmp_path, "clone", "-q", str(self.remote), str(self.kimura_root))

    def alice(self, moment: str) -> Workspace:
        return Workspace.open(self.alice_root, "alice", clock=at(moment))

    def kimura(self, moment: str) -> Workspace:
        return Workspace.open(self.kimura_root, "kimura", clock=at(moment))


def today_of(ws: Workspace) -> dict[str, str]:
    return {entry["lead"]["id"]: entry["reason"] for entry in today_queue(ws.leads(), ws.now(), ws.rep, loop_clock(ws))}


def test_the_whole_loop_through_git(tmp_path: Path) -> None:
    team = Loop(tmp_path)
    # Monday: alice books the meeting with kimura, hands the lead off (and another one, which waits past its SLA)
    alice = team.alice("2026-11-30T10:00:00+09:00")
    log_activity(alice, team.lead, "call", "meeting_booked", meeting="2026-12-03 14:00", meeting_with=["kimura"],
                 meeting_minutes="45", meeting_place="https://meet.example/abc")
    handoff_loop.hand_off(alice, team.lead, "kimura", SHEET, "決裁は部長")
    log_activity(alice, team.other, "call", "meeting_booked", meeting="2026-12-08 10:00", meeting_with=["kimura"])
    handoff_loop.hand_off(alice, team.other, "kimura", SHEET)
    sync(alice)

    # kimura syncs: both handoffs wait in Today, before anything else; kimura returns the first with a reason
    kimura = team.kimura("2026-11-30T11:00:00+09:00")
    sync(kimura)
    assert today_of(kimura) == {team.lead: "handoff_proposed", team.other: "handoff_proposed"}
    handoff_loop.reject(kimura, team.lead, "no_authority", "部長ではなく役員決裁でした")
    sync(kimura)

    # alice syncs: the lead is back with her, in nurturing, "returned" with the reason on its card
    alice = team.alice("2026-11-30T13:00:00+09:00")
    sync(alice)
    lead = alice.get_lead(team.lead)
    assert (lead["stage"], lead["owner"], lead["handoff"]["status"], lead["handoff"]["reason"]) == \
        ("nurturing", "alice", "rejected", "no_authority")
    assert today_of(alice)[team.lead] == "returned"
    assert "no authority" in lead["next_action"]
    # the return called the meeting off (kept in the history, counted neither held nor a no-show)
    assert lead["meeting_at"] is None and [m["status"] for m in lead["meeting_history"]] == ["called_off"]
    # improved, the meeting booked again with the director, handed off again: the second round counts, the first is kept
    meetings.set_meeting(alice, team.lead, "2026-12-03 14:00", ["kimura"], 45, "https://meet.example/abc")
    handoff_loop.hand_off(alice, team.lead, "kimura", {**SHEET, "authority": "役員決裁（12/2 同席）"})
    sync(alice)

    # Wednesday 17:00, past the other handoff's SLA (24 working hours: Wed 16:00): it is on top; kimura accepts the lead
    kimura = team.kimura("2026-12-02T17:00:00+09:00")
    sync(kimura)
    today = today_of(kimura)
    assert today == {team.other: "handoff_overdue", team.lead: "handoff_proposed"}
    assert list(today) == [team.other, team.lead]  # past the SLA on top
    handoff_loop.accept(kimura, team.lead, "役員同席で再訪")
    # Thursday after the meeting: unmarked, it is a task; held; then won, and the handoff rated
    kimura = team.kimura("2026-12-03T16:00:00+09:00")
    assert today_of(kimura)[team.lead] == "meeting_unmarked"
    meetings.mark_meeting(kimura, team.lead, "held")
    handoff_loop.rate(kimura, team.lead, 4, "決裁者の名前と導入時期の根拠がほしい")
    change_stage(kimura, team.lead, "won", amount="1200000")
    sync(kimura)

    alice = team.alice("2026-12-04T10:00:00+09:00")
    sync(alice)
    kimura = team.kimura("2026-12-04T10:00:00+09:00")
    sync(kimura)
    assert git(team.alice_root, "rev-parse", "HEAD") == git(team.kimura_root, "rev-parse", "HEAD")
    lead = alice.get_lead(team.lead)
    assert [r["status"] for r in rounds(lead)] == ["rejected", "accepted"] and lead["handoff"]["round"] == 2
    assert lead["meeting"]["status"] == "held" and lead["stage"] == "won"

    # the figures, against a count made here from the records
    figures = kpi_report(alice, "2026-11-30..2026-12-04", None)["handoff"]
    everything = [r for lead in alice.leads() for r in rounds(lead)]
    assert figures["handoffs"] == len(everything) == 3
    assert figures["accepted"] == sum(r["status"] == "accepted" for r in everything) == 1
    assert figures["rejected"] == 1 and figures["rejected_by_reason"] == {"no_authority": 1}
    assert figures["sal_rate"] == 0.5
    assert figures["median_hours_to_accept"] == 52.0  # Mon 13:00 → Wed 17:00
    assert figures["sla_breaches"] == 1  # the other, still undecided past its SLA (the second round's ends Thu 10:00)
    assert (figures["meetings_held"], figures["no_shows"], figures["show_rate"]) == (1, 0, 1.0)
    assert (figures["handoff_orders"], figures["handoff_closed"], figures["handoff_amount"]) == (1, 1, 1200000)
    assert figures["handoff_win_rate"] == 1.0
    assert (figures["avg_rating"], figures["ratings"]) == (4.0, 1)
    assert figures["by_rep"]["alice"] == {"handoffs": 3, "accepted": 1, "rejected": 1, "orders": 1, "closed": 1,
                                          "amount": 1200000, "sal_rate": 0.5, "win_rate": 1.0}
    assert figures["by_source"]["seminar"]["handoffs"] == 2 and figures["by_source"]["web_inquiry"]["handoffs"] == 1
    # one rep's figures: kimura received every handoff; the same numbers from his clone
    mine = kpi_report(kimura, "2026-11-30..2026-12-04", "kimura")["handoff"]
    assert {k: mine[k] for k in ("handoffs", "accepted", "rejected", "meetings_held", "handoff_orders")} == \
        {"handoffs": 3, "accepted": 1, "rejected": 1, "meetings_held": 1, "handoff_orders": 1}
    review = render_review(review_of(alice, "2026-11-30..2026-12-04", None))
    assert "Handoffs returned, and why" in review and "no authority: 1" in review
    assert "部長ではなく役員決裁でした" in review and "決裁者の名前と導入時期の根拠がほしい — 1×" in review
    own = render_review(review_of(alice, "2026-11-30..2026-12-04", "alice"))  # field sales closed alice's deal
    assert "field sales closed 1 and won 1 (100.0%)" in own and "handoffs → orders" not in own


def test_answers_on_two_clones_settle_as_one(tmp_path: Path) -> None:
    """kimura accepts on his clone while a manager returns the same handoff on another: after sync the lead is
    either accepted and handed off, or returned and nurturing — never accepted in nurturing — and the other answer
    is in the conflict report."""
    team = Loop(tmp_path)
    boss_root = tmp_path / "boss"
    alice = team.alice("2026-11-30T10:00:00+09:00")
    from istui.services.workspace_settings import change_settings

    change_settings(alice, ["roster.boss.role=manager", "roster.boss.display=Boss", "roster.boss.email=boss@example.jp"])
    handoff_loop.hand_off(alice, team.lead, "kimura", SHEET)
    sync(alice)
    git(tmp_path, "clone", "-q", str(team.remote), str(boss_root))
    sync(team.kimura("2026-11-30T11:00:00+09:00"))
    boss = Workspace.open(boss_root, "boss", clock=at("2026-11-30T11:05:00+09:00"))
    handoff_loop.reject(boss, team.lead, "no_budget")  # the stage, the follow-up and the handoff change here
    sync(boss)
    handoff_loop.accept(team.kimura("2026-11-30T11:10:00+09:00"), team.lead)  # later: the acceptance is kept whole
    report = sync(team.kimura("2026-11-30T11:10:00+09:00"))
    lead = team.kimura("2026-11-30T12:00:00+09:00").get_lead(team.lead)
    assert (lead["stage"], lead["handoff"]["status"], lead.get("next_at")) == ("handed_off", "accepted", None)
    assert any(conflict["field"] == "handoff" for conflict in report["conflicts"]), report
    said = [conflict_line(conflict) for conflict in report["conflicts"] if conflict["field"] == "handoff"]
    assert said == [f"{said[0].split(' handoff: ')[0]} handoff: kept accepted — kimura (kimura), not returned (no budget) — boss (boss)"]


def test_meetings_changed_on_two_clones_are_merged_meeting_by_meeting(tmp_path: Path) -> None:
    """alice calls the 11:00 meeting off and sets the next one while kimura, later, marks the 11:00 one held: after
    sync both clones have the 11:00 meeting held (kimura's, newer) and alice's new meeting as the current one —
    nothing set on either side is lost — and the report says which version of the 11:00 meeting was kept."""
    team = Loop(tmp_path)
    alice = team.alice("2026-11-30T10:00:00+09:00")
    meetings.set_meeting(alice, team.lead, "2026-11-30 11:00", ["kimura"])
    sync(alice)
    sync(team.kimura("2026-11-30T10:05:00+09:00"))
    alice = team.alice("2026-11-30T12:00:00+09:00")
    meetings.call_off_meeting(alice, team.lead, "先方都合")
    meetings.set_meeting(alice, team.lead, "2026-12-20 10:00", ["kimura"])
    sync(alice)
    meetings.mark_meeting(team.kimura("2026-11-30T12:05:00+09:00"), team.lead, "held")
    report = sync(team.kimura("2026-11-30T12:05:00+09:00"))
    sync(team.alice("2026-11-30T12:10:00+09:00"))
    leads = [ws.get_lead(team.lead) for ws in (team.alice("2026-11-30T12:10:00+09:00"),
                                               team.kimura("2026-11-30T12:10:00+09:00"))]
    assert leads[0] == leads[1]
    lead = leads[0]
    assert (lead["meeting_at"], lead["meeting"]["status"], lead["meeting"]["with"]) == (
        "2026-12-20T10:00:00+09:00", None, ["kimura"])
    assert [(m["at"], m["status"], m.get("marked_by")) for m in lead["meeting_history"]] == [
        ("2026-11-30T11:00:00+09:00", "held", "kimura")]
    said = [conflict_line(conflict) for conflict in report["conflicts"] if conflict["field"] == "meeting"]
    assert len(said) == 1 and "kept held 11-30 11:00 (kimura), not called off 11-30 11:00 (alice)" in said[0], said
