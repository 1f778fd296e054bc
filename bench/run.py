"""Benchmarks of the hot paths: `make bench`, or `python bench/run.py [--tiny]` (options:
`--help`). The command is bench/cli.py; this file only runs it as a script."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# As a script, Python puts bench/ itself first on the path, where the package's modules
# (settings, urls, config, ...) would shadow top-level ones: import from the repository root.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[0] = str(HERE.parent)
else:
    sys.path.insert(0, str(HERE.parent))

from bench.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
