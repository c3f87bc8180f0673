"""The catalog: every message the code marks (`_()`, `N_()`, `pgettext()`, key descriptions) has a Japanese
entry, every entry is still used, and placeholders survive translation. Every choice a form or a table shows
(stages, temperatures, motions, sources, outcomes, metrics …) and every field a message names reads in Japanese.

`python tests/unit/test_i18n.py` lists the messages without an entry (to add to src/istui/locale/ja.po).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "istui"
sys.path.insert(0, str(SRC.parent))

from istui import i18n  # noqa: E402
from istui.domain import labels  # noqa: E402
from istui.domain.errors import BadInput  # noqa: E402
from istui.domain.metrics import METRICS  # noqa: E402
from istui.domain.model import DEFAULT_SOURCES, ActivityKind, Motion, NoteKind, PeriodKind, Stage, Temperature  # noqa: E402
from istui.domain.outcomes import parse_email_outcome  # noqa: E402
from istui.domain.queue import PARKING_REASONS, QUEUE_REASONS  # noqa: E402
from istui.domain.validation import clean_lead_field, clean_note_field  # noqa: E402
from istui.i18n import CONTEXT_SEPARATOR, _, load_po, set_language  # noqa: E402
from istui.services.targets import clean_target  # noqa: E402

CATALOG = SRC / "locale" / "ja.po"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji


def marked_messages() -> dict[str, str]:
    """Every literal passed to `_()` / `N_()`, every (context, literal) passed to `pgettext()` / `NP_()` (keyed
    as the catalog keys it), and every key description (`Binding(key, action, "…")`), with where it was found."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            literals: list[ast.AST] = []
            if name in ("pgettext", "NP_") and len(node.args) == 2 and all(
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args):
                context, message = (arg.value for arg in node.args)
                found.setdefault(f"{context}{CONTEXT_SEPARATOR}{message}", f"{path.relative_to(SRC.parent)}:{node.lineno}")
            if name in ("_", "N_") and node.args:
                literals.append(node.args[0])
            elif name == "Binding":
                literals += node.args[2:3] + [kw.value for kw in node.keywords if kw.arg == "description"]
            for literal in literals:
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str) and literal.value:
                    found.setdefault(literal.value, f"{path.relative_to(SRC.parent)}:{node.lineno}")
    return found


def test_every_marked_message_has_a_japanese_entry() -> None:
    catalog = load_po(CATALOG)
    missing = {message: where for message, where in marked_messages().items() if message not in catalog}
    assert not missing, "no Japanese for:\n" + "\n".join(f"  {where}: {message!r}" for message, where in missing.items())


def test_no_entry_is_left_over() -> None:
    unused = set(load_po(CATALOG)) - set(marked_messages())
    assert not unused, f"entries no code uses: {sorted(unused)}"


def test_placeholders_survive_translation() -> None:
    for message, translated in load_po(CATALOG).items():
        assert sorted(re.findall(r"{\w*}", message)) == sorted(re.findall(r"{\w*}", translated)), message


def test_the_language_switches_at_runtime() -> None:
    try:
        set_language("ja")
        assert _("Leads") == "リード"
        assert _("not in the catalog") == "not in the catalog"
    finally:
        set_language("en")
    assert _("Leads") == "Leads"


@pytest.fixture
def japanese() -> Iterator[None]:
    i18n._misses.clear()
    set_language("ja")
    yield
    set_language("en")


#: Every vocabulary a form offers as a choice or a table shows, with the function that names its values.
CHOICES: dict[str, tuple[list[str], Callable[[str], str]]] = {
    "stage": ([s.value for s in Stage], labels.stage),
    "temperature": ([t.value for t in Temperature], labels.temperature),
    "motion": ([m.value for m in Motion], labels.motion),
    "motion choice": ([m.value for m in Motion], labels.motion_option),
    "source": (list(DEFAULT_SOURCES), labels.source),
    "source choice": (list(DEFAULT_SOURCES), labels.source_option),
    "call outcome": (list(labels.CALL_OUTCOME_VALUES), labels.call_outcome),
    "call outcome choice": (list(labels.CALL_OUTCOME_VALUES), labels.call_outcome_option),
    "e-mail outcome": (list(labels.EMAIL_OUTCOME_VALUES), labels.email_outcome),
    "metric": ([m.name for m in METRICS], labels.metric),
    "note kind": ([k.value for k in NoteKind], labels.note_kind),
    "activity kind": ([k.value for k in ActivityKind], labels.activity_kind),
    "period kind": ([k.value for k in PeriodKind], labels.period_kind),
    "weekday": (list(labels.WEEKDAYS), labels.weekday),
    "queue reason": (list(QUEUE_REASONS), labels.reason),
    "parking reason": (list(PARKING_REASONS), labels.parked),
}


@pytest.mark.parametrize("vocabulary", sorted(CHOICES))
def test_every_choice_reads_in_japanese(vocabulary: str, japanese) -> None:
    values, shown = CHOICES[vocabulary]
    japanese_names = {value: shown(value) for value in values}
    set_language("en")
    english_names = {value: shown(value) for value in values}
    for value in values:
        assert JAPANESE.search(japanese_names[value]), (vocabulary, value, japanese_names[value])
        assert japanese_names[value] != english_names[value], (vocabulary, value)
    assert len(set(japanese_names.values())) == len(values), f"two {vocabulary} values read alike: {japanese_names}"
    assert not i18n.missing(), sorted(i18n.missing())


def test_every_field_a_message_names_reads_in_japanese(japanese) -> None:
    for name in labels.FIELDS:
        assert JAPANESE.search(labels.field(name)), name
    assert not i18n.missing(), sorted(i18n.missing())
    assert labels.field("title") == "役職" and labels.field("note_title") == "タイトル"  # a lead's title, a note's
    assert labels.field("meeting") == "商談日時" and labels.stage("meeting") == "商談化"  # one word, two contexts
    assert labels.field("--rep") == "--rep"  # an option, a setting's key: as typed
    set_language("en")
    assert [labels.field(name) for name in ("company", "phone", "meeting", "note_title")] == ["company", "phone", "meeting",
                                                                                                 "title"]


def test_a_message_that_starts_with_a_field_starts_with_its_japanese_name() -> None:
    """`next: a callback needs …` → 次回フォロー: …: the catalog's messages that name a field at their start name it
    as `labels.field` does (a record named there, `note: no note with id …`, is the record, not a field)."""
    try:
        set_language("ja")
        wrong = []
        for message, translated in load_po(CATALOG).items():
            match = re.match(r"^([a-z_]+): ", message)
            named = match is not None and match[1] in labels.FIELDS and f"no {match[1]} with id" not in message
            if named and not translated.startswith(labels.field(match[1]) + ":"):
                wrong.append(f"{message!r} → {translated!r}")
    finally:
        set_language("en")
    assert not wrong, "\n".join(wrong)


NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
REFUSALS: list[tuple[Callable[[], object], str, str]] = [
    (lambda: clean_lead_field("company", "", sources=["other"], now=NOW), "company is required", "会社名 は必須"),
    (lambda: clean_lead_field("phone", "abc", sources=["other"], now=NOW), "phone: ", "電話番号: "),
    (lambda: clean_lead_field("email", "x@", sources=["other"], now=NOW), "email: ", "メールアドレス: "),
    (lambda: clean_lead_field("temp", "lukewarm", sources=["other"], now=NOW), "temp: ", "温度感: "),
    (lambda: clean_lead_field("next", "yesterday 9:00", sources=["other"], now=NOW, future_only=True), "next: ",
     "次回フォロー: "),
    (lambda: clean_lead_field("meeting", "someday", sources=["other"], now=NOW), "meeting: ", "商談日時: "),
    (lambda: clean_target("calls", "-5", "day"), "value: ", "目標値: "),
    (lambda: clean_target("calls", "5", "decade"), "per: ", "期間: "),
    (lambda: parse_email_outcome("lost"), "outcome: ", "結果: "),
    (lambda: clean_note_field("title", ""), "title is required", "タイトル は必須"),
]


@pytest.mark.parametrize(("refuse", "english", "japanese_start"), REFUSALS)
def test_a_refused_value_names_its_field_in_the_language_in_force(refuse, english, japanese_start) -> None:
    with pytest.raises(BadInput) as refused:
        refuse()
    assert str(refused.value).startswith(english), str(refused.value)
    try:
        set_language("ja")
        with pytest.raises(BadInput) as refused:
            refuse()
    finally:
        set_language("en")
    assert str(refused.value).startswith(japanese_start), str(refused.value)


if __name__ == "__main__":
    import json

    catalog = load_po(CATALOG)
    for message, where in marked_messages().items():
        if message not in catalog:
            context, _sep, text = message.rpartition(CONTEXT_SEPARATOR)
            entry = f"msgctxt {json.dumps(context, ensure_ascii=False)}\n" if context else ""
            print(f"#: {where}\n{entry}msgid {json.dumps(text, ensure_ascii=False)}\nmsgstr \"\"\n")


def test_no_translation_uses_a_word_the_glossary_rules_out() -> None:
    """The glossary in the catalog's header picks one word per concept and names the ones it rules out
    (`not トスアップ, not 引き継ぎ`): no translation uses them."""
    header = CATALOG.read_text("utf-8").split('msgid ""', 1)[0]
    ruled_out = re.findall(r"\bnot (\S+?)(?:,|$)", header, flags=re.M)
    assert "トスアップ" in ruled_out and "引き継ぎ" in ruled_out
    used = {english: japanese for english, japanese in load_po(CATALOG).items()
            if any(word in japanese for word in ruled_out)}
    assert not used, used
