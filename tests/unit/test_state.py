"""The app's shared state without a terminal: leads kept in place, cohorts dropped when they depend on
what changed, KPI reports kept per files and day, and the undo stack."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from istui.tui.state import AppState

TOKYO = ZoneInfo("Asia/Tokyo")


class Clocked:
    """Just enough of a workspace: the time, its timezone, a changing fingerprint."""

    tz = TOKYO

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 27, 10, 30, tzinfo=TOKYO)
        self.writes = 0

    def now(self) -> datetime:
        return self.moment

    def fingerprint(self) -> tuple:
        return (self.writes,)


def lead(lead_id: str, **fields) -> dict:
    return {"id": lead_id, "company": f"Co {lead_id}", "source": "web_inquiry", "owner": "sato", "motion": "sdr",
            "created_at": "2026-11-01T09:00:00+09:00", **fields}


def test_a_changed_lead_replaces_its_record_and_a_new_one_goes_first() -> None:
    state = AppState(Clocked())  # type: ignore[arg-type]
    state.set_leads([lead("A"), lead("B")], (0,))
    state.cohorts = {"kept": object()}
    state.lead_changed(lead("B", temp="hot"))
    assert [r["id"] for r in state.leads] == ["A", "B"] and state.leads_by_id["B"]["temp"] == "hot"
    assert state.cohorts  # temperature is not what a cohort depends on
    state.lead_changed(lead("B", temp="hot", source="partner"))
    assert state.cohorts == {}  # the source is
    state.lead_changed(lead("C"))
    assert [r["id"] for r in state.leads] == ["C", "A", "B"]
    state.lead_removed("A")
    assert [r["id"] for r in state.leads] == ["C", "B"] and "A" not in state.leads_by_id


def test_reports_are_kept_per_files_and_day() -> None:
    ws = Clocked()
    state = AppState(ws)  # type: ignore[arg-type]
    first = state.kpi_key("month", None)
    state.keep_report(first, "report 1")
    assert state.kept_report(state.kpi_key("month", None)) == "report 1"
    ws.writes += 1
    state.wrote()
    second = state.kpi_key("month", None)
    assert second != first and state.kept_report(second) is None
    state.keep_report(second, "report 2")
    assert state.kpi_reports == {second: "report 2"}  # the report of the older files is dropped
    ws.moment = ws.moment.replace(day=28)
    assert state.tick() and state.kept_report(state.kpi_key("month", None)) is None


def test_undo_takes_back_the_latest_action_first() -> None:
    state = AppState(Clocked())  # type: ignore[arg-type]
    done: list[str] = []
    state.undo.push("delete of Co A", lambda: done.append("A"))
    state.undo.push("log of busy", lambda: done.append("busy"))
    assert state.undo.latest == "log of busy" and len(state.undo) == 2
    what, undo = state.undo.pop()
    undo()
    assert (what, done) == ("log of busy", ["busy"])
    assert state.undo.pop()[0] == "delete of Co A" and state.undo.pop() is None
