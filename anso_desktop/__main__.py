"""`python -m anso_desktop` behaves like the `anso-desktop` command."""

import sys

from anso_desktop.cli import main

sys.exit(main())
