"""Dialing (services.dialing): the command's words, a number that stays one word, the timer."""

from __future__ import annotations

import pytest

from istui.domain.errors import BadInput, IstuiError
from istui.domain.phones import parse_phone
from istui.services.dialing import CallTimer, command_words, dial

LEAD = {"company": "Acme", **parse_phone("(212) 555-2000 x7", "US").fields()}


def test_the_number_is_filled_in_after_splitting() -> None:
    words = command_words('baresip -e "/dial {e164}" --name \'{national}\'', {"e164": "+12125552000",
                                                                             "national": "(212) 555-2000", "ext": ""})
    assert words == ["baresip", "-e", "/dial +12125552000", "--name", "(212) 555-2000"]


def test_dial_runs_the_words_and_says_what_it_dialed() -> None:
    ran: list[list[str]] = []
    dialed = dial(LEAD, "US", "linphonec -c 'call {e164}' {ext}", run=ran.append)
    assert ran == [["linphonec", "-c", "call +12125552000", "7"]]
    assert (dialed.number, dialed.national) == ("+12125552000", "(212) 555-2000")


def test_no_command_means_nothing_runs_and_no_number_is_refused() -> None:
    assert dial(LEAD, "US", None).command is None
    with pytest.raises(BadInput, match="has no phone number to dial"):
        dial({"company": "Acme", "phone": ""}, "JP", "x {e164}")
    with pytest.raises(BadInput, match="'abc' is not a number istui can dial"):
        dial({"company": "Acme", "phone": "abc"}, "JP", "x {e164}")


@pytest.mark.parametrize("stored", ["+999", "+12125552000;touch /tmp/x", "12125552000", ""])
def test_a_hand_edited_e164_is_never_dialed(stored: str) -> None:
    """A stored E.164 form that is no E.164 number (a hand edit, a teammate's commit) is not used: the number as
    shown is read again."""
    ran: list[list[str]] = []
    dial({**LEAD, "phone_e164": stored}, "US", "call {e164}", run=ran.append)
    assert ran == [["call", "+12125552000"]]


@pytest.mark.parametrize(("template", "words"), [("dial '{e164}", "not a command line"), ("dial {number}", "names 'number'"),
                                                ("dial {e164.__class__}", "names 'e164.__class__'"),
                                                ("dial {0}", "names '0'"), ("dial {e164", "names '{'")])
def test_a_broken_dial_command_is_one_sentence(template: str, words: str) -> None:
    with pytest.raises(BadInput, match=words):
        dial(LEAD, "US", template, run=lambda _words: None)


def test_a_command_that_does_not_exist_is_one_sentence() -> None:
    with pytest.raises(IstuiError, match="could not be started"):
        dial(LEAD, "US", "/nonexistent/softphone {e164}")


def test_the_call_timer_on_a_fake_clock() -> None:
    now = [100.0]
    timer = CallTimer(lambda: now[0])
    assert timer.stop() is None and not timer.running
    timer.start()
    now[0] += 61.6
    assert timer.running and timer.elapsed() == pytest.approx(61.6)
    assert timer.stop() == 62 and not timer.running and timer.elapsed() == 0.0
