from istui.cli import main

raise SystemExit(main())
