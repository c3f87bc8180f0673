"""Global options stand before or after the command at any depth (`istui today --rep bob` = `istui --rep bob
today`), `--rep ""` is refused; `note add|edit --body TEXT`, and text piped into `note add|edit` is its body (a
body given two ways is refused)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from istui.i18n import set_language
from istui.store.settings import Settings
from istui.store.workspace import Workspace

from conftest import add_lead, fixed_clock


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".istui" not in p.parts}


def test_rep_after_the_command_is_the_rep_working(cli, ws: Workspace) -> None:
    assert cli("rep", "add", "bob").code == 0  # --rep names a rep on the roster
    bobs, alices = add_lead(cli, "Bob Corp"), add_lead(cli, "Alice Corp")
    ws.update_lead(bobs["id"], {"owner": "bob", "next_at": "2026-11-27T09:00:00+09:00"})
    ws.update_lead(alices["id"], {"owner": "alice", "next_at": "2026-11-27T09:00:00+09:00"})
    after = cli("today", "--rep", "bob", "--json")
    before = cli("--rep", "bob", "today", "--json")
    assert after.code == 0 and after.json == before.json
    assert {row["company"] for row in after.json} == {"Bob Corp"}
    assert {row["company"] for row in cli("today", "--json").json} == {"Alice Corp"}  # ISTUI_REP=alice


def test_workspace_after_a_nested_command(cli, ws: Workspace, tmp_path: Path) -> None:
    other = Workspace.create(tmp_path / "other", "alice", Settings(team="Other", timezone="Asia/Tokyo"), clock=fixed_clock)
    lead = cli("--workspace", str(other.root), "lead", "add", "--company", "Elsewhere KK", "--json").json
    assert lead["id"] in Workspace.open(other.root, "alice").lead_ids() and lead["id"] not in ws.lead_ids()
    logged = cli("log", "call", lead["id"], "-o", "2", "--workspace", str(other.root), "--json")
    assert logged.code == 0, logged.err
    assert [a["outcome"] for a in Workspace.open(other.root, "alice").activities_of_lead(lead["id"])] == ["no_answer"]
    for name in ("carol", "dave"):
        assert cli("--workspace", str(other.root), "rep", "add", name).code == 0
    # a value before the command is not overwritten by the command's own (absent) option
    second = cli("--workspace", str(other.root), "--rep", "carol", "log", "call", lead["id"][:10], "-o", "4", "--json")
    assert second.code == 0 and second.json["activity"]["rep"] == "carol"
    third = cli("--workspace", str(other.root), "log", "call", lead["id"][:10], "-o", "1", "--rep", "dave", "--json")
    assert third.code == 0 and third.json["activity"]["rep"] == "dave"


def test_lang_after_the_command(cli, tmp_path: Path) -> None:
    try:
        result = cli("demo", str(tmp_path / "demo"), "--no-open", "--lang", "ja")
    finally:
        set_language("en")
    assert result.code == 0, result.err
    assert "デモワークスペースを作成中" in result.err and "Building" not in result.err
    assert (tmp_path / "demo" / "istui.toml").exists()


@pytest.mark.parametrize("rep", ["", "  "])
@pytest.mark.parametrize("where", ["before", "after"])
def test_an_empty_rep_is_refused_and_nothing_is_written(cli, ws: Workspace, rep: str, where: str) -> None:
    lead = add_lead(cli)
    before = files(ws.root)
    args = ["log", "call", lead["id"], "-o", "2"]
    result = cli(*(["--rep", rep, *args] if where == "before" else [*args, "--rep", rep]))
    assert result.code == 2 and result.out == ""
    assert result.err == f"istui: --rep: '{rep}' is not a usable rep name; use letters, digits, '.', '-' or '_' " \
                         "(no spaces), e.g. alice or 山田.\n"
    assert files(ws.root) == before


def test_note_add_body_and_piped_text(cli, ws: Workspace, tmp_path: Path) -> None:
    given = cli("note", "add", "--title", "Given", "--body", "Ask about **budget** first.", "--json")
    assert given.code == 0 and given.json["body"] == "Ask about **budget** first."
    piped = cli("note", "add", "--title", "Piped", "--json", stdin="Agree, then ask about the cost.\n")
    assert piped.code == 0 and piped.json["body"] == "Agree, then ask about the cost.\n"
    before = files(ws.root)
    both = cli("note", "add", "--title", "Both", "--body", "the option", "--json", stdin="and piped text")
    assert both.code == 2 and both.out == ""
    assert both.err == "istui: body: the body is given both as --body and as text piped in; give it one way.\n"
    body_and_file = cli("note", "add", "--title", "Two", "--body", "x", "--file", str(tmp_path / "x.md"))
    assert body_and_file.code == 2 and "not allowed with argument" in body_and_file.err
    assert files(ws.root) == before
    assert {n["title"]: n["body"] for n in ws.notes()} == {"Given": "Ask about **budget** first.",
                                                           "Piped": "Agree, then ask about the cost.\n"}


def test_note_add_reads_a_real_pipe(ws: Workspace) -> None:
    env = {**os.environ, "ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice",
           "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH")) if p)}
    result = subprocess.run([sys.executable, "-m", "istui", "note", "add", "--title", "From a pipe", "--json"],
                            input="# 切り返し\n\n価格の話は最後に。\n", capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["body"] == "# 切り返し\n\n価格の話は最後に。\n"
    empty = subprocess.run([sys.executable, "-m", "istui", "note", "add", "--title", "Nothing piped", "--json"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60)
    assert empty.returncode == 0 and json.loads(empty.stdout)["body"] == ""


def test_the_command_starts_with_the_collector_paused_and_runs_with_it_on(ws: Workspace) -> None:
    """`istui` (`istui.launch`) loads its modules with Python's cycle collector paused, then runs the command with it
    on again, what the start made frozen: a long command (an import, a sync) still has its cycles collected."""
    env = {**os.environ, "ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice",
           "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH")) if p)}
    script = ("import gc, sys\n"
              "import istui.launch\n"
              "paused = not gc.isenabled()\n"
              "import istui.cli.commands.rep as rep\n"
              "listed = rep.run_list\n"
              "def run_list(args):\n"
              "    print('collecting' if gc.isenabled() else 'paused', gc.get_freeze_count() > 1000)\n"
              "    return listed(args)\n"
              "rep.run_list = run_list\n"
              "sys.argv = ['istui', 'rep', 'list']\n"
              "code = istui.launch.run()\n"
              "print(paused, code)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "collecting True" and "alice" in result.stdout and lines[-1] == "True 0", result.stdout
