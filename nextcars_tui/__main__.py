"""`python -m nextcars_tui`: the same as the `nextcars` command."""

from nextcars_tui.cli import main

raise SystemExit(main())
