"""`python -m notestools <command>`: see notestools/cli.py."""

import sys

from .cli import main

sys.exit(main())
