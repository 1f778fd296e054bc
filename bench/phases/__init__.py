"""The measured phases, one module each, in the order they run (bench.config.PHASES), and
the waits on the worker's queues that several of them share."""
