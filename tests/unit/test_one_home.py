"""One concept, one home (DESIGN.md section 2): the call outcomes, the e-mail outcomes, the metrics, the
stages and the queue reasons are each defined once in `istui.domain`; a second list anywhere fails here,
and everything shown (help, forms, the call block, labels) is checked to derive from the definition."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from istui.domain import labels
from istui.domain.metrics import METRICS, TARGET_METRICS
from istui.domain.model import ActivityKind, NoteKind, PeriodKind, Stage, Temperature
from istui.domain.outcomes import CALL_OUTCOMES, EmailOutcome
from istui.domain.queue import QUEUE_REASONS

SRC = Path(__file__).resolve().parents[2] / "src" / "istui"
VOCABULARIES = {
    "call outcomes": ({info.outcome.value for info in CALL_OUTCOMES}, "domain/outcomes.py"),
    "e-mail outcomes": ({outcome.value for outcome in EmailOutcome} - {"meeting_booked"}, "domain/outcomes.py"),
    "metrics": ({metric.name for metric in METRICS}, "domain/metrics.py"),
    "stages": ({stage.value for stage in Stage}, "domain/model.py"),
}
ENOUGH = 4  # a literal collection naming this many members of one vocabulary is a second copy of it


def literal_collections(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [key for key in node.keys if key is not None]
        else:
            continue
        names = {item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)}
        if names:
            yield node.lineno, names


@pytest.mark.parametrize("vocabulary", sorted(VOCABULARIES))
def test_no_second_list_of_a_vocabulary(vocabulary: str) -> None:
    members, home = VOCABULARIES[vocabulary]
    copies = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative == home:
            continue
        for line, names in literal_collections(ast.parse(path.read_text("utf-8"))):
            if len(names & members) >= ENOUGH:
                copies.append(f"{relative}:{line}: {sorted(names & members)}")
    assert not copies, f"a second list of {vocabulary} (derive it from {home}):\n" + "\n".join(copies)


@pytest.mark.parametrize(("table", "members"), [
    (labels.STAGES, Stage), (labels.TEMPERATURES, Temperature), (labels.PERIOD_KINDS, PeriodKind),
    (labels.ACTIVITY_KINDS, ActivityKind), (labels.NOTE_KINDS, NoteKind),
])
def test_every_member_of_an_enumeration_has_a_label(table, members) -> None:
    assert set(table) == {member.value for member in members}


def test_queue_reasons_are_labelled() -> None:
    from istui.domain.handoffs import TASK_REASONS

    assert list(labels.REASONS) == [*QUEUE_REASONS, *TASK_REASONS]  # the queue's, then the handoff loop's tasks


def help_of(capsys: pytest.CaptureFixture[str], *command: str) -> str:
    from istui.cli import main

    with pytest.raises(SystemExit):
        main([*command, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_cli_help_lists_the_outcomes_and_metrics_of_the_domain(capsys) -> None:
    call = help_of(capsys, "log", "call")
    for info in CALL_OUTCOMES:
        assert f"{info.outcome.value}({info.key})" in call
    email = help_of(capsys, "log", "email")
    assert all(outcome.value in email for outcome in EmailOutcome)
    assert " ".join(TARGET_METRICS) in help_of(capsys, "target", "set")
    stage = help_of(capsys, "lead", "stage")
    assert " ".join(s.value for s in Stage) in stage


def test_the_log_form_and_the_call_block_offer_every_outcome_with_its_key() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from textual.widgets import Select

    from istui.tui.screens.callblock import CallBlockScreen
    from istui.tui.screens.record_forms import log_form

    form = log_form(datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("Asia/Tokyo")), "call")
    select = next(field.widget for field in form.fields if field.name == "outcome")
    assert isinstance(select, Select)
    offered = [value for _label, value in select._options if value is not Select.NULL]
    assert offered == [info.outcome.value for info in CALL_OUTCOMES]
    keys = {binding.key: binding.action for binding in CallBlockScreen.BINDINGS if binding.id and "outcome" in binding.id}
    assert keys == {info.key: f"dispose('{info.outcome.value}')" for info in CALL_OUTCOMES}
