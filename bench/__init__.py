"""Benchmark tooling (`make bench`, `python bench/run.py`). Importable from the repository root
so that the servers it starts can load `bench.settings`; importing the package loads nothing."""
