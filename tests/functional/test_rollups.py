"""Rollups give exactly the KPIs of the raw activities, and are rebuilt only for files that changed."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from istui.domain.periods import parse_period
from istui.services.kpi import compute_kpis, period_kpis
from istui.services.leads import log_activity
from istui.services.rollup_days import KeptTallies
from istui.services.rollups import Rollups
from istui.store.workspace import Workspace

from conftest import fixed_clock

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("spec", ["month", "last_month", "quarter", "fy", "2026-10", "today", "week", "last_week",
                                  "2026-10-20..2026-11-05"])
@pytest.mark.parametrize("rep", [None, "sato", "ben"])
def test_rollups_match_the_raw_definitions(demo_ws: Workspace, spec: str, rep: str | None) -> None:
    period = parse_period(spec, TODAY)
    rollups = Rollups(demo_ws)
    leads = list(demo_ws.leads())
    raw = compute_kpis(list(demo_ws.activities()), leads, period, demo_ws.tz, rep=rep)
    fast = period_kpis(KeptTallies(rollups, [rep] if rep else None), leads, period, demo_ws.tz, rep=rep)
    assert fast == raw


def test_only_changed_files_are_rebuilt(demo_ws: Workspace) -> None:
    first = Rollups(demo_ws)
    files = first.refresh()
    before = {key: roll for key, roll in files.items()}
    lead_id = next(iter(demo_ws.lead_ids()))
    log_activity(demo_ws, lead_id, "call", "connected")
    again = Rollups(Workspace.open(demo_ws.root, "sato", clock=fixed_clock))  # a new process: reads the cache
    after = again.refresh()
    changed = [key for key in after if after[key] is not before.get(key) and after[key]["sig"] != before[key]["sig"]]
    assert changed == ["sato/2026-11"]
    day = TODAY.toordinal()
    assert after["sato/2026-11"]["days"][day]["calls"] == before["sato/2026-11"]["days"].get(day, {"calls": 0})["calls"] + 1
    assert again.numbers == first.numbers | {k: v for k, v in again.numbers.items() if k not in first.numbers}


@pytest.mark.parametrize("spec", ["month", "quarter", "fy", "today", "week", "last_week"])
@pytest.mark.parametrize("rep", [None, "sato"])
def test_the_whole_report_from_rollups_matches_the_raw_report(demo_ws: Workspace, spec: str, rep: str | None) -> None:
    from istui.services.report import kpi_report

    fast = kpi_report(demo_ws, spec, rep, analytics=True)
    raw = kpi_report(demo_ws, spec, rep, analytics=True, use_rollups=False)
    assert fast == raw


def test_kept_cohorts_follow_new_activities(demo_ws: Workspace) -> None:
    """The TUI keeps each period's cohort while only activities change: a lead of the cohort touched for
    the first time afterwards (so numbered afterwards) must still count in its source's row."""
    from istui.services.leads import create_lead
    from istui.services.report import kpi_report

    cohorts: dict[tuple, object] = {}
    kpi_report(demo_ws, "month", None, analytics=True, cohorts=cohorts)
    lead = create_lead(demo_ws, {"company": "Kept Cohort KK", "contact": "Aoki", "source": "partner",
                                 "phone": "03-5555-0199"})
    cohorts.clear()  # a new lead is a change of the leads: the TUI starts a fresh dict
    first = kpi_report(demo_ws, "month", None, analytics=True, cohorts=cohorts)
    log_activity(demo_ws, lead["id"], "call", "meeting_booked")
    kept = kpi_report(demo_ws, "month", None, analytics=True, cohorts=cohorts)
    fresh = kpi_report(demo_ws, "month", None, analytics=True)
    assert kept == fresh
    assert kept["by_source"]["partner"]["meetings"] == first["by_source"]["partner"]["meetings"] + 1


def test_rollups_built_in_child_processes_equal_those_built_here(demo_ws: Workspace) -> None:
    from istui.services.rollups import build_rollups, rollup_file

    paths = sorted(str(path) for path in demo_ws.activity_files())
    assert len(paths) > 8
    tz = demo_ws.settings.timezone
    from istui.services.counting import LEAD_SETS

    def with_ids(counted: dict) -> dict:
        leads = counted.pop("leads")
        return {**counted, **{name: {leads[place] for place in counted[name]} for name in LEAD_SETS},
                "closings": {leads[place]: closing for place, closing in counted["closings"].items()}}

    here = [rollup_file(path, tz) for path in paths]
    assert [with_ids(counted) for counted in build_rollups(paths, tz, workers=3)] == here
    assert [with_ids(counted) for counted in build_rollups(paths, tz, workers=1)] == here


def test_cohorts_kept_across_processes_follow_changes_of_the_leads(demo_ws: Workspace) -> None:
    """A new process's report uses the cohorts kept by the last one (reading no lead) while no lead's
    creation time, source, owner, motion or company changed; any such change, a new lead or a removed
    one makes them again. Each report is checked against the raw report."""
    from istui.services.leads import create_lead, set_lead_fields
    from istui.services.report import kpi_report

    def new_process() -> Workspace:
        return Workspace.open(demo_ws.root, "sato", clock=fixed_clock)

    def same(spec: str = "fy") -> dict:
        kept = kpi_report(new_process(), spec, None, analytics=True)
        assert kept == kpi_report(new_process(), spec, None, analytics=True, use_rollups=False)
        return kept

    first = same()
    reading = new_process()
    kpi_report(reading, "fy", None, analytics=True)
    assert [path for path in reading._storages if path.parent.name == "leads"] == []  # no lead bucket read
    lead = next(iter(first_lead for first_lead in demo_ws.leads() if first_lead.get("source") == "web_inquiry"))
    set_lead_fields(new_process(), lead["id"], {"memo": "call after the budget meeting"})  # not a cohort field
    assert same() == first
    set_lead_fields(new_process(), lead["id"], {"source": "partner"})
    moved = same()
    assert moved != first
    create_lead(new_process(), {"company": "Cohort Newcomer KK", "contact": "Ueda", "source": "seminar",
                                "phone": "03-5555-0177"})
    assert same()["by_source"]["seminar"]["leads"] == moved["by_source"].get("seminar", {"leads": 0})["leads"] + 1


@pytest.mark.parametrize("damage", ["repeat", "shuffle", "junk", "bytes"])
def test_a_damaged_lead_number_registry_never_changes_a_figure(demo_ws: Workspace, damage: str) -> None:
    """The kept tallies' bitsets mean the registry's numbering: a registry with repeated lines (two leads, one
    number), reordered, replaced by other lines or bytes is started again or refused, never read as the same."""
    import random

    from istui.locations import Local
    from istui.services.leads import create_lead
    from istui.services.report import kpi_report

    raw = kpi_report(demo_ws, "fy", None, analytics=True, use_rollups=False)
    assert kpi_report(demo_ws, "fy", None, analytics=True) == raw
    registry = Local(demo_ws.root).lead_numbers
    lines = registry.read_text().splitlines()
    if damage == "repeat":
        registry.write_text("\n".join(lines + lines[:50]) + "\n")
    elif damage == "shuffle":
        random.Random(1).shuffle(lines)
        registry.write_text("\n".join(lines) + "\n")
    elif damage == "junk":
        registry.write_text("".join(f"{n}\n" for n in range(len(lines))))
    else:
        registry.write_bytes(bytes(range(256)) * 4)
    ws = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)
    lead = create_lead(ws, {"company": "Probe KK", "source": "webinar", "motion": "sdr"})
    log_activity(ws, lead["id"], "call", "meeting_booked")
    again = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)
    assert kpi_report(again, "fy", None, analytics=True) == kpi_report(again, "fy", None, analytics=True,
                                                                      use_rollups=False)


@pytest.mark.parametrize("damage", ["wrong_types", "sig_only", "not_tallies"])
def test_a_damaged_rollups_cache_is_counted_again(demo_ws: Workspace, damage: str) -> None:
    """A cache file that unpickles as plain data of the right version but holds values of other types (damaged
    or edited: it is local) gives the figures of the activity files, and is replaced by a sound one."""
    import pickle

    from istui.services.plan import plan_report
    from istui.services.report import kept_note_usage, kpi_report
    from istui.services.rollups import safe_unpickle
    from istui.store.files import seal, unseal

    raw = kpi_report(demo_ws, "fy", None, analytics=True, use_rollups=False)
    assert kpi_report(demo_ws, "fy", None, analytics=True) == raw
    plan = plan_report(demo_ws, 10_000_000, "month")
    usage = kept_note_usage(demo_ws)
    path = demo_ws.local.rollups
    cached = safe_unpickle(unseal(path.read_bytes()))
    for key, counted in cached["files"].items():
        if damage == "wrong_types":
            cached["files"][key] = {name: "x" if name != "sig" else value for name, value in counted.items()}
        elif damage == "sig_only":
            cached["files"][key] = {"sig": counted["sig"]}
        else:
            cached["files"][key] = {**counted, "counts": [1, 2], "worked": "many", "heat_calls": {(0, 9): "x"}}
    path.write_bytes(seal(pickle.dumps(cached)))  # (sealed: the values inside are what is tested)
    again = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)
    assert kpi_report(again, "fy", None, analytics=True) == raw
    assert plan_report(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), 10_000_000, "month") == plan
    assert kept_note_usage(Workspace.open(demo_ws.root, "sato", clock=fixed_clock)) == usage
    kept = Rollups(Workspace.open(demo_ws.root, "sato", clock=fixed_clock))
    kept.refresh()
    assert kept.from_disk and all(type(counted.get("counts")) is dict and type(counted.get("worked")) is int
                                  for counted in kept.files.values())


def test_a_file_noted_clean_by_mistake_is_read_with_its_checks(demo_ws: Workspace) -> None:
    """The note that an activity file is clean is local: when it is wrong (an unusable `at` or `amount` under a
    clean flag at the file's very signature), the rollups read the file with every check, as a reader does."""
    import json

    from istui.services.report import kpi_report
    from istui.store import files

    path = sorted(demo_ws.activity_files())[-1]
    good = path.read_bytes().splitlines(keepends=True)
    bad_at = {**json.loads(good[0]), "id": "01ZZZZZZZZZZZZZZZZZZZZZZZ1", "at": "yesterday"}
    bad_amount = {**json.loads(good[-1]), "id": "01ZZZZZZZZZZZZZZZZZZZZZZZ2", "kind": "stage", "outcome": "won",
                  "lead": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "amount": "lots"}  # a closing of its own: its amount is summed
    path.write_bytes(b"".join(good) + b"".join(json.dumps(r, ensure_ascii=False, sort_keys=True).encode() + b"\n"
                                             for r in (bad_at, bad_amount)))
    demo_ws.local.rollups.unlink(missing_ok=True)
    checks = demo_ws.local.file_checks
    checks.unlink(missing_ok=True)
    expected = kpi_report(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), "fy", None, analytics=True,
                          use_rollups=False)
    demo_ws.local.rollups.unlink(missing_ok=True)
    noted = json.loads(checks.read_bytes()) if checks.exists() else {}
    noted[str(path)] = [*files.signature(path), 1]  # wrongly noted clean at its current signature
    checks.write_text(json.dumps(noted))
    assert kpi_report(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), "fy", None, analytics=True) == expected


def test_short_periods_are_counted_from_kept_days_across_processes(demo_ws: Workspace) -> None:
    """Today, a week (its trend and the previous period cut at the same moment) are counted from the days kept
    per activity file: a new process reads no activity file, a logged call has only its own file counted
    again, and a damaged kept day is counted again. Each report is checked against the raw report."""
    import pickle

    from istui.services.report import kpi_report
    from istui.services.rollups import safe_unpickle
    from istui.store.files import seal, unseal

    def new_process() -> Workspace:
        return Workspace.open(demo_ws.root, "sato", clock=fixed_clock)

    def activity_files_read(ws: Workspace) -> list[str]:
        read = [*ws._storages, *ws._transient_problems]  # (an activity file read and dropped leaves its problems, if none)
        return sorted(f"{path.parent.name}/{path.stem}" for path in read if path.parent.parent.name == "activities")

    def same(ws: Workspace, spec: str, rep: str | None = None) -> dict:
        kept = kpi_report(ws, spec, rep, analytics=True)
        assert kept == kpi_report(new_process(), spec, rep, analytics=True, use_rollups=False), (spec, rep)
        return kept

    for spec in ("today", "week", "last_week"):
        same(new_process(), spec)
    for spec in ("today", "week", "last_week"):
        for rep in (None, "sato"):
            reading = new_process()
            same(reading, spec, rep)
            assert activity_files_read(reading) == [], (spec, rep)
    before = same(new_process(), "today")
    log_activity(new_process(), next(iter(demo_ws.lead_ids())), "call", "connected")
    reading = new_process()
    after = same(reading, "today")
    assert after["metrics"]["calls"] == before["metrics"]["calls"] + 1
    assert activity_files_read(reading) == [f"sato/{TODAY:%Y-%m}"]
    path = demo_ws.local.rollups
    cached = safe_unpickle(unseal(path.read_bytes()))
    assert cached["days"]
    for entry in cached["days"].values():
        entry["days"] = b"\x80\x05junk"
    path.write_bytes(seal(pickle.dumps(cached)))  # (sealed: the values inside are what is tested)
    assert same(new_process(), "week") == same(new_process(), "week")


@pytest.mark.parametrize("first", [date(2026, 11, 10), date(2026, 10, 1), date(2026, 9, 30)])
def test_kept_tallies_from_a_day_on_count_every_later_activity(demo_ws: Workspace, first: date) -> None:
    from istui.services.kpi import RawTallies

    activities = list(demo_ws.activities())
    for rep in (None, "sato"):
        kept = KeptTallies(Rollups(demo_ws), [rep] if rep else None).combined(first, None, rep)
        raw = RawTallies(activities, demo_ws.tz).combined(first, None, rep)
        assert kept.metrics() == raw.metrics() and kept.heat_mails == raw.heat_mails, rep
        assert kept.metrics()["calls"] > 0


def test_activities_outside_their_files_month_count_in_the_month_they_happened(demo_ws: Workspace) -> None:
    """A file may hold activities of other local months: the workspace's timezone changed since they were
    written, or a line was moved by hand or by a merge. Every report counts each activity on the local day of
    its time, as an independent count over every file does: whole months, single days, ranges, before and after
    a timezone change."""
    import json
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from istui.services.report import kpi_report
    from istui.services.workspace_settings import change_settings

    october = demo_ws.root / "activities" / "sato" / "2026-10.jsonl"
    shape = json.loads(october.read_text().splitlines()[0])
    strays = [{**shape, "id": f"01STRAY{n:019d}", "kind": "call", "outcome": "connected", "at": at}
              for n, at in enumerate(["2026-11-20T10:00:00+09:00", "2026-10-31T16:00:00+00:00",
                                      "2026-10-31T23:30:00+09:00", "2026-11-27T09:00:00+09:00"])]
    with october.open("a") as file:
        file.writelines(json.dumps(stray, ensure_ascii=False) + "\n" for stray in strays)

    def counted(ws: Workspace, first: str, last: str, rep: str | None) -> int:
        tz = ZoneInfo(ws.settings.timezone)
        start = datetime.fromisoformat(first).replace(tzinfo=tz)
        end = datetime.fromisoformat(last).replace(tzinfo=tz) + timedelta(days=1)
        return sum(1 for a in ws.activities() if a["kind"] == "call" and (rep is None or a["rep"] == rep)
                   and start <= datetime.fromisoformat(a["at"]) < end)

    def check() -> None:
        for first, last in [("2026-10-01", "2026-10-31"), ("2026-11-01", "2026-11-30"), ("2026-11-01", "2026-11-01"),
                            ("2026-11-20", "2026-11-20"), ("2026-10-25", "2026-11-05"), ("2026-11-27", "2026-11-27")]:
            for rep in (None, "sato"):
                ws = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)
                report = kpi_report(ws, f"{first}..{last}", rep, analytics=True)
                assert report["metrics"]["calls"] == counted(ws, first, last, rep), (first, last, rep)

    check()
    change_settings(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), ["timezone=America/New_York"])
    check()


@pytest.mark.parametrize("rep", [None, "sato"])
def test_a_motions_target_accounts_count_the_companies_of_its_leads(demo_ws: Workspace, rep: str | None) -> None:
    """A `target_accounts` target of the BDR motion counts the distinct companies of the BDR leads created in the
    period (owned by the rep, for a rep's target); one of the SDR motion counts none (they are BDR's figure)."""
    from istui.services.leads import create_lead
    from istui.services.report import kpi_report
    from istui.services.targets import set_target

    for n, company in enumerate(["Kita Kogyo KK", "kita  kogyo kk", "Minami Shoji KK", "Nishi Denki KK"]):
        create_lead(demo_ws, {"company": company, "contact": f"Contact {n}", "source": "outbound_list",
                              "motion": "bdr" if n < 3 else "sdr", "owner": "sato" if n != 2 else "ben"})
    for motion in ("bdr", "sdr"):
        set_target(demo_ws, "target_accounts", "month", 10, rep=rep, motion=motion)
    ws = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)
    start, end = parse_period("month", TODAY).bounds(ws.tz)
    companies = {" ".join(lead["company"].casefold().split()) for lead in ws.leads() if lead.get("motion") == "bdr"
                 and (rep is None or lead.get("owner") == rep) and start <= datetime.fromisoformat(lead["created_at"]) < end}
    assert len(companies) >= (1 if rep else 2)
    report = kpi_report(ws, "month", rep, analytics=True)
    actual = {t["motion"]: t["actual"] for t in report["targets"] if t["metric"] == "target_accounts"}
    assert actual == {"bdr": len(companies), "sdr": 0}


def test_a_reps_report_counts_only_their_files(demo_ws: Workspace) -> None:
    """A rep's own report (the KPI tab opens on it) counts the rep's files only; the team's report then counts
    the rest. Both equal the raw reports."""
    from istui.services.report import kpi_report

    demo_ws.local.rollups.unlink(missing_ok=True)
    ws = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)
    mine = kpi_report(ws, "fy", "sato", analytics=True)
    rollups = ws.cached("rollups", lambda: None)
    handed_to = {lead["handoff"]["to"] for lead in ws.leads() if lead.get("handoff") and lead["handoff"]["by"] == "sato"}
    assert handed_to and {key.split("/", 1)[0] for key in rollups.files} == {"sato"} | handed_to  # (who closes them)
    assert mine == kpi_report(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), "fy", "sato", analytics=True,
                              use_rollups=False)
    team = kpi_report(ws, "fy", None, analytics=True)
    assert {key.split("/", 1)[0] for key in rollups.files} == {path.parent.name for path in ws.activity_files()}
    assert team == kpi_report(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), "fy", None, analytics=True,
                              use_rollups=False)
