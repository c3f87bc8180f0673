"""E-mail templates render merge fields for one lead in jinja2's sandbox: Japanese as written, a missing field
refused with one sentence unless the template gives a fallback, values never read as template code, nothing
reached through attributes, the subject always one line."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from istui.domain.errors import BadInput
from istui.services.mail_templates import render

REP = {"name": "sato", "display": "佐藤 花子", "email": "sato@example.co.jp"}
LEAD = {"id": "01LEAD", "company": "株式会社東洋テック", "contact": "山田 太郎", "title": "部長", "email": "yamada@toyo.example",
        "phone": "03-1234-5678", "memo": "not for mail", "tags": []}


def template(subject: str, body: str) -> dict:
    return {"id": "01TEMPLATE", "title": "初回のご案内", "kind": "template", "subject": subject, "body": body}


def test_japanese_merge_fields_render_as_written() -> None:
    subject, body = render(template("{{ lead.company }} 様へのご案内", "{{ lead.contact }} 様\n\n{{ rep.display }}"
                                    " <{{ rep.email }}>\n{{ unsubscribe }}\n"), LEAD, REP, unsubscribe="配信停止: https://x.example/u",
                           today=date(2026, 12, 3))
    assert subject == "株式会社東洋テック 様へのご案内"
    assert body == "山田 太郎 様\n\n佐藤 花子 <sato@example.co.jp>\n配信停止: https://x.example/u\n"


def test_a_missing_field_is_one_sentence_naming_it_and_the_lead_unless_defaulted() -> None:
    lead = {**LEAD, "contact": ""}
    with pytest.raises(BadInput) as refused:
        render(template("ご案内", "{{ lead.contact }} 様"), lead, REP)
    message = str(refused.value)
    assert "株式会社東洋テック" in message and "{{ lead.contact }}" in message and "初回のご案内" in message
    assert message.endswith(".") and "\n" not in message
    assert render(template("ご案内", "{{ lead.contact | default('ご担当者') }} 様"), lead, REP)[1] == "ご担当者 様"
    with pytest.raises(BadInput, match="unsubscribe"):  # a one-to-one mail has no opt-out line to merge
        render(template("ご案内", "{{ unsubscribe }}"), LEAD, REP)
    with pytest.raises(BadInput, match="memo"):  # fields outside LEAD_FIELDS stay out of mail
        render(template("ご案内", "{{ lead.memo }}"), LEAD, REP)


@pytest.mark.parametrize("code", ["{{ ''.__class__.__mro__ }}", "{{ lead.__class__ }}", "{{ rep.items.__globals__ }}",
                                  "{% for c in ''.__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
                                  "{{ cycler.__init__.__globals__.os }}"])
def test_nothing_is_reached_through_attributes(code: str) -> None:
    with pytest.raises(BadInput):
        render(template("x", code), LEAD, REP)


def test_a_template_that_does_not_parse_says_where() -> None:
    with pytest.raises(BadInput, match="line 2"):
        render(template("x", "ok\n{{ lead.company "), LEAD, REP)


def test_the_subject_is_one_line_whatever_it_merges() -> None:
    subject, _body = render(template("{{ lead.company }}\n{{ lead.title }}", ""), {**LEAD, "title": "部長\r\nBcc: x@evil"}, REP)
    assert "\n" not in subject and "\r" not in subject and subject.startswith("株式会社東洋テック 部長")


@given(st.text(min_size=1, max_size=40).filter(str.strip))
def test_lead_values_are_data_never_template_code(company: str) -> None:
    subject, body = render(template("{{ lead.company }}", "{{ lead.company }}"), {**LEAD, "company": company}, REP)
    assert body == company and subject == " ".join(company.split())


@pytest.mark.parametrize("code", ["{% include '/etc/passwd' %}", "{% import 'os' as os %}{{ os }}",
                                  "{% extends 'base.html' %}", "{% for i in range(100000000) %}x{% endfor %}",
                                  "{{ 'x' * 1000000000 }}", "{{ [0] * 1000000000 }}", "{{ 9 ** 9 ** 9 }}",
                                  "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}",
                                  "{% for i in range(15000) %}{{ 'x' * 50 }}{% endfor %}", "{{ 'x'.ljust(1000000000) }}",
                                  "{{ 'x' | center(1000000000) }}", "{{ lipsum(1000000) }}", "{{ 1 / 0 }}",
                                  "{{ '{:>1000000000}'.format(1) }}", "{{ '%1000000000s' % 'x' }}",
                                  "{{ cycler(1,2).__init__ }}", "{{ ('a'*10000).replace('a', 'a'*100000) | length }}",
                                  "{{ ('a'*30000)|replace('a','a'*100000) }}",
                                  "{% for c in 'a'*100000 %}{% for d in 'a'*100000 %}{% endfor %}{% endfor %}x",
                                  "{% for c in [0]*100000 %}{% for d in [0]*100000 %}{% endfor %}{% endfor %}x",
                                  "{% for w in ('a '*90000).split() %}{% for v in ('a '*90000).split() %}{% endfor %}"
                                  "{% endfor %}"])
def test_a_hostile_template_is_one_sentence_quickly(code: str) -> None:
    import time
    import tracemalloc

    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(BadInput) as refused:
            render(template("ご案内", code), LEAD, REP)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3
    assert peak < 20 << 20, f"{peak / 2**20:.0f} MB made before the template was refused"  # (a width: a gigabyte)
    message = str(refused.value)
    assert "初回のご案内" in message and "\n" not in message and message.endswith(".")


def test_loops_and_replace_within_bounds_still_render() -> None:
    body = ("{% for word in ['a', 'b'] %}{{ loop.index }}{{ word }}{% if not loop.last %},{% endif %}{% endfor %} "
            "{{ lead.company.replace('株式会社', '') }}/{{ lead.company|replace('株式会社', '御社 ') }}"
            "{% for i in range(3) %}{% for c in 'xy' %}{{ c }}{% endfor %}{% endfor %}")
    _subject, text = render(template("ご案内", body), LEAD, REP)
    assert text == "1a,2b 東洋テック/御社 東洋テックxyxyxy"
