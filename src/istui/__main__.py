from istui.launch import run

raise SystemExit(run())
