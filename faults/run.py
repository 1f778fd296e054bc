"""The fault suite: `make faults`, or `python faults/run.py [--short]` (options: `--help`). The
command is faults/cli.py; this file only runs it as a script."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# As a script, Python puts faults/ itself first on the path: import from the repository root.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[0] = str(HERE.parent)
else:
    sys.path.insert(0, str(HERE.parent))

from faults.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
