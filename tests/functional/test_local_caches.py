"""The local caches in `.istui/cache` only ever cost speed: whatever became of one (a folder in its place,
bytes that are not text, lines of another shape), every command gives the answers it gives without it,
and no temp file is left behind."""

from __future__ import annotations

import shutil

import pytest

from istui.store.workspace import Workspace

CACHES = ["lead-ids", "activity-leads", "file-checks.json", "queue-leads.json", "lead-numbers", "rollups.pickle"]
DAMAGE = {
    "folder": None,
    "bytes": bytes(range(256)) * 8,
    "no spaces": b"00\n01\nnot a line of the cache\n",
    "one word lines": b"ff 1:2:3\nzz\n\n",
}


def _commands(cli, lead_id: str) -> list[str]:
    outputs = []
    for args in (("lead", "show", lead_id[:10]), ("today", "--json"), ("kpi", "--period", "month", "--json"),
                 ("lead", "list", "--json")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        assert "Traceback" not in result.err
        outputs.append(result.out)
    return outputs


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("cache", CACHES)
def test_a_damaged_cache_changes_no_answer(cli, ws: Workspace, cache: str, damage: str) -> None:
    lead = cli("lead", "add", "--company", "Acme KK", "--source", "web_inquiry", "--json").json
    cli("lead", "add", "--company", "Beta KK", "--source", "seminar")
    assert cli("log", "call", lead["id"][:10], "-o", "2").code == 0
    expected = _commands(cli, lead["id"])
    path = ws.local.cache / cache
    if path.is_dir():
        shutil.rmtree(path)
    path.unlink(missing_ok=True)
    if DAMAGE[damage] is None:
        path.mkdir()
    else:
        path.write_bytes(DAMAGE[damage])
    assert _commands(cli, lead["id"]) == expected
    assert cli("log", "call", lead["id"][:10], "-o", "2").code == 0
    assert not [p.name for p in ws.local.cache.iterdir() if p.name.endswith(".tmp")]
