from istui.cli import run

raise SystemExit(run())
